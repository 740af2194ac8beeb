package org.rlcasino.scoring;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.ScoreFileReader;
import org.rlcasino.io.deltas.TensorSelection;
import org.rlcasino.kernels.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Magnitude scores against Σ|δ| computed in double. Tolerance: float32 accumulation of T
 * positive terms errs by at most T·2^-24 relative, so 1e-5 relative for T ≤ 20.
 */
class MagnitudeScorerTest {
    @TempDir
    Path dir;

    static float[] oracle(DeltaStreams d, int tensor, List<Integer> steps) {
        float[] expected = new float[d.deltas()[0][tensor].length];
        for (int i = 0; i < expected.length; i++) {
            double s = 0;
            for (int step : steps) {
                s += Math.abs((double) d.deltas()[d.indexOf(step)][tensor][i]);
            }
            expected[i] = (float) s;
        }
        return expected;
    }

    @ParameterizedTest
    @CsvSource({"1, 100000", "2, 5", "2, 64"})
    void scoresEveryEntryAsTheSumOfAbsoluteDeltas(int threads, int chunk) throws Exception {
        DeltaStreams d = DeltaStreams.random(dir.resolve("deltas.arrow"), new int[] {1, 2, 3, 5, 8, 13}, 1, 1e-3, 5e-4,
                DeltaStreams.SMALL);
        Path out = dir.resolve("scores.arrow");
        ScoringResult result;
        try (JvmBackend backend = new JvmBackend(threads, chunk)) {
            result = new MagnitudeScorer(backend).score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP), null);
        }
        Map<String, float[]> scores = DeltaStreams.readScores(out);
        assertThat(scores.keySet()).containsExactlyElementsOf(d.tensors().names());
        List<Integer> all = List.of(1, 2, 3, 5, 8, 13);
        for (int t = 0; t < d.tensors().size(); t++) {
            assertClose(d.tensors().get(t).name(), scores.get(d.tensors().get(t).name()), oracle(d, t, all), 1e-12, 1e-5);
        }
        assertThat(result.entries()).isEqualTo(d.tensors().totalElements());
        assertThat(result.sourceSteps()).isEqualTo(all);
        assertThat(result.bytesRead()).isEqualTo(6 * d.tensors().totalElements() * 4);
        try (RootAllocator allocator = new RootAllocator(); ScoreFileReader reader = ScoreFileReader.open(out, allocator)) {
            assertThat(reader.info().method()).isEqualTo("magnitude");
            assertThat(reader.info().sourceSteps()).isEqualTo(all);
            assertThat(reader.provenance()).containsEntry("deltas", d.file().toString()).containsEntry("steps", ":");
            assertThat(reader.batching()).isEqualTo(DeltaStreams.SMALL);
        }
    }

    @Test
    void resultsAreBitIdenticalForAnyThreadCountAndBatchSize() throws Exception {
        int[] steps = {4, 5, 6, 7};
        DeltaStreams small = DeltaStreams.random(dir.resolve("a.arrow"), steps, 2, 1, 0.3, DeltaStreams.SMALL);
        DeltaStreams large = DeltaStreams.write(dir.resolve("b.arrow"), small.tensors(), steps, small.deltas(), Batching.DEFAULTS);
        try (JvmBackend one = new JvmBackend(1, 1 << 20); JvmBackend three = new JvmBackend(3, 3)) {
            new MagnitudeScorer(one).score(small.file(), dir.resolve("1.arrow"), ScoringOptions.ALL.withBasis(DeltaBasis.STEP), null);
            new MagnitudeScorer(three).score(large.file(), dir.resolve("3.arrow"), ScoringOptions.ALL.withBasis(DeltaBasis.STEP), null);
        }
        Map<String, float[]> a = DeltaStreams.readScores(dir.resolve("1.arrow"));
        Map<String, float[]> b = DeltaStreams.readScores(dir.resolve("3.arrow"));
        for (String name : a.keySet()) {
            assertBitIdentical(name, b.get(name), a.get(name));
        }
    }

    @Test
    void stepRangeFirstStepsAndSelection() throws Exception {
        DeltaStreams d = DeltaStreams.random(dir.resolve("deltas.arrow"), new int[] {10, 20, 30, 40, 50}, 3, 1e-2, 0,
                DeltaStreams.SMALL);
        Path out = dir.resolve("scores.arrow");
        ScoringOptions options = ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withSteps(StepRange.parse("20:40"))
                .withSelection(new TensorSelection(List.of("h.*"), List.of("*.ln_*")));
        try (JvmBackend backend = new JvmBackend(2, 16)) {
            ScoringResult r = new MagnitudeScorer(backend).score(d.file(), out, options, null);
            assertThat(r.stepsInRange()).containsExactly(20, 30, 40);
            assertThat(r.tensors()).isEqualTo(2);
        }
        Map<String, float[]> scores = DeltaStreams.readScores(out);
        assertThat(scores.keySet()).containsExactly("h.0.attn.weight", "h.1.attn.weight");
        assertClose("h.0", scores.get("h.0.attn.weight"), oracle(d, 0, List.of(20, 30, 40)), 1e-12, 1e-5);
        assertClose("h.1", scores.get("h.1.attn.weight"), oracle(d, 2, List.of(20, 30, 40)), 1e-12, 1e-5);

        // the first two steps: ':' with firstSteps, and the same as ':20' inclusive
        try (JvmBackend backend = new JvmBackend(2, 16)) {
            new MagnitudeScorer(backend).score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withFirstSteps(2), null);
            assertClose("first 2", DeltaStreams.readScores(out).get("lm_head.bias"), oracle(d, 3, List.of(10, 20)), 1e-12, 1e-5);
            new MagnitudeScorer(backend).score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withSteps(StepRange.parse(":20")), null);
            assertClose(":20", DeltaStreams.readScores(out).get("lm_head.bias"), oracle(d, 3, List.of(10, 20)), 1e-12, 1e-5);
            new MagnitudeScorer(backend).score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withSteps(StepRange.parse("50")), null);
            assertClose("50", DeltaStreams.readScores(out).get("lm_head.bias"), oracle(d, 3, List.of(50)), 1e-12, 1e-5);
        }
    }

    @Test
    void badSelectionsAndRangesFailWithoutWritingAFile() throws Exception {
        DeltaStreams d = DeltaStreams.random(dir.resolve("deltas.arrow"), new int[] {1, 2, 3}, 4, 1, 0, DeltaStreams.SMALL);
        Path out = dir.resolve("never.arrow");
        try (JvmBackend backend = new JvmBackend(1, 16)) {
            MagnitudeScorer scorer = new MagnitudeScorer(backend);
            assertThatThrownBy(() -> scorer.score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withSteps(StepRange.parse("2:9")), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step 9 is not in the file")
                    .hasMessageContaining("steps 1..3");
            assertThatThrownBy(() -> scorer.score(d.file(), out,
                    ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withSelection(new TensorSelection(List.of(), List.of("*"))), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no tensor left");
            assertThatThrownBy(() -> scorer.score(d.file(), out,
                    ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withSelection(new TensorSelection(List.of("wte.*"), List.of())), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("matches no tensor");
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void theStartBasisOfAStepFileSumsFromTheFilesFirstStepEvenOutsideTheRange() throws Exception {
        int[] steps = {1, 2, 3, 4, 5};
        DeltaStreams d = DeltaStreams.random(dir.resolve("step.arrow"), steps, 9, 1e-2, 1e-2, DeltaStreams.SMALL);
        DeltaStreams startFile = d.onStartBasis(dir.resolve("start.arrow"));
        ScoringOptions range = ScoringOptions.ALL.withSteps(StepRange.parse("3:5"));
        try (JvmBackend backend = new JvmBackend(2, 5)) {
            for (DeltaBasis basis : DeltaBasis.values()) {
                Path fromStep = dir.resolve("from-step-" + basis + ".arrow");
                Path fromStart = dir.resolve("from-start-" + basis + ".arrow");
                ScoringResult a = new MagnitudeScorer(backend).score(d.file(), fromStep, range.withBasis(basis), null);
                ScoringResult b = new MagnitudeScorer(backend).score(startFile.file(), fromStart, range.withBasis(basis), null);
                assertThat(a.fileBasis()).isEqualTo(DeltaBasis.STEP);
                assertThat(b.fileBasis()).isEqualTo(DeltaBasis.START);
                assertThat(a.basis()).isEqualTo(basis);
                DeltaStreams expected = basis == DeltaBasis.STEP ? d : startFile;
                for (int t = 0; t < d.tensors().size(); t++) {
                    String name = d.tensors().get(t).name();
                    float[] oracle = new float[expected.deltas()[0][t].length];
                    for (int s = 2; s < 5; s++) {
                        for (int i = 0; i < oracle.length; i++) {
                            oracle[i] += Math.abs(expected.deltas()[s][t][i]);
                        }
                    }
                    // converted values differ from the written ones by at most one float32 rounding
                    assertClose(basis + " from step file " + name, DeltaStreams.readScores(fromStep).get(name), oracle, 1e-9, 1e-6);
                    assertClose(basis + " from start file " + name, DeltaStreams.readScores(fromStart).get(name), oracle, 1e-9, 1e-6);
                }
            }
        }
    }
}
