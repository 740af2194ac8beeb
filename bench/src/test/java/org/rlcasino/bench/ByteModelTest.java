package org.rlcasino.bench;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlcasino.kernels.ParameterLayout;

import static org.assertj.core.api.Assertions.assertThat;

class ByteModelTest {

    @Test
    void denseStepMoves28BytesPerParameter() {
        assertThat(ByteModel.denseStepBytes(1_000)).isEqualTo(28_000);
    }

    @Test
    void linesAreCountedOncePerSixteenFloatsAcrossTensors() {
        // element i sits at byte 16 + 4i of the array, i.e. on line (i + 4) / 16
        ParameterLayout layout = ParameterLayout.builder().add("a", 20).add("b", 60).build(); // b starts at 20
        Map<String, int[]> mask = Map.of(
                "a", new int[] {0, 11, 12, 16},  // lines 0, 0, 1, 1
                "b", new int[] {0, 7, 8, 55});   // flat 20 (line 1), 27 (line 1), 28 (line 2), 75 (line 4)
        assertThat(ByteModel.linesTouched(layout, mask)).isEqualTo(4);
    }

    @Test
    void aFullBufferSpansItsLinesPlusTheHeaderShift() {
        assertThat(ByteModel.linesSpanned(12)).isEqualTo(1);  // bytes 16..63
        assertThat(ByteModel.linesSpanned(13)).isEqualTo(2);
        assertThat(ByteModel.linesSpanned(16)).isEqualTo(2);
    }

    @Test
    void sparseBytesCountLinesStateAndIndices() {
        // 10 lines, 40 active entries: element indexing adds 4 B per entry, block indexing 12 B per segment
        assertThat(ByteModel.sparseStepBytes(10, 40, -1)).isEqualTo(3 * 64 * 10 + 16 * 40 + 4 * 40);
        assertThat(ByteModel.sparseStepBytes(10, 40, 5)).isEqualTo(3 * 64 * 10 + 16 * 40 + 12 * 5);
    }
}
