package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeltaStreamWriterTest {
    @TempDir
    Path dir;
    BufferAllocator allocator;

    static final TensorTable TENSORS = TensorTable.of(
            TensorInfo.f32("h.0.attn.weight", 30, 17),
            new TensorInfo("h.0.attn.bias", new long[] {17}, "BF16"),
            TensorInfo.f32("empty", 0, 4),
            TensorInfo.f32("h.1.mlp.weight", 10, 100));

    @BeforeEach
    void openAllocator() {
        allocator = new RootAllocator(64L << 20);
    }

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
        allocator.close();
    }

    /** deltas[step][tensor][element], random, with some exact zeros and some tiny values. */
    static float[][][] randomDeltas(long seed, int steps) {
        Random random = new Random(seed);
        float[][][] deltas = new float[steps][TENSORS.size()][];
        for (int s = 0; s < steps; s++) {
            for (int t = 0; t < TENSORS.size(); t++) {
                float[] d = new float[(int) TENSORS.get(t).size()];
                for (int i = 0; i < d.length; i++) {
                    int kind = random.nextInt(10);
                    d[i] = kind == 0 ? 0f : kind == 1 ? (float) (random.nextGaussian() * 1e-9) : (float) random.nextGaussian() * 1e-3f;
                }
                deltas[s][t] = d;
            }
        }
        return deltas;
    }

    /** Writes each tensor in pieces of random sizes (crossing rows and batches). */
    static List<DeltaStep> write(Path file, float[][][] deltas, int[] stepNumbers, DeltaStreamOptions options,
                                 BufferAllocator allocator, long seed) throws IOException {
        Random random = new Random(seed);
        try (DeltaStreamWriter writer = DeltaStreamWriter.create(file, TENSORS, Map.of("checkpoints", "ckpt/", "config_hash", "abc123"),
                options, allocator)) {
            for (int s = 0; s < deltas.length; s++) {
                if (s % 2 == 0) {
                    writer.beginStep(stepNumbers[s], "ckpt/step-" + stepNumbers[s] + "/model.safetensors");
                }
                for (int t = 0; t < TENSORS.size(); t++) {
                    float[] d = deltas[s][t];
                    int offset = 0;
                    while (offset < d.length) {
                        int count = Math.min(d.length - offset, 1 + random.nextInt(300));
                        float[] padded = new float[count + 3];
                        System.arraycopy(d, offset, padded, 2, count);
                        writer.writeChunk(stepNumbers[s], TENSORS.get(t).name(), offset, padded, 2, count);
                        offset += count;
                    }
                }
            }
            return writer.finish();
        }
    }

    @Test
    void roundTripsValuesMetadataAndSteps() throws IOException {
        float[][][] deltas = randomDeltas(1, 3);
        int[] steps = {1, 2, 5};
        Path file = dir.resolve("deltas.arrow");
        DeltaStreamOptions options = DeltaStreamOptions.DEFAULTS.withBatching(new Batching(64, 256));
        List<DeltaStep> written = write(file, deltas, steps, options, allocator, 2);
        assertThat(written).extracting(DeltaStep::step).containsExactly(1, 2, 5);
        assertThat(written).extracting(DeltaStep::source)
                .containsExactly("ckpt/step-1/model.safetensors", null, "ckpt/step-5/model.safetensors");
        assertThat(written).extracting(DeltaStep::zeroed).containsOnly(0L);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }

        float[][][] read = new float[3][TENSORS.size()][];
        for (int s = 0; s < 3; s++) {
            for (int t = 0; t < TENSORS.size(); t++) {
                read[s][t] = new float[(int) TENSORS.get(t).size()];
            }
        }
        int rows = 0;
        try (DeltaStreamReader reader = DeltaStreamReader.open(file, allocator)) {
            assertThat(reader.tensors()).isEqualTo(TENSORS);
            assertThat(reader.provenance()).containsExactlyInAnyOrderEntriesOf(Map.of("checkpoints", "ckpt/", "config_hash", "abc123"));
            assertThat(reader.steps()).isEqualTo(written);
            assertThat(reader.tolerance()).isZero();
            assertThat(reader.batching()).isEqualTo(new Batching(64, 256));
            List<Integer> stepOrder = new ArrayList<>();
            while (reader.next()) {
                int s = reader.step() == 1 ? 0 : reader.step() == 2 ? 1 : 2;
                assertThat(reader.offset() % 64).isZero();
                reader.readValues(read[s][reader.tensorIndex()], (int) reader.offset());
                assertThat(reader.value(reader.length() - 1)).isEqualTo(deltas[s][reader.tensorIndex()][(int) reader.offset() + reader.length() - 1]);
                if (stepOrder.isEmpty() || stepOrder.getLast() != reader.step()) {
                    stepOrder.add(reader.step());
                }
                rows++;
            }
            assertThat(stepOrder).containsExactly(1, 2, 5);
        }
        assertThat(read).isDeepEqualTo(deltas);
        // 510 + 17 + 1000 elements per step: ceil(510/64) + 1 + ceil(1000/64) = 8 + 1 + 16 rows
        assertThat(rows).isEqualTo(3 * 25);
    }

    @Test
    void toleranceZeroesSmallDeltasAndCountsThemPerStep() throws IOException {
        float[][][] deltas = randomDeltas(3, 2);
        Path file = dir.resolve("deltas.arrow");
        double tolerance = 1e-6;
        List<DeltaStep> written = write(file, deltas, new int[] {10, 20},
                DeltaStreamOptions.DEFAULTS.withTolerance(tolerance).withBatching(new Batching(100, 400)), allocator, 4);
        long[] expectedZeroed = new long[2];
        for (int s = 0; s < 2; s++) {
            for (float[] d : deltas[s]) {
                for (int i = 0; i < d.length; i++) {
                    if (d[i] != 0f && Math.abs(d[i]) < tolerance) {
                        expectedZeroed[s]++;
                        d[i] = 0f;
                    }
                }
            }
        }
        assertThat(expectedZeroed[0]).isPositive();
        assertThat(written).extracting(DeltaStep::zeroed).containsExactly(expectedZeroed[0], expectedZeroed[1]);
        try (DeltaStreamReader reader = DeltaStreamReader.open(file, allocator)) {
            assertThat(reader.tolerance()).isEqualTo(tolerance);
            assertThat(reader.zeroed()).isEqualTo(expectedZeroed[0] + expectedZeroed[1]);
            assertThat(reader.steps()).isEqualTo(written);
            float[] buffer = new float[100];
            while (reader.next()) {
                reader.readValues(buffer, 0);
                float[] expected = deltas[reader.step() == 10 ? 0 : 1][reader.tensorIndex()];
                for (int i = 0; i < reader.length(); i++) {
                    assertThat(buffer[i]).isEqualTo(expected[(int) reader.offset() + i]);
                }
            }
        }
    }

    @Test
    void memoryStaysWithinABatchWhileWritingAndReadingAStreamOfTwoMillionFloats() throws IOException {
        TensorTable tensors = TensorTable.of(TensorInfo.f32("a", 512, 1024), TensorInfo.f32("b", 1000), TensorInfo.f32("c", 1023, 512));
        Batching batching = Batching.ofBatch(4096);
        long batchBytes = 4096L * Float.BYTES;
        Path file = dir.resolve("big.arrow");
        float[] piece = new float[10_000];
        Random random = new Random(5);
        long total = 0;
        try (BufferAllocator writing = allocator.newChildAllocator("writing", 0, Long.MAX_VALUE)) {
            try (DeltaStreamWriter writer = DeltaStreamWriter.create(file, tensors, Map.of(), DeltaStreamOptions.DEFAULTS.withBatching(batching), writing)) {
                for (int step = 1; step <= 2; step++) {
                    for (int t = 0; t < tensors.size(); t++) {
                        long size = tensors.get(t).size();
                        for (long offset = 0; offset < size; ) {
                            int count = (int) Math.min(piece.length, size - offset);
                            for (int i = 0; i < count; i++) {
                                piece[i] = (float) (offset + i) * step + t;
                            }
                            writer.writeChunk(step, t, offset, piece, 0, count);
                            offset += count;
                            total += count;
                        }
                    }
                }
                writer.finish();
            }
            assertThat(total).isGreaterThan(2_000_000);
            assertThat(writing.getPeakMemoryAllocation()).as("peak bytes while writing %d floats", total)
                    .isLessThanOrEqualTo(8 * batchBytes);
        }
        assertThat(Files.size(file)).isGreaterThan(total * Float.BYTES);
        try (BufferAllocator reading = allocator.newChildAllocator("reading", 0, Long.MAX_VALUE)) {
            float[] buffer = new float[batching.chunkElements()];
            long seen = 0;
            try (DeltaStreamReader reader = DeltaStreamReader.open(file, reading)) {
                while (reader.next()) {
                    reader.readValues(buffer, 0);
                    int i = random.nextInt(reader.length());
                    assertThat(buffer[i]).isEqualTo((float) (reader.offset() + i) * reader.step() + reader.tensorIndex());
                    seen += reader.length();
                }
            }
            assertThat(seen).isEqualTo(total);
            assertThat(reading.getPeakMemoryAllocation()).as("peak bytes while reading %d floats", total)
                    .isLessThanOrEqualTo(8 * batchBytes);
        }
    }

    @Test
    void misuseIsRejectedWithPreciseMessagesAndTheWriterStaysUsable() throws IOException {
        Path file = dir.resolve("deltas.arrow");
        float[] values = new float[600];
        try (DeltaStreamWriter writer = DeltaStreamWriter.create(file, TENSORS, Map.of(), DeltaStreamOptions.DEFAULTS, allocator)) {
            assertThatThrownBy(() -> writer.writeChunk(1, "nope", 0, values, 0, 3))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown tensor nope");
            assertThatThrownBy(() -> writer.writeChunk(1, "h.0.attn.bias", 0, values, 0, 3))
                    .hasMessageContaining("tensor h.0.attn.bias starts in step 1 while tensor h.0.attn.weight has 0 of its 510 elements");
            assertThatThrownBy(() -> writer.writeChunk(1, "h.0.attn.weight", 5, values, 0, 3))
                    .hasMessageContaining("starts at offset 5, expected 0");
            assertThatThrownBy(() -> writer.writeChunk(1, "h.0.attn.weight", 0, values, 0, 511))
                    .hasMessageContaining("at offset 0 with 511 values runs past the tensor's 510 elements");
            assertThatThrownBy(() -> writer.writeChunk(1, "h.0.attn.weight", 0, values, 590, 20))
                    .hasMessageContaining("outside the array of length 600");
            values[7] = Float.NaN;
            assertThatThrownBy(() -> writer.writeChunk(1, "h.0.attn.weight", 0, values, 0, 10))
                    .hasMessageContaining("delta of tensor h.0.attn.weight at element 7 in step 1 is NaN");
            values[7] = 0;
            writeStep(writer, 3);
            assertThatThrownBy(() -> writer.writeChunk(2, "h.0.attn.weight", 0, values, 0, 10))
                    .hasMessageContaining("step 2 comes after step 3: steps must be strictly ascending");
            assertThatThrownBy(() -> writer.beginStep(3, "again"))
                    .hasMessageContaining("step 3 comes after step 3");
            writer.writeChunk(4, "h.0.attn.weight", 0, values, 0, 10);
            assertThatThrownBy(() -> writer.writeChunk(5, "h.0.attn.weight", 0, values, 0, 10))
                    .hasMessageContaining("step 5 starts while step 4 is incomplete (tensor h.0.attn.weight has 10 of its 510 elements)");
            assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("step 4 is incomplete: tensor h.0.attn.weight has 10 of its 510 elements");
            writer.writeChunk(4, "h.0.attn.weight", 10, values, 0, 500);
            writer.writeChunk(4, "h.0.attn.bias", 0, values, 0, 17);
            writer.writeChunk(4, "h.1.mlp.weight", 0, values, 0, 600);
            writer.writeChunk(4, "h.1.mlp.weight", 600, values, 0, 400);
            assertThatThrownBy(() -> writer.writeChunk(4, "h.0.attn.bias", 0, values, 0, 17))
                    .hasMessageContaining("tensor h.0.attn.bias (table position 1) comes after tensor h.1.mlp.weight in step 4");
            assertThat(writer.finish()).extracting(DeltaStep::step).containsExactly(3, 4);
            assertThatThrownBy(() -> writer.writeChunk(5, "h.0.attn.weight", 0, values, 0, 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already finished");
        }
        assertThat(ArrowTestFiles.filesIn(dir)).containsExactly(file);
    }

    private static void writeStep(DeltaStreamWriter writer, int step) throws IOException {
        for (TensorInfo t : TENSORS.tensors()) {
            float[] zeros = new float[(int) t.size()];
            writer.writeChunk(step, t.name(), 0, zeros, 0, zeros.length);
        }
    }

    @Test
    void anExceptionMidWriteLeavesNoFileAndNoTemporary() throws IOException {
        Path file = dir.resolve("deltas.arrow");
        assertThatThrownBy(() -> {
            try (DeltaStreamWriter writer = DeltaStreamWriter.create(file, TENSORS, Map.of(), new DeltaStreamOptions(0, new Batching(16, 64), DeltaBasis.STEP), allocator)) {
                writeStep(writer, 1);
                writer.writeChunk(2, "h.0.attn.weight", 0, new float[100], 0, 100);
                assertThat(ArrowTestFiles.filesIn(dir)).hasSize(1).allMatch(p -> p.getFileName().toString().endsWith(".tmp"));
                throw new IllegalStateException("checkpoint 2 is unreadable");
            }
        }).hasMessage("checkpoint 2 is unreadable");
        assertThat(ArrowTestFiles.filesIn(dir)).isEmpty();
    }

    @Test
    void closingWithoutFinishOrAbortingKeepsThePreviousFile() throws IOException {
        Path file = dir.resolve("deltas.arrow");
        write(file, randomDeltas(6, 1), new int[] {1}, DeltaStreamOptions.DEFAULTS, allocator, 7);
        byte[] before = Files.readAllBytes(file);
        try (DeltaStreamWriter writer = DeltaStreamWriter.create(file, TENSORS, Map.of(), DeltaStreamOptions.DEFAULTS, allocator)) {
            writeStep(writer, 1);
        }
        DeltaStreamWriter aborted = DeltaStreamWriter.create(file, TENSORS, Map.of(), DeltaStreamOptions.DEFAULTS, allocator);
        writeStep(aborted, 1);
        aborted.abort();
        aborted.close();
        assertThatThrownBy(() -> aborted.writeChunk(2, 0, 0, new float[1], 0, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("writer is closed");
        assertThat(ArrowTestFiles.filesIn(dir)).containsExactly(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void anEmptyStreamHasNoSteps() throws IOException {
        Path file = dir.resolve("empty.arrow");
        try (DeltaStreamWriter writer = DeltaStreamWriter.create(file, TENSORS, Map.of(), DeltaStreamOptions.DEFAULTS, allocator)) {
            assertThat(writer.finish()).isEmpty();
        }
        try (DeltaStreamReader reader = DeltaStreamReader.open(file, allocator)) {
            assertThat(reader.steps()).isEmpty();
            assertThat(reader.next()).isFalse();
        }
    }
}
