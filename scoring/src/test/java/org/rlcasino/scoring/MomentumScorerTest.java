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
import org.rlcasino.io.arrow.ScoreFileReader;
import org.rlcasino.kernels.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Momentum scores against the formulas computed in double from the same float32 deltas: the
 * velocities of the last min(w + 1, T) deltas, their mean μ and unbiased (n−1) std σ; one velocity
 * falls back to the last delta's magnitude. Tolerance:
 * 1e-4 relative (σ of a few velocities in float32 loses a few ulps more when σ ≪ |μ|) plus
 * 1e-9 absolute (scores near 0 where μ ≈ 0).
 */
class MomentumScorerTest {
    @TempDir
    Path dir;

    static float[] oracle(DeltaStreams d, int tensor, List<Integer> steps, int window, double eps, MomentumFormula formula) {
        List<Integer> used = steps.subList(Math.max(0, steps.size() - (window + 1)), steps.size());
        int m = used.size() - 1;
        float[] expected = new float[d.deltas()[0][tensor].length];
        for (int i = 0; i < expected.length; i++) {
            if (m == 1) {
                expected[i] = Math.abs(d.deltas()[d.indexOf(used.getLast())][tensor][i]);
                continue;
            }
            double[] v = new double[m];
            for (int k = 0; k < m; k++) {
                v[k] = (double) d.deltas()[d.indexOf(used.get(k + 1))][tensor][i] - d.deltas()[d.indexOf(used.get(k))][tensor][i];
            }
            double mean = 0;
            for (double x : v) {
                mean += x;
            }
            mean /= m;
            double sq = 0;
            for (double x : v) {
                sq += (x - mean) * (x - mean);
            }
            double std = Math.sqrt(sq / (m - 1));
            double a = Math.abs(mean);
            expected[i] = (float) (formula == MomentumFormula.PAPER ? a * a / (std + eps) : a * (1 + a / (std + eps)));
        }
        return expected;
    }

    private void check(DeltaStreams d, Path out, List<Integer> steps, int window, double eps, MomentumFormula formula) throws Exception {
        Map<String, float[]> scores = DeltaStreams.readScores(out);
        for (int t = 0; t < d.tensors().size(); t++) {
            String name = d.tensors().get(t).name();
            assertClose(formula + " w=" + window + " " + name, scores.get(name), oracle(d, t, steps, window, eps, formula),
                    1e-9, 1e-4);
        }
    }

