package org.rlcasino.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParameterLayoutTest {

    @Test
    void packsTensorsContiguouslyInDeclarationOrder() {
        ParameterLayout layout = ParameterLayout.builder()
                .add("wte", 10, 4)      // (V, C)
                .add("ln.bias", 4)      // (C)
                .add("scale")           // scalar
                .add("attn", 2, 3, 4)   // (L, 3, C)
                .build();
        assertThat(layout.tensors()).extracting(TensorView::name).containsExactly("wte", "ln.bias", "scale", "attn");
        assertThat(layout.tensors()).extracting(TensorView::offset).containsExactly(0, 40, 44, 45);
        assertThat(layout.totalSize()).isEqualTo(40 + 4 + 1 + 24);
        assertThat(layout.tensor("attn")).isEqualTo(new TensorView("attn", new int[] {2, 3, 4}, 45));
        assertThat(layout.contains("ln.bias")).isTrue();
        assertThat(layout.contains("ln.weight")).isFalse();
    }

    @Test
    void emptyLayoutHasNoElements() {
        ParameterLayout layout = ParameterLayout.builder().build();
        assertThat(layout.totalSize()).isZero();
        assertThat(layout.tensors()).isEmpty();
    }

    @Test
    void tensorListIsUnmodifiable() {
        ParameterLayout layout = ParameterLayout.builder().add("a", 2).build();
        assertThatThrownBy(() -> layout.tensors().add(new TensorView("b", new int[] {1}, 2)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void unknownTensorNameIsRejectedListingTheKnownOnes() {
        ParameterLayout layout = ParameterLayout.builder().add("a", 2).add("b", 3).build();
        assertThatThrownBy(() -> layout.tensor("c"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'c'").hasMessageContaining("a, b");
    }

    @Test
    void longListsOfKnownNamesAreAbbreviated() {
        ParameterLayout.Builder builder = ParameterLayout.builder();
        for (int i = 0; i < 12; i++) {
            builder.add("t" + i, 1);
        }
        ParameterLayout layout = builder.build();
        assertThatThrownBy(() -> layout.tensor("missing"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t0, t1").hasMessageContaining("t7").hasMessageNotContaining("t8")
                .hasMessageContaining("12 in all");
    }

    @Test
    void duplicateNamesAreRejected() {
        ParameterLayout.Builder builder = ParameterLayout.builder().add("w", 2, 2);
        assertThatThrownBy(() -> builder.add("w", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate").hasMessageContaining("'w'");
    }

    @Test
    void invalidShapesAreRejectedNamingTheTensor() {
        assertThatThrownBy(() -> ParameterLayout.builder().add("w", 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w");
        assertThatThrownBy(() -> ParameterLayout.builder().add(" ", 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
    }

    @Test
    void layoutsOver2To31ElementsAreRejected() {
        ParameterLayout.Builder builder = ParameterLayout.builder().add("a", 1 << 30).add("b", 1 << 29);
        assertThatThrownBy(() -> builder.add("c", 1 << 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'c'");
    }
}
