package org.rlcasino.scoring;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.kernels.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Fisher-approximation scores {@code Var[δ] + |E[δ]|} (population variance) against a two-pass
 * computation in double. Tolerance: Welford in float32 errs by a few ulps of the mean per step,
 * so 1e-5 relative plus 1e-6 of the data's scale absolute.
 */
class FisherScorerTest {
    @TempDir
    Path dir;

    /** Two-pass mean and population variance in double: {var + |mean|, var, mean}. */
    static double[] twoPass(DeltaStreams d, int tensor, int i, List<Integer> steps) {
        double sum = 0;
        for (int step : steps) {
            sum += d.deltas()[d.indexOf(step)][tensor][i];
        }
        double mean = sum / steps.size();
        double sq = 0;
        for (int step : steps) {
            double x = d.deltas()[d.indexOf(step)][tensor][i] - mean;
            sq += x * x;
        }
        double var = sq / steps.size();
        return new double[] {var + Math.abs(mean), var, mean};
    }

    static float[] oracle(DeltaStreams d, int tensor, List<Integer> steps) {
        float[] expected = new float[d.deltas()[0][tensor].length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) twoPass(d, tensor, i, steps)[0];
        }
        return expected;
    }

    @Test
    void scoresAreVarianceplusAbsoluteMean() throws Exception {
        int[] steps = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        // unit scale so the variance term matters as much as the mean
        DeltaStreams d = DeltaStreams.random(dir.resolve("deltas.arrow"), steps, 7, 1.0, 0.7, DeltaStreams.SMALL);
        Path out = dir.resolve("scores.arrow");
        try (JvmBackend backend = new JvmBackend(2, 9)) {
            new FisherScorer(backend).score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withSteps(StepRange.parse("2:10")), null);
        }
        Map<String, float[]> scores = DeltaStreams.readScores(out);
        List<Integer> used = List.of(2, 3, 4, 5, 6, 7, 8, 9, 10);
        for (int t = 0; t < d.tensors().size(); t++) {
            String name = d.tensors().get(t).name();
            assertClose(name, scores.get(name), oracle(d, t, used), 1e-6, 1e-5);
        }
    }

    @Test
    void oneStepGivesTheAbsoluteDelta() throws Exception {
        DeltaStreams d = DeltaStreams.random(dir.resolve("deltas.arrow"), new int[] {3, 4}, 8, 1e-3, 0, DeltaStreams.SMALL);
        Path out = dir.resolve("scores.arrow");
        try (JvmBackend backend = new JvmBackend(1, 100)) {
            new FisherScorer(backend).score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP).withFirstSteps(1), null);
        }
        float[] expected = d.deltas()[0][1].clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Math.abs(expected[i]);
        }
        assertClose("one step", DeltaStreams.readScores(out).get("h.0.ln_1.weight"), expected, 0, 0);
    }

    /**
     * Deltas with a mean 1000 times their spread: E[x²] − E[x]² in float32 loses every digit of the
     * variance (x² ≈ 10^6, one ulp 0.06, summed over 200 steps), Welford keeps it to about 1e-4.
     */
    @Test
    void welfordStaysAccurateWhenTheMeanIsLargeAgainstTheSpread() throws Exception {
        int n = 1_000;
        int steps = 200;
        TensorTable table = TensorTable.of(TensorInfo.f32("w", n));
        SplittableRandom r = new SplittableRandom(9);
        float[][][] deltas = new float[steps][1][n];
        int[] numbers = new int[steps];
        for (int s = 0; s < steps; s++) {
            numbers[s] = s + 1;
            for (int i = 0; i < n; i++) {
                deltas[s][0][i] = (float) (-1000.0 + r.nextGaussian());
            }
        }
        DeltaStreams d = DeltaStreams.write(dir.resolve("large-mean.arrow"), table, numbers, deltas, DeltaStreams.SMALL);
        Path out = dir.resolve("scores.arrow");
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            new FisherScorer(backend).score(d.file(), out, ScoringOptions.ALL.withBasis(DeltaBasis.STEP), null);
        }
        float[] scores = DeltaStreams.readScores(out).get("w");
        List<Integer> all = java.util.stream.IntStream.rangeClosed(1, steps).boxed().toList();
        double worstWelford = 0;
        double worstNaive = 0;
        for (int i = 0; i < n; i++) {
            double[] exact = twoPass(d, 0, i, all);
            // the score's variance part, up to the rounding of a float near 1000 (3e-5)
            double welfordVar = scores[i] - Math.abs(exact[2]);
            worstWelford = Math.max(worstWelford, Math.abs(welfordVar - exact[1]) / exact[1]);
            float sum = 0;
            float sumSq = 0;
            for (int s = 0; s < steps; s++) {
                float x = deltas[s][0][i];
                sum += x;
                sumSq += x * x;
            }
            float mean = sum / steps;
            double naiveVar = sumSq / steps - mean * mean;
            worstNaive = Math.max(worstNaive, Math.abs(naiveVar - exact[1]) / exact[1]);
        }
        assertThat(worstWelford).as("Welford's relative error of the variance").isLessThan(1e-3);
        assertThat(worstNaive).as("the one-pass textbook formula, for contrast").isGreaterThan(1e-2);
    }
}
