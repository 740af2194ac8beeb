package org.rlcasino.bench;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.kernels.ParameterLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyntheticMasksTest {

    @Test
    void matricesCoverExactlyTheRequestedParameters() {
        ParameterLayout layout = SyntheticMasks.matrices(3 * 1024 * 64 + 100, 64);
        assertThat(layout.totalSize()).isEqualTo(3 * 1024 * 64 + 100);
        assertThat(layout.tensors()).hasSize(5); // 3 full 1024x64 matrices, one 1x64, one 1-D rest of 36
        assertThat(layout.tensors().get(0).shape()).containsExactly(1024, 64);
        assertThat(layout.tensors().getLast().shape()).containsExactly(36);
    }

    @Test
    void blockMasksKeepWholeBlocksAtTheRequestedDensity() {
        ParameterLayout layout = ParameterLayout.builder().add("a", 64, 128).add("b", 40, 50).build();
        Map<String, int[]> mask = SyntheticMasks.blocks(layout, new BlockShape(16, 16), 0.25, 3);
        int[] a = mask.get("a");
        assertThat(a).hasSize(8 * 256); // 32 blocks, 8 kept, each full
        assertSortedUnique(a, 64 * 128);
        // every kept entry's whole block is kept
        java.util.Set<Integer> entries = new java.util.HashSet<>();
        for (int i : a) {
            entries.add(i);
        }
        for (int i : a) {
            int r0 = (i / 128) / 16 * 16;
            int c0 = (i % 128) / 16 * 16;
            for (int r = r0; r < r0 + 16; r++) {
                for (int c = c0; c < c0 + 16; c++) {
                    assertThat(entries).contains(r * 128 + c);
                }
            }
        }
        // edge blocks are clipped: b is 40x50 -> 3x4 blocks, round(0.25*12) = 3 blocks kept
        assertSortedUnique(mask.get("b"), 40 * 50);
    }

    @Test
    void randomMasksHaveExactCountsAndDependOnlyOnTheSeed() {
        ParameterLayout layout = ParameterLayout.builder().add("w", 100, 100).build();
        Map<String, int[]> m1 = SyntheticMasks.blocks(layout, new BlockShape(1, 1), 0.025, 9);
        Map<String, int[]> m2 = SyntheticMasks.blocks(layout, new BlockShape(1, 1), 0.025, 9);
        Map<String, int[]> m3 = SyntheticMasks.blocks(layout, new BlockShape(1, 1), 0.025, 10);
        assertThat(m1.get("w")).hasSize(250).isEqualTo(m2.get("w"));
        assertThat(m3.get("w")).isNotEqualTo(m1.get("w"));
        assertSortedUnique(m1.get("w"), 10_000);
    }

    @Test
    void densityOutsideTheUnitIntervalIsRejected() {
        ParameterLayout layout = ParameterLayout.builder().add("w", 4, 4).build();
        assertThatThrownBy(() -> SyntheticMasks.blocks(layout, new BlockShape(1, 1), 1.5, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("density");
        assertThatThrownBy(() -> SyntheticMasks.matrices(0, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertSortedUnique(int[] indices, int size) {
        for (int j = 0; j < indices.length; j++) {
            assertThat(indices[j]).isBetween(0, size - 1);
            if (j > 0) {
                assertThat(indices[j]).isGreaterThan(indices[j - 1]);
            }
        }
    }

}
