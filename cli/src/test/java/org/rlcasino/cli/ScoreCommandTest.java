package org.rlcasino.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaStreamOptions;
import org.rlcasino.io.arrow.DeltaStreamWriter;
import org.rlcasino.io.arrow.ScoreFileReader;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;

import static org.assertj.core.api.Assertions.assertThat;

class ScoreCommandTest {
    @TempDir
    Path dir;

    private Path deltas;

    /** Steps 1..4 of two tensors; δ of element i at step t is (i+1)·t·10^-3, negated for odd i. */
    @BeforeEach
    void writeDeltas() throws Exception {
        deltas = dir.resolve("deltas.arrow");
        TensorTable table = TensorTable.of(TensorInfo.f32("h.0.w", 4, 5), TensorInfo.f32("h.0.ln_1.weight", 5));
        try (BufferAllocator allocator = new RootAllocator();
             DeltaStreamWriter writer = DeltaStreamWriter.create(deltas, table, Map.of(),
                     DeltaStreamOptions.DEFAULTS.withBatching(new Batching(8, 16)), allocator)) {
            for (int t = 1; t <= 4; t++) {
                for (TensorInfo info : table.tensors()) {
                    float[] d = new float[(int) info.size()];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = (i % 2 == 0 ? 1 : -1) * (i + 1) * t * 1e-3f;
                    }
                    writer.writeChunk(t, info.name(), 0, d, 0, d.length);
                }
            }
            writer.finish();
        }
    }

    private static float[] scores(Path file, String tensor) throws Exception {
        try (BufferAllocator allocator = new RootAllocator(); ScoreFileReader reader = ScoreFileReader.open(file, allocator)) {
            float[] s = new float[(int) reader.tensors().get(reader.tensors().require(tensor)).size()];
            while (reader.next()) {
                if (reader.tensor().name().equals(tensor)) {
                    reader.readValues(s, (int) reader.offset());
                }
            }
            return s;
        }
    }

    @Test
    void magnitudeOverARangeAndASelection() throws Exception {
        Path out = dir.resolve("scores.arrow");
        CliRun r = CliRun.run("score", "--quiet", "--deltas", deltas, "--method", "magnitude", "--steps", "2:3",
                "--exclude", "*.ln_*", "--threads", "2", "--basis", "step", "--out", out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("magnitude scores").contains("1 tensors × 20 entries")
                .contains("steps: 2 in range (2..3), 2 used (2,3)").contains("GB/s");
        float[] s = scores(out, "h.0.w");
        for (int i = 0; i < s.length; i++) {
            assertThat(s[i]).isCloseTo((i + 1) * 5e-3f, org.assertj.core.data.Offset.offset(1e-7f));
        }
    }

    @Test
    void theDefaultStartBasisConvertsAStepFileAndSaysSo() throws Exception {
        Path out = dir.resolve("start.arrow");
        CliRun r = CliRun.run("score", "--quiet", "--deltas", deltas, "--method", "magnitude", "--steps", "1:2", "--out", out);
        assertThat(r.code()).as(r.err()).isZero();
        // 4 bytes of score + 8 bytes of float64 running sum per entry
        assertThat(r.out()).contains("basis: start (converted from the file's step deltas)").contains("12 bytes per entry");
        // start deltas D_1 = a, D_2 = 3a (a = (i+1)·1e-3): Σ|D_t| = 4a
        float[] s = scores(out, "h.0.w");
        for (int i = 0; i < s.length; i++) {
            assertThat((double) s[i]).isCloseTo(4 * (i + 1) * 1e-3, org.assertj.core.data.Offset.offset(1e-8));
        }
        try (BufferAllocator allocator = new RootAllocator(); ScoreFileReader reader = ScoreFileReader.open(out, allocator)) {
            assertThat(reader.info().parameters()).containsEntry("basis", "start");
            assertThat(reader.provenance()).containsEntry("file_basis", "step").containsEntry("basis", "start");
        }
        CliRun bad = CliRun.run("score", "--quiet", "--deltas", deltas, "--method", "magnitude", "--basis", "origin", "--out",
                dir.resolve("never.arrow"));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown delta basis 'origin': use step");
        assertThat(dir.resolve("never.arrow")).doesNotExist();
    }

    @Test
    void momentumAndFisherHappyPaths() throws Exception {
        Path out = dir.resolve("m.arrow");
        CliRun r = CliRun.run("score", "--quiet", "--deltas", deltas, "--method", "momentum", "--momentum-formula", "reference",
                "--window", "2", "--eps", "1e-3", "--basis", "step", "--out", out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("steps: 4 in range (1..4), 3 used (2,3,4)").contains("12 bytes per entry")
                .contains("basis: step (as the file)");
        // velocities are constant ((i+1)·1e-3, sign alternating): std 0, score |v|·(1 + |v|/eps)
        float[] s = scores(out, "h.0.ln_1.weight");
        for (int i = 0; i < s.length; i++) {
            double v = (i + 1) * 1e-3;
            assertThat((double) s[i]).isCloseTo(v * (1 + v / 1e-3), org.assertj.core.data.Offset.offset(1e-5));
        }
        r = CliRun.run("score", "--quiet", "--deltas", deltas, "--method", "fisher", "--first-steps", "2", "--basis", "step",
                "--out", out);
        assertThat(r.code()).as(r.err()).isZero();
        // steps 1, 2: mean 1.5·a, population variance 0.25·a², a = (i+1)·1e-3
        float[] f = scores(out, "h.0.w");
        for (int i = 0; i < f.length; i++) {
            double a = (i + 1) * 1e-3;
            assertThat((double) f[i]).isCloseTo(0.25 * a * a + 1.5 * a, org.assertj.core.data.Offset.offset(1e-7));
        }
        try (BufferAllocator allocator = new RootAllocator(); ScoreFileReader reader = ScoreFileReader.open(out, allocator)) {
            assertThat(reader.info().method()).isEqualTo("fisher");
            assertThat(reader.info().sourceSteps()).isEqualTo(List.of(1, 2));
            assertThat(reader.provenance()).containsEntry("first_steps", "2");
        }
    }

    @Test
    void badInputExitsWithTwoAndOneLine() throws Exception {
        Path out = dir.resolve("never.arrow");
        Object[][] cases = {
                {"--method", "entropy"}, // unknown method
                {"--method", "momentum", "--window", "1"},
                {"--method", "momentum", "--momentum-formula", "fancy"},
                {"--method", "magnitude", "--steps", "3:2"}, // empty range
                {"--method", "magnitude", "--steps", "2:9"}, // not in the file
                {"--method", "momentum", "--steps", "4"}, // one delta: no velocity
                {"--method", "fisher", "--exclude", "*"}, // empty selection
                {"--method", "fisher", "--include", "wte.*"},
                {"--method", "fisher", "--steps", "x"},
        };
        String[] expected = {"--method: unknown scorer 'entropy'; use magnitude, momentum or fisher", "window must be >= 2", "unknown momentum formula 'fancy'",
                "is empty", "step 9 is not in the file", "at least 2 steps", "no tensor left", "matches no tensor", "A:B"};
        for (int c = 0; c < cases.length; c++) {
            Object[] args = new Object[cases[c].length + 6];
            args[0] = "score";
            args[1] = "--quiet";
            args[2] = "--deltas";
            args[3] = deltas;
            args[4] = "--out";
            args[5] = out;
            System.arraycopy(cases[c], 0, args, 6, cases[c].length);
            CliRun r = CliRun.run(args);
            assertThat(r.code()).as(String.join(" ", List.of(cases[c]).stream().map(String::valueOf).toList()) + ": " + r.err())
                    .isEqualTo(2);
            assertThat(r.err()).contains(expected[c]).startsWith("error: ");
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        }
        CliRun r = CliRun.run("score", "--quiet", "--deltas", dir.resolve("missing.arrow"), "--method", "magnitude", "--out", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing.arrow");
        assertThat(out).doesNotExist();
    }

    @Test
    void anOutputThatIsTheInputIsRefusedAndTheInputKept() throws Exception {
        byte[] before = java.nio.file.Files.readAllBytes(deltas);
        CliRun r = CliRun.run("score", "--quiet", "--deltas", deltas, "--method", "magnitude", "-o", deltas);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: -o " + deltas + " is the input --deltas " + deltas
                + ": writing it would destroy the input; write the output to another file\n");
        assertThat(java.nio.file.Files.readAllBytes(deltas)).isEqualTo(before);

        CliRun asDirectory = CliRun.run("score", "--quiet", "--deltas", dir, "--method", "magnitude", "-o", dir.resolve("s.arrow"));
        assertThat(asDirectory.code()).isEqualTo(2);
        assertThat(asDirectory.err()).contains(dir + " (--deltas): is a directory; give a file");
    }

    @Test
    void aStateThatCannotFitTheHeapIsRefusedWithTheEstimate() {
        long n = 25; // parameters in the file
        long max = Runtime.getRuntime().maxMemory();
        long window = max / (4 * n) + 1; // (window + 1) floats per parameter exceed the heap
        org.assertj.core.api.Assumptions.assumeThat(window * n).as("fits one Java array").isLessThan(Integer.MAX_VALUE - 8);
        CliRun r = CliRun.run("score", "--quiet", "--deltas", deltas, "--method", "momentum", "--window", window,
                "--basis", "step", "-o", dir.resolve("m.arrow"));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: momentum scoring of 25 parameters on the step basis (" + 4 * (window + 1)
                        + " bytes of state each) needs about ")
                .contains("of Java heap, more than this JVM's limit of", "raise it with CASINO_JAVA_OPTS=-Xmx");
        assertThat(r.err().strip().lines()).hasSize(1);
    }
}