    @ParameterizedTest
    @CsvSource({"paper, 5, 1e-8", "reference, 5, 1e-8", "paper, 3, 1e-3", "reference, 2, 1e-6"})
    void scoresFollowTheNamedFormulaOverTheLastWindow(String formulaName, int window, double eps) throws Exception {
        int[] steps = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        DeltaStreams d = DeltaStreams.random(dir.resolve("deltas.arrow"), steps, 21, 1e-3, 1e-3, DeltaStreams.SMALL);
        Path out = dir.resolve("scores.arrow");
        MomentumFormula formula = MomentumFormula.of(formulaName);
        ScoringResult result;
        try (JvmBackend backend = new JvmBackend(2, 13)) {
            result = new MomentumScorer(backend, formula, window, eps).score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP), null);
        }
        check(d, out, List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), window, eps, formula);
        assertThat(result.stepsInRange()).hasSize(10);
        assertThat(result.sourceSteps()).hasSize(window + 1).endsWith(10);
        try (RootAllocator allocator = new RootAllocator(); ScoreFileReader reader = ScoreFileReader.open(out, allocator)) {
            assertThat(reader.info().method()).isEqualTo("momentum");
            assertThat(reader.info().parameters()).containsEntry("formula", formulaName)
                    .containsEntry("window", Integer.toString(window)).containsEntry("std", "unbiased (n-1)").containsEntry("basis", "step");
            assertThat(reader.info().sourceSteps()).isEqualTo(result.sourceSteps());
        }
    }

    @Test
    void fewerStepsThanTheWindowUseEveryVelocity() throws Exception {
        DeltaStreams d = DeltaStreams.random(dir.resolve("deltas.arrow"), new int[] {5, 6, 7, 8}, 22, 1e-3, 1e-3,
                DeltaStreams.SMALL);
        Path out = dir.resolve("scores.arrow");
        try (JvmBackend backend = new JvmBackend(2, 8)) {
            // 4 deltas, 3 velocities, window 5
            ScoringResult r = new MomentumScorer(backend, MomentumFormula.PAPER, 5, 1e-8).score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP), null);
            assertThat(r.sourceSteps()).containsExactly(5, 6, 7, 8);
            check(d, out, List.of(5, 6, 7, 8), 5, 1e-8, MomentumFormula.PAPER);
            // exactly w + 1 deltas, and a range inside the file
            new MomentumScorer(backend, MomentumFormula.REFERENCE, 2, 1e-8).score(d.file(), out,
                    ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withSteps(StepRange.parse("6:8")), null);
            check(d, out, List.of(6, 7, 8), 2, 1e-8, MomentumFormula.REFERENCE);
        }
    }

    @Test
    void twoStepsGiveOneVelocityAndFallBackToTheLastDeltasMagnitudeAsTheReferenceCode() throws Exception {
        DeltaStreams d = DeltaStreams.random(dir.resolve("deltas.arrow"), new int[] {1, 2, 3}, 23, 1e-2, 0, DeltaStreams.SMALL);
        Path out = dir.resolve("scores.arrow");
        for (MomentumFormula formula : MomentumFormula.values()) {
            try (JvmBackend backend = new JvmBackend(1, 100)) {
                new MomentumScorer(backend, formula, 5, 1e-2).score(d.file(), out,
                        ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withFirstSteps(2), null);
            }
            float[] s = DeltaStreams.readScores(out).get("lm_head.bias");
            for (int i = 0; i < s.length; i++) {
                assertThat(s[i]).as("%s [%d]", formula, i).isEqualTo(Math.abs(d.deltas()[1][3][i]));
            }
        }
    }

    @Test
    void aStartFileScoredOnTheStepBasisReadsOnlyTheStepBeforeTheWindowBesidesIt() throws Exception {
        int[] steps = {1, 2, 3, 4, 5, 6, 7, 8};
        DeltaStreams d = DeltaStreams.random(dir.resolve("step.arrow"), steps, 31, 1e-3, 1e-3, DeltaStreams.SMALL);
        DeltaStreams startFile = d.onStartBasis(dir.resolve("start.arrow"));
        Path fromStart = dir.resolve("from-start.arrow");
        try (JvmBackend backend = new JvmBackend(2, 5)) {
            // window 3: steps 5..8 are scored; step 4 is needed for δ_5 = D_5 − D_4, steps 1..3 are not
            ScoringResult r = new MomentumScorer(backend, MomentumFormula.REFERENCE, 3, 1e-8).score(startFile.file(), fromStart,
                    ScoringOptions.ALL.withBasis(DeltaBasis.STEP), null);
            assertThat(r.sourceSteps()).containsExactly(5, 6, 7, 8);
        }
        check(d, fromStart, List.of(1, 2, 3, 4, 5, 6, 7, 8), 3, 1e-8, MomentumFormula.REFERENCE);
    }

    @Test
    void oneStepIsAnErrorAndBadParametersAreRejected() throws Exception {
        DeltaStreams d = DeltaStreams.random(dir.resolve("deltas.arrow"), new int[] {1, 2, 3}, 24, 1, 0, DeltaStreams.SMALL);
        Path out = dir.resolve("never.arrow");
        try (JvmBackend backend = new JvmBackend(1, 100)) {
            MomentumScorer scorer = new MomentumScorer(backend, MomentumFormula.PAPER, 5, 1e-8);
            assertThatThrownBy(() -> scorer.score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withSteps(StepRange.parse("2")), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 steps");
            assertThatThrownBy(() -> new MomentumScorer(backend, MomentumFormula.PAPER, 1, 1e-8))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window must be >= 2");
            assertThatThrownBy(() -> new MomentumScorer(backend, MomentumFormula.PAPER, 5, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eps");
            assertThatThrownBy(() -> MomentumFormula.of("fancy"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("paper").hasMessageContaining("reference");
        }
        assertThat(out).doesNotExist();
    }
}
