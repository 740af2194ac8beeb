package org.rlcasino.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.MaskTensor;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.deltas.CheckpointSeries;
import org.rlcasino.io.deltas.DeltaExtractor;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;
import org.rlcasino.io.safetensors.SafetensorsWriter;
import org.rlcasino.scoring.MaskBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code casino mask --truth}: exact top-k of |θ_final − θ_start|. */
class MaskTruthTest {
    private static final String[] NAMES = {"layer.weight", "layer.bias"};
    private static final long[][] SHAPES = {{12, 10}, {30}};

    @TempDir
    Path dir;

    /** A checkpoint of two tensors with values on a 1/64 grid in [-4, 4) (exact in F32 and BF16, and in their sums). */
    private Path checkpoint(String name, Dtype dtype, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        SafetensorsWriter.Builder b = SafetensorsWriter.builder();
        for (int t = 0; t < NAMES.length; t++) {
            long n = 1;
            for (long d : SHAPES[t]) {
                n *= d;
            }
            float[] v = new float[(int) n];
            for (int i = 0; i < v.length; i++) {
                v[i] = (r.nextInt(512) - 256) / 64f;
            }
            b.add(NAMES[t], dtype, SHAPES[t], v);
        }
        Path p = dir.resolve(name);
        b.build().write(p);
        return p;
    }

    /** The exact top-k of |θ_final − θ_start| with the builder's tie order (score desc, tensor asc, index asc). */
    private static List<Set<Integer>> expected(Path start, Path end, double sparsity) throws IOException {
        record Entry(float score, int tensor, int index) {}
        List<Entry> all = new ArrayList<>();
        try (SafetensorsCheckpoint s = SafetensorsCheckpoint.open(start); SafetensorsCheckpoint e = SafetensorsCheckpoint.open(end)) {
            for (int t = 0; t < NAMES.length; t++) {
                float[] a = s.readFloats(NAMES[t]);
                float[] b = e.readFloats(NAMES[t]);
                for (int i = 0; i < a.length; i++) {
                    all.add(new Entry(Math.abs(b[i] - a[i]), t, i));
                }
            }
        }
        all.sort((x, y) -> x.score() != y.score() ? Float.compare(y.score(), x.score())
                : x.tensor() != y.tensor() ? Integer.compare(x.tensor(), y.tensor()) : Integer.compare(x.index(), y.index()));
        long k = MaskBuilder.keepCount(sparsity, all.size());
        List<Set<Integer>> sets = new ArrayList<>();
        for (int t = 0; t < NAMES.length; t++) {
            sets.add(new HashSet<>());
        }
        for (int i = 0; i < k; i++) {
            sets.get(all.get(i).tensor()).add(all.get(i).index());
        }
        return sets;
    }

