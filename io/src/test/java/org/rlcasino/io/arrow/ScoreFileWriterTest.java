package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScoreFileWriterTest {
    @TempDir
    Path dir;
    BufferAllocator allocator;

    static final TensorTable TENSORS = DeltaStreamWriterTest.TENSORS;
    static final ScoreFileInfo INFO = new ScoreFileInfo("momentum", Map.of("window", "4", "eps", "1e-8", "variant", "reference"),
            List.of(1, 2, 3, 4));
    static final Batching BATCHING = new Batching(50, 200);

    @BeforeEach
    void openAllocator() {
        allocator = new RootAllocator(64L << 20);
    }

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
        allocator.close();
    }

    static float[][] randomScores(long seed) {
        Random random = new Random(seed);
        float[][] scores = new float[TENSORS.size()][];
        for (int t = 0; t < TENSORS.size(); t++) {
            scores[t] = new float[(int) TENSORS.get(t).size()];
            for (int i = 0; i < scores[t].length; i++) {
                scores[t][i] = random.nextFloat();
            }
        }
        return scores;
    }

    static void write(Path file, float[][] scores, BufferAllocator allocator) throws IOException {
        Random random = new Random(9);
        try (ScoreFileWriter writer = ScoreFileWriter.create(file, TENSORS, INFO, Map.of("deltas", "run/deltas.arrow"), BATCHING, allocator)) {
            for (int t = 0; t < TENSORS.size(); t++) {
                for (int offset = 0; offset < scores[t].length; ) {
                    int count = Math.min(scores[t].length - offset, 1 + random.nextInt(120));
                    writer.writeChunk(TENSORS.get(t).name(), offset, scores[t], offset, count);
                    offset += count;
                }
            }
            writer.finish();
        }
    }

    @Test
    void roundTripsScoresAndMetadata() throws IOException {
        float[][] scores = randomScores(1);
        Path file = dir.resolve("scores.arrow");
        write(file, scores, allocator);
        float[][] read = new float[TENSORS.size()][];
        for (int t = 0; t < TENSORS.size(); t++) {
            read[t] = new float[(int) TENSORS.get(t).size()];
        }
        try (ScoreFileReader reader = ScoreFileReader.open(file, allocator)) {
            assertThat(reader.info()).isEqualTo(INFO);
            assertThat(reader.tensors()).isEqualTo(TENSORS);
            assertThat(reader.provenance()).isEqualTo(Map.of("deltas", "run/deltas.arrow"));
            assertThat(reader.batching()).isEqualTo(BATCHING);
            assertThat(reader.metadata()).containsEntry(RlcasinoArrowFile.METHOD, "momentum")
                    .containsEntry(RlcasinoArrowFile.SOURCE_STEPS, "[1,2,3,4]");
            while (reader.next()) {
                assertThat(reader.tensor()).isEqualTo(TENSORS.get(reader.tensorIndex()));
                reader.readValues(read[reader.tensorIndex()], (int) reader.offset());
            }
        }
        assertThat(read).isDeepEqualTo(scores);
    }

    @Test
    void misuseIsRejected() throws IOException {
        Path file = dir.resolve("scores.arrow");
        float[] values = new float[1000];
        try (ScoreFileWriter writer = ScoreFileWriter.create(file, TENSORS, INFO, Map.of(), BATCHING, allocator)) {
            values[3] = Float.POSITIVE_INFINITY;
            assertThatThrownBy(() -> writer.writeChunk("h.0.attn.weight", 0, values, 0, 10))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("score of tensor h.0.attn.weight at element 3 is Infinity; only finite values can be written");
            values[3] = 0;
            writer.writeChunk("h.0.attn.weight", 0, values, 0, 510);
            assertThatThrownBy(() -> writer.writeChunk("h.0.attn.weight", 510, values, 0, 1))
                    .hasMessageContaining("at offset 510 with 1 values runs past the tensor's 510 elements");
            assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot finish scores.arrow: tensor h.0.attn.bias has 0 of its 17 elements");
        }
        assertThat(ArrowTestFiles.filesIn(dir)).isEmpty();
        assertThatThrownBy(() -> new ScoreFileInfo("fisher", Map.of(), List.of(3, 2)))
                .hasMessage("sourceSteps must be strictly ascending, got [3, 2]");
        assertThatThrownBy(() -> new ScoreFileInfo(" ", Map.of(), List.of()))
                .hasMessageContaining("method must be a non-blank name");
    }

    @Test
    void aDeltaStreamGivenToTheScoreReaderIsRedirected() throws IOException {
        Path deltas = dir.resolve("run.arrow");
        DeltaStreamWriterTest.write(deltas, DeltaStreamWriterTest.randomDeltas(2, 1), new int[] {1}, DeltaStreamOptions.DEFAULTS, allocator, 1);
        assertThatThrownBy(() -> ScoreFileReader.open(deltas, allocator)).isInstanceOf(ArrowFormatException.class)
                .hasMessage("run.arrow is a rlcasino.deltas file (weight deltas), not rlcasino.scores (importance scores): "
                        + "pass it to casino score, or give the scores file produced by casino score");
    }
}
