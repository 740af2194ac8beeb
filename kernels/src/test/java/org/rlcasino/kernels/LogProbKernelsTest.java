package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/** Log-softmax of the target and its gradient against double oracles; ignored targets give zeros. */
class LogProbKernelsTest {
    private static final int N = 11;
    private static final int V = 37;

    @Test
    void forwardAndBackwardMatchTheSoftmax() {
        SplittableRandom r = new SplittableRandom(1);
        float[] logits = KernelRuns.gaussian(r, N * V, 4);
        logits[5] = 60f; // large logits must not overflow
        int[] targets = KernelRuns.ints(r, N, V);
        targets[3] = -1;
        targets[7] = -5;
        float[] dlogp = KernelRuns.gaussian(r, N, 1);
        Object[] fwd = KernelRuns.runEverywhere("log prob", new Object[] {new float[N], new float[N], logits, targets},
                a -> KernelCall.builder("test.log_prob", Kernel.LOG_PROB_FORWARD).output((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).input((int[]) a[3])
                        .constant(LogProbKernels.dims(N, V)).over(N));
        float[] logp = (float[]) fwd[0];
        float[] lse = (float[]) fwd[1];
        float[] expectedLogp = new float[N];
        float[] expectedLse = new float[N];
        float[] expectedD = new float[N * V];
        for (int i = 0; i < N; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < V; j++) {
                max = Math.max(max, logits[i * V + j]);
            }
            double sum = 0;
            for (int j = 0; j < V; j++) {
                sum += Math.exp(logits[i * V + j] - max);
            }
            double l = max + Math.log(sum);
            expectedLse[i] = (float) l;
            expectedLogp[i] = targets[i] < 0 ? 0f : (float) (logits[i * V + targets[i]] - l);
            for (int j = 0; j < V; j++) {
                expectedD[i * V + j] = targets[i] < 0 ? 0f
                        : (float) (dlogp[i] * ((j == targets[i] ? 1 : 0) - Math.exp(logits[i * V + j] - l)));
            }
        }
        assertClose("lse", lse, expectedLse, 1e-5, 1e-6);
        assertClose("logp", logp, expectedLogp, 2e-5, 1e-5);
        assertThat(logp[3]).isZero();
        Object[] bwd = KernelRuns.runEverywhere("log prob backward",
                new Object[] {new float[N * V], logits, lse, targets, dlogp},
                a -> KernelCall.builder("test.log_prob_backward", Kernel.LOG_PROB_BACKWARD).output((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((int[]) a[3]).input((float[]) a[4])
                        .constant(LogProbKernels.dims(N, V)).over(N * V));
        assertClose("dlogits", (float[]) bwd[0], expectedD, 1e-6, 1e-4);
    }
}