    private List<Set<Integer>> read(Path mask, String... provenance) throws IOException {
        List<Set<Integer>> sets = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator(); MaskFileReader in = MaskFileReader.open(mask, allocator)) {
            assertThat(in.info().method()).isEqualTo("global-topk");
            assertThat(in.provenance()).containsEntry("mask", "truth");
            for (int i = 0; i < provenance.length; i += 2) {
                assertThat(in.provenance()).containsEntry(provenance[i], provenance[i + 1]);
            }
            MaskTensor t;
            while ((t = in.nextTensor()) != null) {
                Set<Integer> s = new HashSet<>();
                for (int i : t.indices()) {
                    s.add(i);
                }
                sets.add(s);
            }
        }
        return sets;
    }

    private void assertNoTemporaries() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("truth-scores"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dtype.class, names = {"F32", "BF16"})
    void truthFromTwoCheckpointsIsTheExactTopKOfTheDifference(Dtype dtype) throws IOException {
        Path start = checkpoint("start.safetensors", dtype, 1);
        Path end = checkpoint("final.safetensors", dtype, 2);
        Path m = dir.resolve("truth.arrow");
        Path st = dir.resolve("truth.safetensors");
        CliRun r = CliRun.run("mask", "--truth", "--from", start, "--to", end, "--sparsity", "90", "--out", m,
                "--safetensors", st, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("true mask", "global-topk", "kept 15 of 150");
        assertThat(read(m, "truth_source", "checkpoints", "from", start.toString(), "to", end.toString()))
                .isEqualTo(expected(start, end, 0.9));
        assertThat(st).exists();
        assertNoTemporaries();
    }

    @ParameterizedTest
    @ValueSource(strings = {"start", "step"})
    void truthFromADeltasFileOfEitherBasisEqualsTruthFromFirstAndLastCheckpoints(String basis) throws IOException {
        Path c0 = checkpoint("step_0.safetensors", Dtype.F32, 11);
        Path c1 = checkpoint("step_1.safetensors", Dtype.F32, 12);
        Path c2 = checkpoint("step_2.safetensors", Dtype.F32, 13);
        Path deltas = dir.resolve("deltas.arrow");
        DeltaExtractor.extract(CheckpointSeries.of(List.of(c0, c1, c2)), deltas,
                DeltaExtractor.Options.defaults().withBasis(DeltaBasis.of(basis)), Progress.NONE);
        for (String sparsity : List.of("0", "50", "97.5")) {
            Path fromDeltas = dir.resolve("d" + sparsity + ".arrow");
            CliRun rd = CliRun.run("mask", "--truth", "--deltas", deltas, "--sparsity", sparsity, "--out", fromDeltas, "--quiet");
            assertThat(rd.code()).as(rd.err()).isZero();
            Path fromCheckpoints = dir.resolve("c" + sparsity + ".arrow");
            CliRun rc = CliRun.run("mask", "--truth", "--from", c0, "--to", c2, "--sparsity", sparsity, "--out", fromCheckpoints,
                    "--quiet");
            assertThat(rc.code()).as(rc.err()).isZero();
            List<Set<Integer>> expected = expected(c0, c2, Double.parseDouble(sparsity) / 100);
            assertThat(read(fromDeltas, "truth_source", "deltas", "deltas", deltas.toString())).isEqualTo(expected);
            assertThat(read(fromCheckpoints, "truth_source", "checkpoints")).isEqualTo(expected);
        }
        assertNoTemporaries();
    }

    @Test
    void badCombinationsExitWithTwo() throws IOException {
        Path start = checkpoint("start.safetensors", Dtype.F32, 1);
        Path end = checkpoint("final.safetensors", Dtype.F32, 2);
        Path m = dir.resolve("m.arrow");
        Path scores = dir.resolve("scores.arrow");
        Files.writeString(scores, "x");
        assertBad("takes no --scores", "mask", "--truth", "--scores", scores, "--from", start, "--to", end, "--sparsity", "50",
                "--out", m);
        assertBad("takes no --scores or --complement", "mask", "--truth", "--complement", scores, "--from", start, "--to", end,
                "--out", m);
        assertBad("not both", "mask", "--truth", "--deltas", scores, "--from", start, "--to", end, "--sparsity", "50", "--out", m);
        assertBad("needs both --from CKPT and --to CKPT", "mask", "--truth", "--from", start, "--sparsity", "50", "--out", m);
        assertBad("--truth needs --deltas FILE or --from CKPT --to CKPT", "mask", "--truth", "--sparsity", "50", "--out", m);
        assertBad("--truth needs --sparsity", "mask", "--truth", "--from", start, "--to", end, "--out", m);
        assertBad("exact builder only", "mask", "--truth", "--from", start, "--to", end, "--sparsity", "50", "--builder",
                "sampled", "--out", m);
        assertBad("go with --truth", "mask", "--from", start, "--to", end, "--sparsity", "50", "--out", m);
        assertBad("go with --truth", "mask", "--scores", scores, "--deltas", scores, "--sparsity", "50", "--out", m);
        assertBad("--sparsity must be", "mask", "--truth", "--from", start, "--to", end, "--sparsity", "100", "--out", m);
        assertBad("no such checkpoint", "mask", "--truth", "--from", dir.resolve("none.safetensors"), "--to", end,
                "--sparsity", "50", "--out", m);
        assertBad("no such file", "mask", "--truth", "--deltas", dir.resolve("none.arrow"), "--sparsity", "50", "--out", m);
        // not a delta stream: the temporary scores never appear and nothing is written
        CliRun notDeltas = CliRun.run("mask", "--truth", "--deltas", scores, "--sparsity", "50", "--out", m);
        assertThat(notDeltas.code()).as(notDeltas.err()).isEqualTo(2);
        assertThat(m).doesNotExist();
        assertNoTemporaries();
    }

    @Test
    void checkpointsWithDifferentTensorsAreListedAndExitWithTwo() throws IOException {
        Path start = checkpoint("start.safetensors", Dtype.F32, 1);
        Path other = dir.resolve("other.safetensors");
        SafetensorsWriter.builder().add(NAMES[0], Dtype.F32, new long[] {10, 12}, new float[120])
                .add("extra", Dtype.F32, new long[] {2}, new float[2]).build().write(other);
        Path m = dir.resolve("m.arrow");
        CliRun r = CliRun.run("mask", "--truth", "--from", start, "--to", other, "--sparsity", "50", "--out", m);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("do not hold the same tensors", "'layer.weight' has shape", "no tensor 'layer.bias'",
                "extra tensor 'extra'");
        assertThat(m).doesNotExist();
        assertNoTemporaries();
    }

    private static void assertBad(String message, Object... args) {
        CliRun r = CliRun.run(args);
        assertThat(r.code()).as(String.join(" ", java.util.Arrays.stream(args).map(String::valueOf).toList()) + ": " + r.err())
                .isEqualTo(2);
        assertThat(r.err()).contains(message);
    }

    @Test
    void identicalCheckpointsAreRefusedOrWarnedAbout() throws IOException {
        Path start = checkpoint("start.safetensors", Dtype.F32, 1);
        Path m = dir.resolve("m.arrow");
        assertBad("are the same checkpoint", "mask", "--truth", "--from", start, "--to", start, "--sparsity", "50", "--out", m);
        Path copy = Files.copy(start, dir.resolve("copy.safetensors"));
        CliRun r = CliRun.run("mask", "--truth", "--from", start, "--to", copy, "--sparsity", "50", "--out", m, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("warning: the true mask's cut is at |θ_final − θ_start| = 0",
                "are --from and --to copies of one checkpoint?");
        assertNoTemporaries();
    }

    @Test
    void differentTensorsDoNotSuggestOptionsMaskLacks() throws IOException {
        Path start = checkpoint("start.safetensors", Dtype.F32, 1);
        Path other = dir.resolve("other.safetensors");
        SafetensorsWriter.builder().add("extra", Dtype.F32, new long[] {2}, new float[2]).build().write(other);
        CliRun r = CliRun.run("mask", "--truth", "--from", start, "--to", other, "--sparsity", "50", "--out", dir.resolve("m.arrow"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).doesNotContain("--include").contains("give --from and --to of the same run");
    }
}
