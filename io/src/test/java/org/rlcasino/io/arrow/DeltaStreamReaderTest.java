package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input: every way a file can be wrong gives an {@link ArrowFormatException} that says what to do. */
class DeltaStreamReaderTest {
    @TempDir
    Path dir;
    BufferAllocator allocator;
    Path valid;

    @BeforeEach
    void writeAValidFile() throws IOException {
        allocator = new RootAllocator(64L << 20);
        valid = dir.resolve("deltas.arrow");
        DeltaStreamWriterTest.write(valid, DeltaStreamWriterTest.randomDeltas(1, 2), new int[] {1, 2},
                DeltaStreamOptions.DEFAULTS.withBatching(new Batching(64, 256)), allocator, 3);
    }

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
        allocator.close();
    }

    private void readAll(Path file) throws IOException {
        try (DeltaStreamReader reader = DeltaStreamReader.open(file, allocator)) {
            float[] buffer = new float[reader.batching().chunkElements()];
            while (reader.next()) {
                reader.readValues(buffer, 0);
            }
        }
    }

    @Test
    void aScoreFileIsNamedAndRedirected() throws IOException {
        Path scores = dir.resolve("x.arrow");
        ScoreFileWriterTest.write(scores, ScoreFileWriterTest.randomScores(1), allocator);
        assertThatThrownBy(() -> readAll(scores)).isInstanceOf(ArrowFormatException.class)
                .hasMessage("x.arrow is a rlcasino.scores file (importance scores), not rlcasino.deltas (weight deltas): "
                        + "pass it to casino mask, or give the deltas file produced by casino deltas");
    }

    @Test
    void aNewerVersionAsksForAnUpgrade() throws IOException {
        Path newer = ArrowTestFiles.withMetadata(valid, dir.resolve("v2.arrow"), m -> {
            m.put(RlcasinoArrowFile.VERSION, "2");
            return m;
        }, allocator);
        assertThatThrownBy(() -> readAll(newer)).isInstanceOf(ArrowFormatException.class)
                .hasMessage("v2.arrow is a rlcasino.deltas file of version 2, which is newer than this reader (1): upgrade RL Casino");
    }

    @Test
    void theBasisIsReadAndFilesWithoutOneHoldStepDeltas() throws IOException {
        try (DeltaStreamReader r = DeltaStreamReader.open(valid, allocator)) {
            assertThat(r.basis()).isEqualTo(DeltaBasis.STEP);
        }
        Path start = ArrowTestFiles.withMetadata(valid, dir.resolve("start.arrow"), m -> {
            m.put(RlcasinoArrowFile.BASIS, "start");
            return m;
        }, allocator);
        try (DeltaStreamReader r = DeltaStreamReader.open(start, allocator)) {
            assertThat(r.basis()).isEqualTo(DeltaBasis.START);
        }
        Path older = ArrowTestFiles.withMetadata(valid, dir.resolve("older.arrow"), m -> {
            m.remove(RlcasinoArrowFile.BASIS);
            return m;
        }, allocator);
        try (DeltaStreamReader r = DeltaStreamReader.open(older, allocator)) {
            assertThat(r.basis()).isEqualTo(DeltaBasis.STEP);
        }
        Path unknown = ArrowTestFiles.withMetadata(valid, dir.resolve("unknown.arrow"), m -> {
            m.put(RlcasinoArrowFile.BASIS, "origin");
            return m;
        }, allocator);
        assertThatThrownBy(() -> readAll(unknown)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("unknown.arrow: metadata rlcasino.basis is invalid: unknown delta basis 'origin'");
    }

    @Test
    void missingOrBrokenMetadataIsNamed() throws IOException {
        Path noFormat = ArrowTestFiles.withMetadata(valid, dir.resolve("plain.arrow"), m -> Map.of(), allocator);
        assertThatThrownBy(() -> readAll(noFormat)).isInstanceOf(ArrowFormatException.class)
                .hasMessageStartingWith("plain.arrow is an Arrow file without rlcasino.format schema metadata, so it was not written by RL Casino")
                .hasMessageEndingWith("expected rlcasino.deltas (weight deltas): produce it with casino deltas");
        Path noTensors = ArrowTestFiles.withMetadata(valid, dir.resolve("t.arrow"), m -> {
            m.remove(RlcasinoArrowFile.TENSORS);
            return m;
        }, allocator);
        assertThatThrownBy(() -> readAll(noTensors)).isInstanceOf(ArrowFormatException.class)
                .hasMessageStartingWith("t.arrow is a rlcasino.deltas file without rlcasino.tensors schema metadata");
        Path badTensors = ArrowTestFiles.withMetadata(valid, dir.resolve("b.arrow"), m -> {
            m.put(RlcasinoArrowFile.TENSORS, "[{\"name\": \"a\", \"shape\": [2, -1], \"dtype\": \"F32\"}]");
            return m;
        }, allocator);
        assertThatThrownBy(() -> readAll(badTensors)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("b.arrow: metadata rlcasino.tensors is invalid: tensor a: dimensions must be >= 0, got shape [2, -1]");
        Path unknownFormat = ArrowTestFiles.withMetadata(valid, dir.resolve("u.arrow"), m -> {
            m.put(RlcasinoArrowFile.FORMAT, "rlcasino.optimizer_state");
            return m;
        }, allocator);
        assertThatThrownBy(() -> readAll(unknownFormat)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("u.arrow is a rlcasino.optimizer_state file, which this version of RL Casino does not know");
        Path noSteps = dir.resolve("s.arrow");
        ArrowTestFiles.rewrite(valid, noSteps, m -> m, f -> Map.of(), b -> { }, allocator);
        assertThatThrownBy(() -> readAll(noSteps)).isInstanceOf(ArrowFormatException.class)
                .hasMessageStartingWith("s.arrow is a rlcasino.deltas file without rlcasino.steps footer metadata");
    }

    @Test
    void truncatedFilesAreRecognised() throws IOException {
        long size = Files.size(valid);
        for (long cut : new long[] {1, 6, 100, size / 2, size - 8}) {
            Path file = ArrowTestFiles.truncated(valid, dir.resolve("cut" + cut + ".arrow"), cut);
            assertThatThrownBy(() -> readAll(file)).as("cut %d bytes", cut).isInstanceOf(ArrowFormatException.class)
                    .hasMessageStartingWith("cut" + cut + ".arrow is truncated: it starts like an Arrow IPC file but does not end with the Arrow file footer")
                    .hasMessageEndingWith("produce it again with casino deltas");
        }
    }

    @Test
    void aDamagedFooterIsReported() throws IOException {
        long size = Files.size(valid);
        Path file = ArrowTestFiles.overwritten(valid, dir.resolve("footer.arrow"), size - 10, new byte[] {(byte) 0x7f, 0x7f, 0x7f, 0x7f});
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(ArrowFormatException.class)
                .hasMessageStartingWith("footer.arrow is a damaged Arrow file: its footer, schema or dictionaries cannot be read");
    }

    @Test
    void otherFilesAreNotArrowFiles() throws IOException {
        Path text = dir.resolve("notes.arrow");
        Files.writeString(text, "step,tensor,delta\n1,a,0.5\n");
        assertThatThrownBy(() -> readAll(text)).isInstanceOf(ArrowFormatException.class)
                .hasMessage("notes.arrow is not an Arrow IPC file: it starts with bytes 73 74 65 70 2c 74 65 6e instead of \"ARROW1\"; "
                        + "give a file produced by casino deltas");
        Path empty = Files.createFile(dir.resolve("empty.arrow"));
        assertThatThrownBy(() -> readAll(empty)).isInstanceOf(ArrowFormatException.class)
                .hasMessage("empty.arrow is empty, not an Arrow IPC file; produce it again with casino deltas");
        Path tiny = Files.write(dir.resolve("tiny.arrow"), "ARR".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> readAll(tiny)).isInstanceOf(ArrowFormatException.class).hasMessageStartingWith("tiny.arrow is not an Arrow IPC file");
        Path stream = dir.resolve("stream.arrow");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(new org.apache.arrow.vector.types.pojo.Schema(
                List.of(ArrowColumns.scalar("x", ArrowColumns.INT32, false))), allocator);
             var out = Files.newOutputStream(stream);
             ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            writer.start();
            writer.end();
        }
        assertThatThrownBy(() -> readAll(stream)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("stream.arrow is not an Arrow IPC file (it looks like an Arrow IPC stream");
        assertThatThrownBy(() -> readAll(dir.resolve("missing.arrow"))).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void rowsThatBreakTheRulesAreReportedWithTheirPosition() throws IOException {
        Path descending = dir.resolve("descending.arrow");
        ArrowTestFiles.rewrite(valid, descending, m -> m, f -> f, root -> {
            IntVector step = (IntVector) root.getVector("step");
            for (int r = 0; r < root.getRowCount(); r++) {
                if (step.get(r) == 2) {
                    step.set(r, 0);
                }
            }
        }, allocator);
        assertThatThrownBy(() -> readAll(descending)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("descending.arrow: record batch ")
                .hasMessageContaining("step 0 comes after step 1: steps must be strictly ascending; the file is damaged or was not written by RL Casino");

        Path beyond = dir.resolve("beyond.arrow");
        ArrowTestFiles.rewrite(valid, beyond, m -> {
            m.put(RlcasinoArrowFile.TENSORS, TensorTable.of(TensorInfo.f32("h.0.attn.weight", 30, 16),
                    new TensorInfo("h.0.attn.bias", new long[] {17}, "BF16"), TensorInfo.f32("empty", 0, 4),
                    TensorInfo.f32("h.1.mlp.weight", 10, 100)).toJson());
            return m;
        }, f -> f, b -> { }, allocator);
        assertThatThrownBy(() -> readAll(beyond)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("chunk of tensor h.0.attn.weight in step 1 at offset 448 with 62 values runs past the tensor's 480 elements");

        Path gap = dir.resolve("gap.arrow");
        ArrowTestFiles.rewrite(valid, gap, m -> m, f -> f, root -> {
            BigIntVector offset = (BigIntVector) root.getVector("offset");
            if (root.getRowCount() > 1) {
                offset.set(1, offset.get(1) + 64);
            }
        }, allocator);
        assertThatThrownBy(() -> readAll(gap)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("record batch 0 row 1: chunk of tensor h.0.attn.weight in step 1 starts at offset 128, expected 64");

        Path withNull = dir.resolve("null.arrow");
        ArrowTestFiles.rewrite(valid, withNull, m -> m, f -> f, root -> {
            Float4Vector values = (Float4Vector) ((ListVector) root.getVector("values")).getDataVector();
            values.setNull(3);
        }, allocator);
        assertThatThrownBy(() -> readAll(withNull)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("column values (list elements) of record batch 0 holds 1 nulls");

        Path fewerSteps = dir.resolve("steps.arrow");
        ArrowTestFiles.rewrite(valid, fewerSteps, m -> m, f -> {
            f.put(RlcasinoArrowFile.STEPS, "[{\"step\": 1, \"source\": null, \"zeroed\": 0}]");
            return f;
        }, b -> { }, allocator);
        assertThatThrownBy(() -> readAll(fewerSteps)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("the rows hold step 2, which the footer's rlcasino.steps does not list at position 1");
    }

    @Test
    void aValidFileRewrittenByAnotherArrowWriterStillReads() throws IOException {
        Path copy = dir.resolve("copy.arrow");
        ArrowTestFiles.rewrite(valid, copy, m -> m, f -> f, b -> { }, allocator);
        readAll(copy);
        assertThat(RlcasinoArrowFile.formatOf(copy)).isEqualTo(RlcasinoFormat.DELTAS);
    }
}
