package org.rlcasino.train.phase;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.kernels.ParameterLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskSourceTest {
    @TempDir
    Path dir;

    private static final ParameterLayout LAYOUT = ParameterLayout.builder().add("a", 40, 25).add("b", 1000).add("c", 7).build();

    @Test
    void randomMaskKeepsExactlyTheDensityAndDependsOnlyOnTheSeed() {
        for (double sparsity : new double[]{0.975, 0.5, 0.1}) {
            MaskSource.Mask m = MaskSource.random(LAYOUT, sparsity, 11);
            long kept = m.indices().values().stream().mapToLong(i -> i.length).sum();
            assertThat(kept).isEqualTo(m.active()).isEqualTo((long) Math.floor((1 - sparsity) * 2007 + 1e-9));
            for (int[] idx : m.indices().values()) {
                for (int i = 1; i < idx.length; i++) {
                    assertThat(idx[i]).isGreaterThan(idx[i - 1]);
                }
            }
            assertThat(MaskSource.random(LAYOUT, sparsity, 11).indices().get("a")).isEqualTo(m.indices().get("a"));
        }
        assertThat(MaskSource.random(LAYOUT, 0.5, 12).indices().get("b")).isNotEqualTo(MaskSource.random(LAYOUT, 0.5, 11).indices().get("b"));
    }

    @Test
    void writtenMaskReadsBack() throws Exception {
        MaskSource.Mask m = MaskSource.random(LAYOUT, 0.9, 5);
        Path file = dir.resolve("random.arrow");
        MaskSource.write(file, m, LAYOUT, "random-uniform", 0.9, java.util.Map.of("seed", "5"));
        MaskSource.Mask back = MaskSource.read(file, LAYOUT);
        assertThat(back.active()).isEqualTo(m.active());
        for (String name : java.util.List.of("a", "b", "c")) {
            assertThat(back.indices().get(name)).isEqualTo(m.indices().get(name));
        }
    }

    @Test
    void missingMaskFileSaysHowToMakeOne() {
        assertThatThrownBy(() -> MaskSource.read(dir.resolve("mask.arrow"), LAYOUT)).hasMessageContaining("casino mask");
    }
}
