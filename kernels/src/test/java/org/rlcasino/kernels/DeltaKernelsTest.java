package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/** The delta-logging kernels against the host's {@code after − before}, bit for bit, for any split. */
class DeltaKernelsTest {
    private static final int N = 1003;

    private static float[] theta(long seed) {
        return KernelRuns.gaussian(new SplittableRandom(seed), N, 0.2);
    }

    private static float[] difference(float[] after, float[] before) {
        float[] d = new float[after.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = after[i] - before[i];
        }
        return d;
    }

    @Test
    void captureCopiesTheWeights() {
        float[] theta = theta(1);
        Object[] out = KernelRuns.runEverywhere("capture", new Object[] {new float[N], theta},
                a -> KernelCall.builder("test.capture", Kernel.CAPTURE_REFERENCE).output((float[]) a[0]).input((float[]) a[1]).over(N));
        assertBitIdentical("reference", (float[]) out[0], theta);
    }

    @Test
    void startDeltaSubtractsTheOriginAndKeepsIt() {
        float[] origin = theta(1);
        float[] theta = theta(2);
        Object[] out = KernelRuns.runEverywhere("start delta", new Object[] {new float[N], theta, origin.clone()},
                a -> KernelCall.builder("test.start_delta", Kernel.START_DELTA).output((float[]) a[0]).input((float[]) a[1])
                        .input((float[]) a[2]).over(N));
        assertBitIdentical("delta", (float[]) out[0], difference(theta, origin));
        assertBitIdentical("origin untouched", (float[]) out[2], origin);
    }

    @Test
    void stepDeltaSubtractsThePreviousWeightsAndMovesOn() {
        float[] previous = theta(1);
        float[] theta = theta(2);
        Object[] out = KernelRuns.runEverywhere("step delta", new Object[] {new float[N], previous.clone(), theta},
                a -> KernelCall.builder("test.step_delta", Kernel.STEP_DELTA).output((float[]) a[0]).state((float[]) a[1])
                        .input((float[]) a[2]).over(N));
        assertBitIdentical("delta", (float[]) out[0], difference(theta, previous));
        assertBitIdentical("previous moved on to theta", (float[]) out[1], theta);
        assertThat((float[]) out[2]).as("theta untouched").isEqualTo(theta);
    }
}
