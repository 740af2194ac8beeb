package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RlcasinoArrowFileTest {
    @TempDir
    Path dir;

    @Test
    void formatOfNamesEachFormat() throws IOException {
        try (BufferAllocator allocator = RlcasinoArrowFile.boundedAllocator(64L << 20)) {
            Path deltas = dir.resolve("d.arrow");
            DeltaStreamWriterTest.write(deltas, DeltaStreamWriterTest.randomDeltas(1, 1), new int[] {1}, DeltaStreamOptions.DEFAULTS, allocator, 1);
            Path scores = dir.resolve("s.arrow");
            ScoreFileWriterTest.write(scores, ScoreFileWriterTest.randomScores(1), allocator);
            Path mask = dir.resolve("m.arrow");
            MaskFileWriterTest.write(mask, MaskFileWriterTest.randomMask(1, 0.1), allocator);
            Path metrics = dir.resolve("t.arrow");
            MetricTableWriterTest.write(metrics, 2, allocator);
            assertThat(RlcasinoArrowFile.formatOf(deltas)).isEqualTo(RlcasinoFormat.DELTAS);
            assertThat(RlcasinoArrowFile.formatOf(scores)).isEqualTo(RlcasinoFormat.SCORES);
            assertThat(RlcasinoArrowFile.formatOf(mask)).isEqualTo(RlcasinoFormat.MASK);
            assertThat(RlcasinoArrowFile.formatOf(metrics)).isEqualTo(RlcasinoFormat.METRICS);
            assertThat(allocator.getAllocatedMemory()).isZero();
        }
    }

    @Test
    void formatOfRejectsOtherFiles() throws IOException {
        Path json = Files.writeString(dir.resolve("config.json"), "{\"lr\": 1e-5}");
        assertThatThrownBy(() -> RlcasinoArrowFile.formatOf(json)).isInstanceOf(ArrowFormatException.class)
                .hasMessage("config.json is not an Arrow IPC file: it starts with bytes 7b 22 6c 72 22 3a 20 31 instead of \"ARROW1\"; "
                        + "give a file written by RL Casino");
    }

    @Test
    void boundedAllocatorsRefuseToGrowPastTheirLimit() {
        try (BufferAllocator allocator = RlcasinoArrowFile.boundedAllocator(1024)) {
            assertThat(allocator.getLimit()).isEqualTo(1024);
            assertThatThrownBy(() -> allocator.buffer(4096)).isInstanceOf(org.apache.arrow.memory.OutOfMemoryException.class);
        }
        assertThatThrownBy(() -> RlcasinoArrowFile.boundedAllocator(0)).hasMessage("allocator limit must be >= 1 byte, got 0");
    }
}
