package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Log-softmax of the target at a temperature and its gradient against double oracles and central
 * finite differences; ignored targets give zeros; τ = 1 is the plain log-softmax bit for bit.
 */
class LogProbKernelsTest {
    private static final int N = 11;
    private static final int V = 37;

    private static Object[] forward(float[] logits, int[] targets, float[] inverseTemperature) {
        return KernelRuns.runEverywhere("log prob", new Object[] {new float[N], new float[N], logits, targets},
                a -> KernelCall.builder("test.log_prob", Kernel.LOG_PROB_FORWARD).output((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).input((int[]) a[3]).constant(inverseTemperature)
                        .constant(LogProbKernels.dims(N, V)).over(N));
    }

    private static float[] backward(float[] logits, float[] lse, int[] targets, float[] dlogp, float[] inverseTemperature) {
        return (float[]) KernelRuns.runEverywhere("log prob backward", new Object[] {new float[N * V], logits, lse, targets, dlogp},
                a -> KernelCall.builder("test.log_prob_backward", Kernel.LOG_PROB_BACKWARD).output((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((int[]) a[3]).input((float[]) a[4])
                        .constant(inverseTemperature).constant(LogProbKernels.dims(N, V)).over(N * V))[0];
    }

    /** log_softmax(l / τ)[target] in double. */
    private static double oracle(float[] logits, int i, int target, double tau) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < V; j++) {
            max = Math.max(max, logits[i * V + j] / tau);
        }
        double sum = 0;
        for (int j = 0; j < V; j++) {
            sum += Math.exp(logits[i * V + j] / tau - max);
        }
        return logits[i * V + target] / tau - (max + Math.log(sum));
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 0.7, 1.5})
    void forwardAndBackwardMatchTheSoftmaxAtATemperature(double tau) {
        SplittableRandom r = new SplittableRandom(1);
        float[] logits = KernelRuns.gaussian(r, N * V, 4);
        logits[5] = 60f; // large logits must not overflow
        int[] targets = KernelRuns.ints(r, N, V);
        targets[3] = -1;
        targets[7] = -5;
        float[] dlogp = KernelRuns.gaussian(r, N, 1);
        float[] s = LogProbKernels.inverseTemperature(tau);
        Object[] fwd = forward(logits, targets, s);
        float[] logp = (float[]) fwd[0];
        float[] lse = (float[]) fwd[1];
        float[] expectedLogp = new float[N];
        float[] expectedD = new float[N * V];
        for (int i = 0; i < N; i++) {
            expectedLogp[i] = targets[i] < 0 ? 0f : (float) oracle(logits, i, targets[i], tau);
            for (int j = 0; j < V; j++) {
                double p = Math.exp(oracle(logits, i, j, tau));
                expectedD[i * V + j] = targets[i] < 0 ? 0f : (float) (dlogp[i] * ((j == targets[i] ? 1 : 0) - p) / tau);
            }
        }
        assertClose("logp", logp, expectedLogp, 2e-5, 1e-5);
        assertThat(logp[3]).isZero();
        float[] dlogits = backward(logits, lse, targets, dlogp, s);
        assertClose("dlogits", dlogits, expectedD, 1e-6, 1e-4);

        // central finite differences of Σ dlogp·logp in double
        for (int e : new int[] {0, 5, 2 * V + 3, 9 * V + 36}) {
            int i = e / V;
            float[] plus = logits.clone();
            float[] minus = logits.clone();
            double h = 1e-3;
            plus[e] += (float) h;
            minus[e] -= (float) h;
            double numeric = targets[i] < 0 ? 0 : dlogp[i] * (oracle(plus, i, targets[i], tau) - oracle(minus, i, targets[i], tau))
                    / (plus[e] - minus[e]);
            assertThat((double) dlogits[e]).as("d/dlogit %d", e).isCloseTo(numeric, org.assertj.core.api.Assertions.within(2e-4));
        }
    }

    /** τ = 1 multiplies by 1 exactly: the same bits as the log-softmax without a temperature. */
    @Test
    void temperatureOneIsThePlainLogSoftmax() {
        SplittableRandom r = new SplittableRandom(4);
        float[] logits = KernelRuns.gaussian(r, N * V, 3);
        int[] targets = KernelRuns.ints(r, N, V);
        float[] lse = (float[]) forward(logits, targets, LogProbKernels.inverseTemperature(1))[1];
        for (int i = 0; i < N; i++) {
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < V; j++) {
                max = Math.max(max, logits[i * V + j]);
            }
            float sum = 0f;
            for (int j = 0; j < V; j++) {
                sum = sum + (float) Math.exp(logits[i * V + j] - max);
            }
            assertThat(lse[i]).isEqualTo(max + (float) Math.log(sum));
        }
        assertThatThrownBy(() -> LogProbKernels.inverseTemperature(0)).hasMessageContaining("temperature must be > 0");
    }
}
