package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaStreamOptions;
import org.rlcasino.io.arrow.DeltaStreamWriter;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.MaskBlocks;
import org.rlcasino.io.arrow.MaskFileInfo;
import org.rlcasino.io.arrow.MaskFileWriter;
import org.rlcasino.io.arrow.MetricColumn;
import org.rlcasino.io.arrow.MetricTableWriter;
import org.rlcasino.io.arrow.ScoreFileInfo;
import org.rlcasino.io.arrow.ScoreFileWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class InspectCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tiny rows and batches, so that every tensor spans several rows and record batches. */
    private static final Batching SMALL = new Batching(4, 16);

    @TempDir
    Path dir;
    private BufferAllocator allocator;

    @BeforeEach
    void openAllocator() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void closeAllocator() {
        allocator.close(); // fails the test if a writer leaked memory
    }

    private static JsonNode json(Object... args) throws IOException {
        Object[] withJson = Arrays.copyOf(args, args.length + 1);
        withJson[args.length] = "--json";
        CliRun r = CliRun.run(withJson);
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("format").asText()).isEqualTo("rlcasino.inspect");
        return doc;
    }

    /** The statistics the command should print, computed here the plain way. */
    private record Expected(double min, double max, double mean, double absMean, double zeroFraction, long nonFinite) {
        static Expected of(float[]... parts) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            double abs = 0;
            long n = 0;
            long finite = 0;
            long zeros = 0;
            for (float[] part : parts) {
                for (float v : part) {
                    n++;
                    if (Float.isFinite(v)) {
                        finite++;
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                        sum += v;
                        abs += Math.abs(v);
                        zeros += v == 0 ? 1 : 0;
                    }
                }
            }
            return new Expected(min, max, sum / finite, abs / finite, (double) zeros / n, n - finite);
        }

        void check(JsonNode row) {
            assertThat(row.get("min").asDouble()).isCloseTo(min, within(1e-12));
            assertThat(row.get("max").asDouble()).isCloseTo(max, within(1e-12));
            assertThat(row.get("mean").asDouble()).isCloseTo(mean, within(1e-9 * Math.max(1, Math.abs(mean))));
            assertThat(row.get("absMean").asDouble()).isCloseTo(absMean, within(1e-9 * Math.max(1, absMean)));
            assertThat(row.get("zeroFraction").asDouble()).isCloseTo(zeroFraction, within(1e-15));
            assertThat(row.get("nonFinite").asLong()).isEqualTo(nonFinite);
        }
    }

    private static JsonNode tensor(JsonNode file, String name) {
        for (JsonNode t : file.get("tensors")) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tensor " + name + " in " + file);
    }

    private static String line(String text, String start) {
        return text.lines().filter(l -> l.stripLeading().startsWith(start + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + start + "' in\n" + text));
    }

    private static final float[] W = {1.5f, -2f, 0f, Float.NaN, 0f, Float.POSITIVE_INFINITY};
    private static final float[] B = {0.5f, -0.25f, 0f, 1f};

    private Path writeModel() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.builder().metadata("format", "pt").metadata("step", "100")
                .add("w", Dtype.F32, new long[] {2, 3}, W)
                .add("b", Dtype.BF16, new long[] {2, 2}, B)
                .build().write(file);
        return file;
    }

    @Test
    void helpListsInspect() {
        CliRun r = CliRun.run("--help");
        assertThat(r.out()).contains("inspect");
        r = CliRun.run("inspect", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--json", "--no-stats", "--chunk", "--rows", "--verbose");
    }

    @Test
    void safetensorsTextShowsTensorsMetadataAndStatistics() throws IOException {
        Path file = writeModel();
        CliRun r = CliRun.run("inspect", file);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith(file + ": safetensors\n")
                .containsPattern("tensor count +2\n").containsPattern("elements +10\n").containsPattern("bytes +32\n")
                .containsPattern("metadata\n\\s+format\\s+pt\n\\s+step\\s+100\n");
        assertThat(line(r.out(), "name")).matches("\\s+name\\s+dtype\\s+shape\\s+elements\\s+bytes\\s+min\\s+max\\s+mean\\s+abs mean"
                + "\\s+zero frac\\s+non-finite");
        // finite values 1.5, -2, 0, 0: mean -0.125, mean |x| 0.875; zeros 2 of 6; NaN and +Inf
        assertThat(line(r.out(), "w")).matches("\\s+w\\s+F32\\s+\\[2, 3\\]\\s+6\\s+24\\s+-2\\s+1\\.5\\s+-0\\.125\\s+0\\.875\\s+0\\.333333\\s+2");
        assertThat(line(r.out(), "b")).matches("\\s+b\\s+BF16\\s+\\[2, 2\\]\\s+4\\s+8\\s+-0\\.25\\s+1\\s+0\\.3125\\s+0\\.4375\\s+0\\.25\\s+0");
    }

    @Test
    void safetensorsJsonHasTheNumbers() throws IOException {
        Path file = writeModel();
        JsonNode f = json("inspect", file).get("files").get(0);
        assertThat(f.get("file").asText()).isEqualTo(file.toString());
        assertThat(f.get("format").asText()).isEqualTo("safetensors");
        assertThat(f.get("metadata").get("step").asText()).isEqualTo("100");
        assertThat(f.get("bytes").asLong()).isEqualTo(32);
        JsonNode w = tensor(f, "w");
        assertThat(w.get("dtype").asText()).isEqualTo("F32");
        assertThat(w.get("shape").toString()).isEqualTo("[2,3]");
        assertThat(w.get("elements").asLong()).isEqualTo(6);
        Expected.of(W).check(w);
        Expected.of(B).check(tensor(f, "b"));

        // recognised by its first bytes whatever its name
        Path renamed = Files.copy(file, dir.resolve("weights.bin"));
        JsonNode g = json("inspect", renamed).get("files").get(0);
        assertThat(g.get("format").asText()).isEqualTo("safetensors");
        Expected.of(W).check(tensor(g, "w"));
    }

    @Test
    void statisticsDoNotDependOnTheChunkSize() throws IOException {
        Random random = new Random(7);
        float[] big = new float[1000];
        for (int i = 0; i < big.length; i++) {
            big[i] = i % 10 == 0 ? 0f : (float) random.nextGaussian();
        }
        big[333] = Float.NEGATIVE_INFINITY;
        long[] ints = new long[20];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = (1L << 40) + i; // beyond float precision: must be read as longs
        }
        Path file = dir.resolve("big.safetensors");
        SafetensorsWriter.builder()
                .add("big", Dtype.F32, new long[] {10, 100}, big)
                .add("ints", Dtype.I64, new long[] {20}, ints)
                .build().write(file);
        JsonNode chunked = json("inspect", file, "--chunk", 7).get("files").get(0);
        JsonNode whole = json("inspect", file).get("files").get(0);
        Expected.of(big).check(tensor(chunked, "big"));
        Expected.of(big).check(tensor(whole, "big"));
        assertThat(tensor(chunked, "big").get("nonFinite").asLong()).isEqualTo(1);
        assertThat(tensor(chunked, "ints").get("min").asDouble()).isEqualTo((double) (1L << 40));
        assertThat(tensor(chunked, "ints").get("max").asDouble()).isEqualTo((double) ((1L << 40) + 19));
        assertThat(tensor(chunked, "ints").get("mean").asDouble()).isEqualTo((1L << 40) + 9.5);
    }

    @Test
    void integerAndDoubleTensorsAreSummarisedExactly() throws IOException {
        Path file = dir.resolve("ints.safetensors");
        SafetensorsWriter.builder().add("flags", new long[] {4}, new boolean[] {true, false, false, true})
                .add("ids", Dtype.I32, new long[] {3}, new int[] {16_777_217, -5, 0}).build().write(file);
        JsonNode f = json("inspect", file).get("files").get(0);
        assertThat(tensor(f, "flags").get("mean").asDouble()).isEqualTo(0.5);
        assertThat(tensor(f, "ids").get("max").asDouble()).isEqualTo(16_777_217.0);
        assertThat(tensor(f, "ids").get("zeroFraction").asDouble()).isCloseTo(1 / 3.0, within(1e-15));

        // SafetensorsWriter writes F64 from floats; write 0.1 (not a float) by hand
        byte[] header = "{\"x\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}}".getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer bytes = ByteBuffer.allocate(8 + padded + 24).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) {
            bytes.put((byte) ' ');
        }
        bytes.putDouble(0.1).putDouble(-0.3).putDouble(0.0);
        Path f64 = Files.write(dir.resolve("f64.safetensors"), bytes.array());
        JsonNode x = tensor(json("inspect", f64).get("files").get(0), "x");
        assertThat(x.get("max").asDouble()).isEqualTo(0.1);
        assertThat(x.get("min").asDouble()).isEqualTo(-0.3);
    }

    @Test
    void shardedCheckpointByDirectoryAndByIndex() throws IOException {
        Path ckpt = Files.createDirectory(dir.resolve("ckpt"));
        SafetensorsWriter.builder().add("a", Dtype.F32, new long[] {3}, new float[] {1, 2, 3})
                .build().write(ckpt.resolve("model-00001-of-00002.safetensors"));
        SafetensorsWriter.builder().add("c", Dtype.F32, new long[] {2}, new float[] {0, -4})
                .build().write(ckpt.resolve("model-00002-of-00002.safetensors"));
        CliRun r = CliRun.run("inspect", ckpt, "--no-stats");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(line(r.out(), "a")).contains("model-00001-of-00002.safetensors");
        assertThat(line(r.out(), "c")).contains("model-00002-of-00002.safetensors");
        assertThat(r.out()).doesNotContain("abs mean");

        Path index = ckpt.resolve("model.safetensors.index.json");
        Files.writeString(index, """
                {"metadata": {"total_size": 20}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                 "c": "model-00002-of-00002.safetensors"}}""");
        JsonNode f = json("inspect", index).get("files").get(0);
        assertThat(f.get("files")).hasSize(2);
        assertThat(f.get("tensorCount").asInt()).isEqualTo(2);
        Expected.of(new float[] {0, -4}).check(tensor(f, "c"));
        assertThat(tensor(f, "c").get("file").asText()).isEqualTo("model-00002-of-00002.safetensors");
    }

    @Test
    void deltasHaveStatisticsPerTensorOverAllStepsAndPerStep() throws IOException {
        TensorTable tensors = TensorTable.of(TensorInfo.f32("h.0.weight", 2, 3), new TensorInfo("h.0.bias", new long[] {5}, "BF16"));
        float[][][] deltas = {
                {{0.5f, -0.05f, 0f, 1f, -2f, 0.25f}, {0.01f, 0f, 3f, -1f, 0.5f}},
                {{-0.5f, 0.2f, 0.3f, 0f, 0f, 0f}, {1f, 2f, -0.02f, 4f, 0f}}};
        Path file = dir.resolve("deltas.arrow");
        try (DeltaStreamWriter writer = DeltaStreamWriter.create(file, tensors, Map.of("run", "demo"),
                new DeltaStreamOptions(0.1, SMALL, org.rlcasino.io.arrow.DeltaBasis.STEP), allocator)) {
            for (int s = 0; s < 2; s++) {
                writer.beginStep(10 * (s + 1), "ckpt/step-" + 10 * (s + 1));
                writer.writeChunk(10 * (s + 1), "h.0.weight", 0, deltas[s][0], 0, 6);
                writer.writeChunk(10 * (s + 1), "h.0.bias", 0, deltas[s][1], 0, 5);
            }
            writer.finish();
        }
        // the tolerance 0.1 writes -0.05, 0.01 and -0.02 as 0
        float[][][] stored = new float[2][2][];
        int[] zeroed = new int[2];
        for (int s = 0; s < 2; s++) {
            for (int t = 0; t < 2; t++) {
                stored[s][t] = deltas[s][t].clone();
                for (int i = 0; i < stored[s][t].length; i++) {
                    if (stored[s][t][i] != 0 && Math.abs(stored[s][t][i]) < 0.1f) {
                        stored[s][t][i] = 0;
                        zeroed[s]++;
                    }
                }
            }
        }
        JsonNode f = json("inspect", file).get("files").get(0);
        assertThat(f.get("format").asText()).isEqualTo("rlcasino.deltas");
        assertThat(f.get("version").asInt()).isEqualTo(1);
        assertThat(f.get("provenance").get("run").asText()).isEqualTo("demo");
        assertThat(f.get("tolerance").asDouble()).isEqualTo(0.1);
        assertThat(f.get("stepCount").asInt()).isEqualTo(2);
        assertThat(f.get("zeroed").asLong()).isEqualTo(3);
        assertThat(f.get("values").asLong()).isEqualTo(22);
        Expected.of(stored[0][0], stored[1][0]).check(tensor(f, "h.0.weight"));
        Expected.of(stored[0][1], stored[1][1]).check(tensor(f, "h.0.bias"));
        assertThat(tensor(f, "h.0.bias").get("dtype").asText()).isEqualTo("BF16");
        assertThat(tensor(f, "h.0.bias").get("bytes").asLong()).isEqualTo(2 * 5 * 4);
        JsonNode steps = f.get("steps");
        assertThat(steps).hasSize(2);
        for (int s = 0; s < 2; s++) {
            assertThat(steps.get(s).get("step").asInt()).isEqualTo(10 * (s + 1));
            assertThat(steps.get(s).get("source").asText()).isEqualTo("ckpt/step-" + 10 * (s + 1));
            assertThat(steps.get(s).get("zeroed").asLong()).isEqualTo(zeroed[s]);
            Expected.of(stored[s][0], stored[s][1]).check(steps.get(s));
        }

        CliRun r = CliRun.run("inspect", file);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(file + ": rlcasino.deltas\n").contains("contents", "weight deltas", "tolerance", "0.1");
        assertThat(line(r.out(), "20")).matches("\\s+20\\s+ckpt/step-20\\s+1\\s+.*");
        assertThat(r.err()).doesNotContain("SLF4J");
    }

    @Test
    void scoresHaveStatisticsPerTensorAndTheMethod() throws IOException {
        TensorTable tensors = TensorTable.of(TensorInfo.f32("a", 10), TensorInfo.f32("b", 37));
        Random random = new Random(3);
        float[] a = new float[10];
        float[] b = new float[37];
        for (int i = 0; i < b.length; i++) {
            b[i] = i % 5 == 0 ? 0 : random.nextFloat();
            if (i < a.length) {
                a[i] = random.nextFloat() * 100;
            }
        }
        Path file = dir.resolve("scores.arrow");
        try (ScoreFileWriter writer = ScoreFileWriter.create(file, tensors, new ScoreFileInfo("magnitude", Map.of("window", "2"),
                List.of(1, 2)), Map.of(), SMALL, allocator)) {
            writer.writeChunk("a", 0, a, 0, a.length);
            writer.writeChunk("b", 0, b, 0, 20);
            writer.writeChunk("b", 20, b, 20, 17);
            writer.finish();
        }
        JsonNode f = json("inspect", file).get("files").get(0);
        assertThat(f.get("method").asText()).isEqualTo("magnitude");
        assertThat(f.get("parameters").get("window").asText()).isEqualTo("2");
        assertThat(f.get("sourceSteps").toString()).isEqualTo("[1,2]");
        assertThat(f.get("chunkElements").asInt()).isEqualTo(4);
        Expected.of(a).check(tensor(f, "a"));
        Expected.of(b).check(tensor(f, "b"));

        CliRun r = CliRun.run("inspect", file);
        assertThat(r.out()).containsPattern("method +magnitude\n").containsPattern("source steps +1, 2\n");
    }

    private Path writeMask() throws IOException {
        TensorTable tensors = TensorTable.of(TensorInfo.f32("a", 4, 4), TensorInfo.f32("empty", 10), TensorInfo.f32("c", 4, 4));
        BlockShape shape = new BlockShape(2, 2);
        MaskFileInfo info = MaskFileInfo.of("global-topk", 0.75, OptionalDouble.of(0.5), Map.of("seed", "7"))
                .withBlockShapes(Map.of("c", shape));
        Path file = dir.resolve("mask.arrow");
        try (MaskFileWriter writer = MaskFileWriter.create(file, tensors, info, Map.of("scores", "scores.arrow"), SMALL, allocator)) {
            writer.writeIndices("a", new int[] {0, 3, 5, 15}, 0, 4);
            // blocks (0,0) and (1,1) of c's 2x2 blocks: entries 0, 5 and 15
            writer.writeBlocks("c", MaskBlocks.of(shape, new int[] {0, 1, 2}, new int[] {0, 1}, new int[] {0, 2, 3}));
            writer.writeIndices("c", new int[] {0, 5, 15}, 0, 3);
            writer.finish();
        }
        return file;
    }

    @Test
    void masksShowKeptDensityAndBlocks() throws IOException {
        Path file = writeMask();
        JsonNode f = json("inspect", file).get("files").get(0);
        assertThat(f.get("method").asText()).isEqualTo("global-topk");
        assertThat(f.get("targetSparsity").asDouble()).isEqualTo(0.75);
        assertThat(f.get("threshold").asDouble()).isEqualTo(0.5);
        assertThat(f.get("kept").asLong()).isEqualTo(7);
        assertThat(f.get("achievedSparsity").asDouble()).isCloseTo(1 - 7.0 / 42, within(1e-12));
        JsonNode a = tensor(f, "a");
        assertThat(a.get("kept").asLong()).isEqualTo(4);
        assertThat(a.get("density").asDouble()).isEqualTo(0.25);
        assertThat(a.get("blockShape").isNull()).isTrue();
        assertThat(tensor(f, "empty").get("kept").asLong()).isZero();
        JsonNode c = tensor(f, "c");
        assertThat(c.get("blockShape").asText()).isEqualTo("2x2");
        assertThat(c.get("activeBlocks").asLong()).isEqualTo(2);
        assertThat(c.get("totalBlocks").asLong()).isEqualTo(4);
        assertThat(c.get("bytes").asLong()).isEqualTo(12);
        assertThat(c.has("min")).isFalse();

        CliRun r = CliRun.run("inspect", file);
        assertThat(line(r.out(), "c")).matches("\\s+c\\s+F32\\s+\\[4, 4\\]\\s+16\\s+3\\s+0\\.1875\\s+12\\s+2x2\\s+2\\s+4");
        assertThat(line(r.out(), "a")).matches("\\s+a\\s+F32\\s+\\[4, 4\\]\\s+16\\s+4\\s+0\\.25\\s+16\\s+-\\s+-\\s+-");

        // without the pass, counts come from the footer and active blocks are unknown
        JsonNode quick = json("inspect", file, "--no-stats").get("files").get(0);
        assertThat(tensor(quick, "c").get("kept").asLong()).isEqualTo(3);
        assertThat(tensor(quick, "c").get("activeBlocks").isNull()).isTrue();
    }

    @Test
    void metricTablesShowColumnsAndTheFirstRows() throws IOException {
        Path file = dir.resolve("jaccard.arrow");
        try (MetricTableWriter writer = MetricTableWriter.create(file, List.of(MetricColumn.utf8("method"),
                MetricColumn.int64("step"), MetricColumn.float64("jaccard")), Map.of("title", "Jaccard"), Map.of(), allocator)) {
            for (int i = 0; i < 25; i++) {
                writer.writeRow("method-" + i, (long) i, i == 1 ? null : i / 100.0);
            }
            writer.finish();
        }
        CliRun r = CliRun.run("inspect", file);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("row count +25\n").containsPattern("rows shown +20\n").contains("title  Jaccard")
                .containsPattern("columns\n\\s+method\\s+utf8\n\\s+step\\s+int64\n\\s+jaccard\\s+float64\n");
        assertThat(r.out()).containsPattern("\n {4}method +step +jaccard\n");
        assertThat(line(r.out(), "method-1")).matches("\\s+method-1\\s+1\\s+-");
        assertThat(line(r.out(), "method-19")).matches("\\s+method-19\\s+19\\s+0\\.19");
        assertThat(r.out()).doesNotContain("method-20");

        JsonNode f = json("inspect", file, "--rows", 3).get("files").get(0);
        assertThat(f.get("columns").get("jaccard").asText()).isEqualTo("float64");
        assertThat(f.get("rowCount").asLong()).isEqualTo(25);
        assertThat(f.get("rows")).hasSize(3);
        assertThat(f.get("rows").get(1).get("jaccard").isNull()).isTrue();
        assertThat(f.get("rows").get(2).get("jaccard").asDouble()).isEqualTo(0.02);
    }

    @Test
    void severalFilesMakeOneJsonDocument() throws IOException {
        JsonNode doc = json("inspect", writeModel(), writeMask());
        assertThat(doc.get("files")).hasSize(2);
        assertThat(doc.get("files").get(1).get("format").asText()).isEqualTo("rlcasino.mask");
    }

    @Test
    void badInputExitsWithTwoAndOneLineNamingTheFile() throws IOException {
        Path missing = dir.resolve("nowhere.safetensors");
        CliRun r = CliRun.run("inspect", missing);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: " + missing + ": no such file or directory\n");
        assertThat(r.out()).isEmpty();

        Path text = Files.writeString(dir.resolve("notes.txt"), "not a tensor file\n");
        r = CliRun.run("inspect", text);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: " + text + " is neither a safetensors checkpoint")
                .contains("rlcasino.deltas, rlcasino.scores, rlcasino.mask, rlcasino.metrics").hasLineCount(1);

        Path model = writeModel();
        byte[] bytes = Files.readAllBytes(model);
        Path truncated = Files.write(dir.resolve("truncated.safetensors"), Arrays.copyOf(bytes, bytes.length - 5));
        r = CliRun.run("inspect", truncated);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: " + truncated + ": ").hasLineCount(1);

        Path mask = writeMask();
        byte[] arrow = Files.readAllBytes(mask);
        Path cut = Files.write(dir.resolve("cut.arrow"), Arrays.copyOf(arrow, arrow.length / 2));
        r = CliRun.run("inspect", cut);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: cut.arrow is truncated").hasLineCount(1);

        r = CliRun.run("inspect", truncated, "--verbose");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("SafetensorsFormatException", "\tat org.rlcasino.io.safetensors");

        // the good file before the bad one is shown; nothing after it
        r = CliRun.run("inspect", model, missing, mask);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).contains(model + ": safetensors").doesNotContain("rlcasino.mask");

        r = CliRun.run("inspect", model, "--chunk", 0);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--chunk must be in [1, 268435456], got 0");
    }
}
