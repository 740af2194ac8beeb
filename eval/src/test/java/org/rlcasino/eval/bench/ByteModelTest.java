package org.rlcasino.eval.bench;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlcasino.tasks.ParameterLayout;

import static org.assertj.core.api.Assertions.assertThat;

class ByteModelTest {

    @Test
    void denseStepMoves28BytesPerParameter() {
        assertThat(ByteModel.denseStepBytes(1_000)).isEqualTo(28_000);
    }

    @Test
    void linesAreCountedOncePerSixteenFloatsAcrossTensors() {
        ParameterLayout layout = ParameterLayout.builder().add("a", 20).add("b", 40).build(); // b starts at 20
        Map<String, int[]> mask = Map.of(
                "a", new int[] {0, 1, 15, 16},   // lines 0, 0, 0, 1
                "b", new int[] {0, 11, 12, 39}); // flat 20, 31 (line 1), 32 (line 2), 59 (line 3)
        assertThat(ByteModel.linesTouched(layout, mask)).isEqualTo(4);
    }

    @Test
    void sparseBytesCountLinesStateAndIndices() {
        // 10 lines, 40 active entries: element indexing adds 4 B per entry, block indexing 12 B per segment
        assertThat(ByteModel.sparseStepBytes(10, 40, -1)).isEqualTo(3 * 64 * 10 + 16 * 40 + 4 * 40);
        assertThat(ByteModel.sparseStepBytes(10, 40, 5)).isEqualTo(3 * 64 * 10 + 16 * 40 + 12 * 5);
    }
}
