package org.rlcasino.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorViewTest {

    @Test
    void matrixViewOfEachRank() {
        TensorView scalar = new TensorView("s", new int[0], 3);
        assertThat(scalar.size()).isEqualTo(1);
        assertThat(scalar.rows()).isEqualTo(1);
        assertThat(scalar.columns()).isEqualTo(1);

        TensorView vector = new TensorView("b", new int[] {7}, 0);
        assertThat(vector.size()).isEqualTo(7);
        assertThat(vector.rows()).isEqualTo(1);
        assertThat(vector.columns()).isEqualTo(7);

        TensorView matrix = new TensorView("w", new int[] {5, 3}, 10);
        assertThat(matrix.size()).isEqualTo(15);
        assertThat(matrix.rows()).isEqualTo(5);
        assertThat(matrix.columns()).isEqualTo(3);

        TensorView cube = new TensorView("c", new int[] {2, 3, 4}, 0);
        assertThat(cube.size()).isEqualTo(24);
        assertThat(cube.rows()).isEqualTo(2);
        assertThat(cube.columns()).isEqualTo(12);
    }

    @Test
    void shapeIsCopiedInAndOut() {
        int[] shape = {2, 3};
        TensorView t = new TensorView("w", shape, 0);
        shape[0] = 99;
        assertThat(t.shape()).containsExactly(2, 3);
        t.shape()[1] = 99;
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.size()).isEqualTo(6);
    }

    @Test
    void equalityIsByValue() {
        TensorView a = new TensorView("w", new int[] {2, 3}, 4);
        TensorView b = new TensorView("w", new int[] {2, 3}, 4);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new TensorView("w", new int[] {3, 2}, 4));
        assertThat(a).isNotEqualTo(new TensorView("w", new int[] {2, 3}, 5));
        assertThat(a).isNotEqualTo(new TensorView("v", new int[] {2, 3}, 4));
        assertThat(a.toString()).isEqualTo("w[2, 3]@4");
    }

    @Test
    void rejectsInvalidArgumentsNamingTheTensor() {
        assertThatThrownBy(() -> new TensorView(null, new int[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> new TensorView("  ", new int[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> new TensorView("w", null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w").hasMessageContaining("shape");
        assertThatThrownBy(() -> new TensorView("w", new int[] {3, 0}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w").hasMessageContaining("[3, 0]");
        assertThatThrownBy(() -> new TensorView("w", new int[] {-1}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w");
        assertThatThrownBy(() -> new TensorView("w", new int[] {1 << 16, 1 << 16}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w").hasMessageContaining("2^31");
        assertThatThrownBy(() -> new TensorView("w", new int[] {2}, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w").hasMessageContaining("offset");
    }

    @Test
    void largestTensorIsAccepted() {
        TensorView t = new TensorView("w", new int[] {Integer.MAX_VALUE}, 0);
        assertThat(t.size()).isEqualTo(Integer.MAX_VALUE);
    }
}
