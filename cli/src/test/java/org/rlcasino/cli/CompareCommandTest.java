package org.rlcasino.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.MaskFileInfo;
import org.rlcasino.io.arrow.MaskFileWriter;
import org.rlcasino.io.arrow.MetricColumn;
import org.rlcasino.io.arrow.MetricTableReader;
import org.rlcasino.io.arrow.MetricTableWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CompareCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Batching SMALL = new Batching(4, 16);
    private static final TensorTable TABLE = TensorTable.of(
            TensorInfo.f32("h.0.w", 4, 5),
            TensorInfo.f32("h.0.b", 5),
            TensorInfo.f32("h.1.w", 4, 5));

    @TempDir
    Path dir;
    private BufferAllocator allocator;

    @BeforeEach
    void openAllocator() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void closeAllocator() {
        allocator.close();
    }

    private Path mask(String name, TensorTable table, int[]... indices) throws IOException {
        Path file = dir.resolve(name);
        try (MaskFileWriter writer = MaskFileWriter.create(file, table, MaskFileInfo.of("global-topk", 0.5, OptionalDouble.empty(), Map.of()),
                Map.of(), SMALL, allocator)) {
            for (int t = 0; t < indices.length; t++) {
                writer.writeIndices(table.get(t).name(), indices[t], 0, indices[t].length);
            }
            writer.finish();
        }
        return file;
    }

    /**
     * A: h.0.w {0..9}, h.0.b {}, h.1.w {0, 5, 10}; B: h.0.w {5..14}, h.0.b {}, h.1.w {0, 5, 10};
     * C: h.0.w {}, h.0.b {1}, h.1.w {}.
     */
    private Path a() throws IOException {
        return mask("a.arrow", TABLE, range(0, 10), new int[0], new int[] {0, 5, 10});
    }

    private Path b() throws IOException {
        return mask("b.arrow", TABLE, range(5, 15), new int[0], new int[] {0, 5, 10});
    }

    private Path c() throws IOException {
        return mask("c.arrow", TABLE, new int[0], new int[] {1}, new int[0]);
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        Arrays.setAll(r, i -> from + i);
        return r;
    }

    /** CSV lines as cells, header first; an empty cell is "". */
    private static List<String[]> csv(String text) {
        List<String[]> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            rows.add(line.split(",", -1));
        }
        return rows;
    }

    private static void assertBadInput(CliRun r, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(Casino.EXIT_BAD_INPUT);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: ").contains(fragments);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void twoMasksPrintTheTensorTableAndTotals() throws IOException {
        Path a = a();
        Path b = b();
        CliRun r = CliRun.run("compare", a, b);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("A " + a + ": global-topk, 13 of 45 kept", "B " + b, "h.0.w", "h.0.b", "h.1.w", "total",
                "aggregate Jaccard 0.4444", "mean per-tensor Jaccard 0.6667 over 2 of 3 tensors");
        // h.0.w: |A∩B| = 5, |A∪B| = 15; random baseline for a = b = 0.5 is 0.5/1.5
        assertThat(r.out()).containsPattern("h\\.0\\.w\\s+20\\s+10\\s+10\\s+5\\s+15\\s+0\\.3333\\s+0\\.3333\\s+0\\.5000\\s+0\\.5000\\s+0\\.5000\\s+0\\.5000");
        assertThat(r.out()).containsPattern("h\\.0\\.b\\s+5\\s+0\\s+0\\s+0\\s+0\\s+1\\.0000\\s+1\\.0000\\s+-\\s+-");
    }

    @Test
    void csvHasOneRowPerTensorAndATotal() throws IOException {
        CliRun r = CliRun.run("compare", a(), b(), "--format", "csv");
        assertThat(r.code()).as(r.err()).isZero();
        List<String[]> rows = csv(r.out());
        assertThat(rows.get(0)).containsExactly("a", "b", "scope", "tensor", "size", "count_a", "count_b", "intersection", "union",
                "jaccard", "random_jaccard", "overlap_a", "overlap_b", "density_a", "density_b", "mean_tensor_jaccard");
        assertThat(rows).hasSize(5);
        String[] w = rows.get(1);
        assertThat(w[2]).isEqualTo("tensor");
        assertThat(w[3]).isEqualTo("h.0.w");
        assertThat(Arrays.copyOfRange(w, 4, 9)).containsExactly("20", "10", "10", "5", "15");
        assertThat(Double.parseDouble(w[9])).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(w[15]).isEmpty();
        String[] bias = rows.get(2);
        assertThat(bias[9]).isEqualTo("1.0");
        assertThat(bias[11]).isEmpty(); // |A∩B|/|A| with |A| = 0
        String[] total = rows.get(4);
        assertThat(total[2]).isEqualTo("total");
        assertThat(total[3]).isEmpty();
        assertThat(Arrays.copyOfRange(total, 4, 9)).containsExactly("45", "13", "13", "8", "18");
        assertThat(Double.parseDouble(total[9])).isCloseTo(8.0 / 18, within(1e-12));
        double d = 13.0 / 45;
        assertThat(Double.parseDouble(total[10])).isCloseTo(d / (2 - d), within(1e-12));
        assertThat(Double.parseDouble(total[15])).isCloseTo((1.0 / 3 + 1.0) / 2, within(1e-12));
    }

    @Test
    void jsonHoldsMasksPairsAndTensors() throws IOException {
        Path a = a();
        Path b = b();
        CliRun r = CliRun.run("compare", a, b, "--format", "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("format").asText()).isEqualTo("rlcasino.compare");
        assertThat(doc.get("masks")).hasSize(2);
        assertThat(doc.get("masks").get(0).get("path").asText()).isEqualTo(a.toString());
        assertThat(doc.get("masks").get(0).get("kept").asLong()).isEqualTo(13);
        JsonNode pair = doc.get("pairs").get(0);
        assertThat(pair.get("b").asText()).isEqualTo(b.toString());
        assertThat(pair.get("total").get("intersection").asLong()).isEqualTo(8);
        assertThat(pair.get("total").get("union").asLong()).isEqualTo(18);
        assertThat(pair.get("total").get("jaccard").asDouble()).isCloseTo(8.0 / 18, within(1e-12));
        assertThat(pair.get("mean_tensor_jaccard").asDouble()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(pair.get("non_empty_tensors").asInt()).isEqualTo(2);
        JsonNode tensors = pair.get("tensors");
        assertThat(tensors).hasSize(3);
        assertThat(tensors.get(1).get("tensor").asText()).isEqualTo("h.0.b");
        assertThat(tensors.get(1).get("overlap_a").isNull()).isTrue();
        assertThat(tensors.get(2).get("jaccard").asDouble()).isEqualTo(1.0);
    }

    @Test
    void threeMasksCompareEveryPair() throws IOException {
        Path a = a();
        Path b = b();
        Path c = c();
        CliRun r = CliRun.run("compare", a, b, c, "--format", "csv");
        assertThat(r.code()).as(r.err()).isZero();
        List<String[]> rows = csv(r.out());
        assertThat(rows).hasSize(4);
        assertThat(rows.subList(1, 4)).allSatisfy(row -> assertThat(row[2]).isEqualTo("total"));
        assertThat(rows.subList(1, 4).stream().map(row -> row[0] + " " + row[1]).toList())
                .containsExactly(a + " " + b, a + " " + c, b + " " + c);
        assertThat(rows.get(2)[9]).isEqualTo("0.0");

        CliRun perTensor = CliRun.run("compare", a, b, c, "--format", "csv", "--per-tensor");
        assertThat(csv(perTensor.out())).hasSize(1 + 3 * 4);

        CliRun table = CliRun.run("compare", a, b, c);
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).contains("mask " + c + ": global-topk, 1 of 45 kept", "mean tensor J").doesNotContain("h.0.w");
        CliRun tablePerTensor = CliRun.run("compare", a, b, c, "--per-tensor");
        assertThat(tablePerTensor.out()).contains("A = " + a + ", B = " + c, "h.0.w");

        JsonNode doc = JSON.readTree(CliRun.run("compare", a, b, c, "--format", "json").out());
        assertThat(doc.get("pairs")).hasSize(3);
        assertThat(doc.get("pairs").get(0).has("tensors")).isFalse();
    }

    @Test
    void outAndMetricsWriteFiles() throws IOException {
        Path a = a();
        Path b = b();
        Path text = dir.resolve("out/compare.csv");
        Path metrics = dir.resolve("compare.arrow");
        CliRun r = CliRun.run("compare", a, b, "--format", "csv", "--out", text, "--metrics", metrics);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("wrote " + text, "wrote " + metrics + " (4 rows)");
        assertThat(Files.readString(text)).isEqualTo(CliRun.run("compare", a, b, "--format", "csv").out());
        try (MetricTableReader reader = MetricTableReader.open(metrics, allocator)) {
            assertThat(reader.columns().stream().map(MetricColumn::name).toList()).startsWith("a", "b", "scope", "tensor", "size");
            assertThat(reader.properties()).containsEntry("title", "mask comparison");
            assertThat(reader.provenance()).containsEntry("mask.0", a.toString());
            List<List<Object>> rows = new ArrayList<>();
            while (reader.next()) {
                rows.add(reader.row());
            }
            assertThat(rows).hasSize(4);
            List<Object> total = rows.get(3);
            assertThat(total.subList(2, 9)).containsExactly("total", null, 45L, 13L, 13L, 8L, 18L);
            assertThat((Double) total.get(9)).isCloseTo(8.0 / 18, within(1e-12));
            assertThat(rows.get(1).get(11)).isNull();
        }
    }

    @Test
    void badInputExitsTwoWithOneLine() throws IOException {
        Path a = a();
        assertBadInput(CliRun.run("compare", a), "at least two mask files, got 1");
        assertBadInput(CliRun.run("compare", a, dir.resolve("missing.arrow")), "missing.arrow: no such file");

        Path text = dir.resolve("notes.arrow");
        Files.writeString(text, "not arrow at all\n");
        CliRun notArrow = CliRun.run("compare", a, text);
        assertBadInput(notArrow, "notes.arrow");

        Path metrics = dir.resolve("metrics.arrow");
        try (MetricTableWriter writer = MetricTableWriter.create(metrics, List.of(MetricColumn.int64("x")), Map.of(), Map.of(), allocator)) {
            writer.writeRow(1L);
            writer.finish();
        }
        assertBadInput(CliRun.run("compare", a, metrics), "metrics.arrow", "rlcasino.metrics");

        TensorTable other = TensorTable.of(TensorInfo.f32("h.0.w", 4, 5), TensorInfo.f32("h.0.b", 6), TensorInfo.f32("h.2.w", 4, 5));
        Path mismatched = mask("other.arrow", other, new int[0], new int[0], new int[0]);
        assertBadInput(CliRun.run("compare", a, b(), mismatched), "cover different tensors", "only in " + a + ": h.1.w",
                "only in " + mismatched + ": h.2.w", "h.0.b [5] vs [6]");
    }

    @Test
    void casinoHelpListsCompare() {
        assertThat(CliRun.run("--help").out()).contains("compare");
        CliRun r = CliRun.run("compare", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("ab/(a+b−ab)", "--per-tensor", "--metrics", "table, csv, json");
    }

    @Test
    void badFormatIsAUsageError() throws IOException {
        CliRun r = CliRun.run("compare", a(), b(), "--format", "xml");
        assertThat(r.code()).isEqualTo(Casino.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("xml");
    }

    @Test
    void outputsThatAreInputMasksAreRefusedAndDashIsStandardOutput() throws IOException {
        Path a = a();
        Path b = b();
        byte[] before = Files.readAllBytes(b);
        CliRun r = CliRun.run("compare", a, b, "-o", b);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("-o " + b + " is the input MASK " + b);
        CliRun metrics = CliRun.run("compare", a, b, "--metrics", a);
        assertThat(metrics.code()).isEqualTo(2);
        assertThat(metrics.err()).contains("--metrics " + a + " is the input MASK " + a);
        assertThat(Files.readAllBytes(b)).isEqualTo(before);
        CliRun dash = CliRun.run("compare", a, b, "-o", "-", "--format", "csv");
        assertThat(dash.code()).as(dash.err()).isZero();
        assertThat(dash.out()).contains("h.0.w");
        assertThat(Path.of("-")).doesNotExist();
    }
}
