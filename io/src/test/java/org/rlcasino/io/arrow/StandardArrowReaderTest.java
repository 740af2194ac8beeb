package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads every format with Arrow's own {@link ArrowFileReader} only (no project classes on the
 * read path): the proof that any standard Arrow reader sees the documented schema, metadata
 * keys and values.
 */
class StandardArrowReaderTest {
    @TempDir
    Path dir;
    BufferAllocator allocator;

    @BeforeEach
    void openAllocator() {
        allocator = new RootAllocator(64L << 20);
    }

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
        allocator.close();
    }

    /** What a generic reader sees: "name: type" per column (dictionaries decoded), metadata, footer, and the decoded rows. */
    record Seen(List<String> columns, Map<String, String> metadata, Map<String, String> footer, List<List<Object>> rows) {
    }

    private Seen read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            List<String> columns = new ArrayList<>();
            for (Field field : root.getSchema().getFields()) {
                String type;
                if (field.getDictionary() != null) {
                    ArrowType valueType = reader.getDictionaryVectors().isEmpty() ? ArrowType.Utf8.INSTANCE
                            : reader.lookup(field.getDictionary().getId()).getVectorType();
                    type = "dictionary<" + valueType + ", " + field.getDictionary().getIndexType() + ">";
                } else {
                    type = field.getType().toString();
                    if (!field.getChildren().isEmpty()) {
                        type += "<" + field.getChildren().getFirst().getType() + ">";
                    }
                }
                columns.add(field.getName() + ": " + type);
            }
            List<List<Object>> rows = new ArrayList<>();
            while (reader.loadNextBatch()) {
                List<FieldVector> decoded = new ArrayList<>();
                for (FieldVector vector : root.getFieldVectors()) {
                    decoded.add(vector.getField().getDictionary() == null ? null
                            : (FieldVector) DictionaryEncoder.decode(vector, reader.lookup(vector.getField().getDictionary().getId())));
                }
                try {
                    for (int r = 0; r < root.getRowCount(); r++) {
                        List<Object> row = new ArrayList<>();
                        for (int c = 0; c < decoded.size(); c++) {
                            FieldVector v = decoded.get(c) != null ? decoded.get(c) : root.getVector(c);
                            Object value = v.getObject(r);
                            row.add(value instanceof org.apache.arrow.vector.util.Text t ? t.toString() : value);
                        }
                        rows.add(row);
                    }
                } finally {
                    decoded.forEach(v -> {
                        if (v != null) {
                            v.close();
                        }
                    });
                }
            }
            return new Seen(columns, root.getSchema().getCustomMetadata(), reader.getMetaData(), rows);
        }
    }

    @Test
    void deltaStream() throws IOException {
        Path file = dir.resolve("deltas.arrow");
        float[][][] deltas = DeltaStreamWriterTest.randomDeltas(1, 2);
        DeltaStreamWriterTest.write(file, deltas, new int[] {3, 4}, DeltaStreamOptions.DEFAULTS.withBatching(new Batching(64, 256)), allocator, 1);
        Seen seen = read(file);
        assertThat(seen.columns()).containsExactly("step: Int(32, true)", "tensor: dictionary<Utf8, Int(32, true)>",
                "offset: Int(64, true)", "values: List<FloatingPoint(SINGLE)>");
        assertThat(seen.metadata()).containsOnlyKeys("rlcasino.format", "rlcasino.version", "rlcasino.tensors", "rlcasino.provenance",
                "rlcasino.chunk_elements", "rlcasino.batch_elements", "rlcasino.tolerance", "rlcasino.basis");
        assertThat(seen.metadata()).containsEntry("rlcasino.format", "rlcasino.deltas").containsEntry("rlcasino.version", "1")
                .containsEntry("rlcasino.chunk_elements", "64").containsEntry("rlcasino.batch_elements", "256")
                .containsEntry("rlcasino.tolerance", "0.0").containsEntry("rlcasino.basis", "step")
                .containsEntry("rlcasino.tensors", "[{\"name\":\"h.0.attn.weight\",\"shape\":[30,17],\"dtype\":\"F32\"},"
                        + "{\"name\":\"h.0.attn.bias\",\"shape\":[17],\"dtype\":\"BF16\"},{\"name\":\"empty\",\"shape\":[0,4],\"dtype\":\"F32\"},"
                        + "{\"name\":\"h.1.mlp.weight\",\"shape\":[10,100],\"dtype\":\"F32\"}]");
        assertThat(seen.footer()).containsOnlyKeys("rlcasino.steps", "rlcasino.zeroed", "rlcasino.checksum", "rlcasino.checksums");
        assertThat(seen.footer()).containsEntry("rlcasino.checksum", "crc32c-per-batch-v1");
        assertThat(seen.footer().get("rlcasino.checksums")).matches("\\[\"[0-9a-f]{8}\"(,\"[0-9a-f]{8}\")*]");
        assertThat(seen.footer().get("rlcasino.steps")).isEqualTo("[{\"step\":3,\"source\":\"ckpt/step-3/model.safetensors\",\"zeroed\":0},"
                + "{\"step\":4,\"source\":null,\"zeroed\":0}]");
        List<Object> row = seen.rows().get(8);   // rows 0-7: h.0.attn.weight of step 3; row 8: its bias
        assertThat(row.subList(0, 3)).containsExactly(3, "h.0.attn.bias", 0L);
        List<?> values = (List<?>) row.get(3);
        assertThat(values).hasSize(17);
        for (int i = 0; i < 17; i++) {
            assertThat(values.get(i)).isEqualTo(deltas[0][1][i]);
        }
        assertThat(seen.rows()).hasSize(2 * 25);
    }

    @Test
    void scoreFile() throws IOException {
        Path file = dir.resolve("scores.arrow");
        float[][] scores = ScoreFileWriterTest.randomScores(2);
        ScoreFileWriterTest.write(file, scores, allocator);
        Seen seen = read(file);
        assertThat(seen.columns()).containsExactly("tensor: dictionary<Utf8, Int(32, true)>", "offset: Int(64, true)",
                "values: List<FloatingPoint(SINGLE)>");
        assertThat(seen.metadata()).containsOnlyKeys("rlcasino.format", "rlcasino.version", "rlcasino.tensors", "rlcasino.provenance",
                "rlcasino.chunk_elements", "rlcasino.batch_elements", "rlcasino.method", "rlcasino.parameters", "rlcasino.source_steps");
        assertThat(seen.metadata()).containsEntry("rlcasino.format", "rlcasino.scores").containsEntry("rlcasino.method", "momentum")
                .containsEntry("rlcasino.source_steps", "[1,2,3,4]").containsEntry("rlcasino.provenance", "{\"deltas\":\"run/deltas.arrow\"}");
        assertThat(seen.footer()).containsOnlyKeys("rlcasino.checksum", "rlcasino.checksums");
        List<Object> last = seen.rows().getLast();
        assertThat(last.subList(0, 2)).containsExactly("h.1.mlp.weight", 950L);
        assertThat((List<?>) last.get(2)).hasSize(50).first().isEqualTo(scores[3][950]);
    }

    @Test
    void maskFile() throws IOException {
        Path file = dir.resolve("mask.arrow");
        int[][] mask = MaskFileWriterTest.randomMask(3, 0.1);
        MaskFileWriterTest.write(file, mask, allocator);
        Seen seen = read(file);
        assertThat(seen.columns()).containsExactly("tensor: dictionary<Utf8, Int(32, true)>", "array: dictionary<Utf8, Int(32, true)>",
                "offset: Int(64, true)", "values: List<Int(32, true)>");
        assertThat(seen.metadata()).containsOnlyKeys("rlcasino.format", "rlcasino.version", "rlcasino.tensors", "rlcasino.provenance",
                "rlcasino.chunk_elements", "rlcasino.batch_elements", "rlcasino.method", "rlcasino.parameters", "rlcasino.target_sparsity",
                "rlcasino.threshold", "rlcasino.blocks");
        assertThat(seen.metadata()).containsEntry("rlcasino.format", "rlcasino.mask").containsEntry("rlcasino.target_sparsity", "0.9")
                .containsEntry("rlcasino.threshold", "0.125").containsEntry("rlcasino.blocks", "{\"h.0.mlp.weight\":[8,16],\"h.1.attn.weight\":[1,64]}");
        assertThat(seen.footer()).containsOnlyKeys("rlcasino.kept", "rlcasino.achieved_sparsity", "rlcasino.checksum", "rlcasino.checksums");
        List<Object> indices = new ArrayList<>();
        List<Object> arrays = new ArrayList<>();
        for (List<Object> row : seen.rows()) {
            if (row.get(0).equals("wte") && row.get(1).equals("indices")) {
                indices.addAll((List<?>) row.get(3));
            }
            if (row.get(0).equals("h.0.mlp.weight")) {
                arrays.add(row.get(1));
            }
        }
        assertThat(indices).containsExactlyElementsOf(java.util.Arrays.stream(mask[0]).boxed().toList());
        assertThat(arrays).startsWith("block_row_pointers", "block_columns").contains("entry_pointers").endsWith("indices");
    }

    @Test
    void metricTable() throws IOException {
        Path file = dir.resolve("metrics.arrow");
        MetricTableWriterTest.write(file, 5, allocator);
        Seen seen = read(file);
        assertThat(seen.columns()).containsExactly("mask_a: Utf8", "mask_b: Utf8", "step: Int(64, true)", "jaccard: FloatingPoint(DOUBLE)");
        assertThat(seen.metadata()).containsOnlyKeys("rlcasino.format", "rlcasino.version", "rlcasino.provenance", "rlcasino.properties");
        assertThat(seen.footer()).containsOnlyKeys("rlcasino.rows", "rlcasino.checksum", "rlcasino.checksums")
                .containsEntry("rlcasino.rows", "5").containsEntry("rlcasino.checksum", "crc32c-per-batch-v1");
        assertThat(seen.footer().get("rlcasino.checksums")).matches("\\[\"[0-9a-f]{8}\"(,\"[0-9a-f]{8}\")*]");
        assertThat(seen.rows()).isEqualTo(MetricTableWriterTest.rows(5));
        assertThat(seen.rows().get(1).get(1)).isEqualTo("momentum ✓");
    }
}
