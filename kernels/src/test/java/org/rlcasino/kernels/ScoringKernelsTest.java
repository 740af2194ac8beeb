package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * The scoring kernels against scalar double oracles written here, launched through the JVM
 * backend over a buffer longer than the run (iterations past {@code length} must do nothing),
 * and bit-identical for any thread count and chunk size. Tolerance: one float32 rounding per
 * operation, so 1e-6 relative (1e-5 for the momentum score, a dozen operations).
 */
class ScoringKernelsTest {
    private static final int N = 3_001;
    private static final int CAPACITY = 1_000;

    private static float[] random(SplittableRandom r, int n, double scale, double shift) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (shift + r.nextGaussian() * scale);
        }
        return x;
    }

    private static int[] window(int base, int length, int slotOffset, int hasPrevious) {
        int[] w = new int[ScoringKernels.WINDOW_LENGTH];
        w[ScoringKernels.W_BASE] = base;
        w[ScoringKernels.W_LENGTH] = length;
        w[ScoringKernels.W_SLOT_OFFSET] = slotOffset;
        w[ScoringKernels.W_HAS_PREVIOUS] = hasPrevious;
        return w;
    }

    private static void launch(KernelCall call, int threads, int chunk) {
        try (JvmBackend backend = new JvmBackend(threads, chunk)) {
            backend.prepare(call).launch();
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 100000", "2, 7", "3, 333"})
    void magnitudeAccumulateAddsAbsoluteDeltasOfTheRunOnly(int threads, int chunk) {
        SplittableRandom r = new SplittableRandom(1);
        float[] score = random(r, N, 1, 2);
        float[] delta = random(r, CAPACITY, 1, 0);
        int base = 1_234;
        int length = 777;
        float[] expected = score.clone();
        for (int k = 0; k < length; k++) {
            expected[base + k] = (float) ((double) expected[base + k] + Math.abs((double) delta[k]));
        }
        launch(KernelCall.builder("test.magnitude", Kernel.MAGNITUDE_ACCUMULATE).state(score).input(delta)
                .input(window(base, length, 0, 0)).over(CAPACITY), threads, chunk);
        assertBitIdentical("magnitude", score, expected); // one rounding of an exact sum
    }

    @ParameterizedTest
    @CsvSource({"1, 100000", "2, 7", "3, 333"})
    void momentumUpdateWritesTheVelocityIntoItsSlotAndKeepsTheDelta(int threads, int chunk) {
        SplittableRandom r = new SplittableRandom(2);
        int slots = 3;
        float[] velocities = random(r, slots * N, 1, 0);
        float[] previous = random(r, N, 1, 0);
        float[] delta = random(r, CAPACITY, 1, 0);
        int base = 2_100;
        int length = 901;
        int slot = 2;
        float[] expectedV = velocities.clone();
        float[] expectedP = previous.clone();
        for (int k = 0; k < length; k++) {
            expectedV[slot * N + base + k] = (float) ((double) delta[k] - previous[base + k]);
            expectedP[base + k] = delta[k];
        }
        launch(KernelCall.builder("test.momentum", Kernel.MOMENTUM_UPDATE).state(velocities).state(previous)
                .input(delta).input(window(base, length, slot * N, 1)).over(CAPACITY), threads, chunk);
        assertBitIdentical("velocities", velocities, expectedV);
        assertBitIdentical("previous", previous, expectedP);

        // first step: no velocity, only the previous delta
        float[] untouched = velocities.clone();
        launch(KernelCall.builder("test.momentum", Kernel.MOMENTUM_UPDATE).state(velocities).state(previous)
                .input(delta).input(window(0, length, 0, 0)).over(CAPACITY), threads, chunk);
        assertBitIdentical("velocities without previous", velocities, untouched);
    }

    @ParameterizedTest
    @CsvSource({"1, 100000, 0, 4", "2, 7, 1, 4", "3, 333, 0, 5", "2, 64, 1, 2"})
    void momentumScoreMatchesTheFormulasWithTheUnbiasedStd(int threads, int chunk, int formula, int m) {
        SplittableRandom r = new SplittableRandom(3);
        int slots = 5;
        float[] velocities = random(r, slots * N, 1e-3, 2e-4);
        float eps = 1e-8f;
        float[] expected = new float[N];
        for (int i = 0; i < N; i++) {
            double sum = 0;
            for (int s = 0; s < m; s++) {
                sum += velocities[s * N + i];
            }
            double mean = sum / m;
            double sq = 0;
            for (int s = 0; s < m; s++) {
                sq += (velocities[s * N + i] - mean) * (velocities[s * N + i] - mean);
            }
            double std = Math.sqrt(sq / (m - 1));
            double a = Math.abs(mean);
            expected[i] = (float) (formula == ScoringKernels.FORMULA_PAPER ? a * a / (std + eps) : a * (1 + a / (std + eps)));
        }
        float[] score = new float[N];
        int[] settings = {m, formula};
        launch(KernelCall.builder("test.momentum_score", Kernel.MOMENTUM_SCORE).output(score).state(velocities)
                .constant(settings).constant(new float[] {eps}).size(N).over(N), threads, chunk);
        // m = 1 has no unbiased std: MomentumScorer scores it without this kernel
        assertClose("momentum score", score, expected, 1e-12, 1e-5);
    }

    @ParameterizedTest
    @CsvSource({"1, 100000", "2, 7", "3, 333"})
    void welfordUpdateAndFisherScoreMatchAScalarOracle(int threads, int chunk) {
        SplittableRandom r = new SplittableRandom(4);
        int steps = 6;
        float[] mean = new float[N];
        float[] m2 = new float[N];
        float[][] deltas = new float[steps][];
        for (int t = 0; t < steps; t++) {
            deltas[t] = random(r, N, 1e-3, 5e-4);
        }
        float[] buffer = new float[CAPACITY];
        int[] window = new int[ScoringKernels.WINDOW_LENGTH];
        float[] scalars = new float[ScoringKernels.SCALARS_LENGTH];
        try (JvmBackend backend = new JvmBackend(threads, chunk)) {
            KernelLaunch update = backend.prepare(KernelCall.builder("test.welford", Kernel.WELFORD_UPDATE)
                    .state(mean).state(m2).input(buffer).input(window).input(scalars).over(CAPACITY));
            for (int t = 0; t < steps; t++) {
                scalars[ScoringKernels.S_INV_COUNT] = (float) (1.0 / (t + 1));
                for (int base = 0; base < N; base += CAPACITY) {
                    int length = Math.min(CAPACITY, N - base);
                    System.arraycopy(deltas[t], base, buffer, 0, length);
                    window[ScoringKernels.W_BASE] = base;
                    window[ScoringKernels.W_LENGTH] = length;
                    update.launch();
                }
            }
            float[] expectedMean = new float[N];
            float[] expectedScore = new float[N];
            for (int i = 0; i < N; i++) {
                double s = 0;
                for (int t = 0; t < steps; t++) {
                    s += deltas[t][i];
                }
                double mu = s / steps;
                double sq = 0;
                for (int t = 0; t < steps; t++) {
                    sq += (deltas[t][i] - mu) * (deltas[t][i] - mu);
                }
                expectedMean[i] = (float) mu;
                expectedScore[i] = (float) (sq / steps + Math.abs(mu));
            }
            assertClose("welford mean", mean, expectedMean, 1e-10, 1e-5);
            scalars[ScoringKernels.S_INV_COUNT] = (float) (1.0 / steps);
            backend.prepare(KernelCall.builder("test.fisher", Kernel.FISHER_SCORE).state(m2).constant(mean)
                    .constant(scalars).over(N)).launch();
            assertClose("fisher score", m2, expectedScore, 1e-10, 1e-5);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        SplittableRandom r = new SplittableRandom(5);
        float[] velocities = random(r, 4 * N, 1, 0.1);
        float[] a = new float[N];
        float[] b = new float[N];
        launch(KernelCall.builder("test.momentum_score", Kernel.MOMENTUM_SCORE).output(a).state(velocities)
                .constant(new int[] {4, 0}).constant(new float[] {1e-8f}).size(N).over(N), 1, 100_000);
        launch(KernelCall.builder("test.momentum_score", Kernel.MOMENTUM_SCORE).output(b).state(velocities)
                .constant(new int[] {4, 0}).constant(new float[] {1e-8f}).size(N).over(N), 3, 17);
        assertBitIdentical("momentum score across thread counts", b, a);
    }
}
