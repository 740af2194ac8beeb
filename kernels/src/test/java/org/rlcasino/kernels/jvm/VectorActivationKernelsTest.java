package org.rlcasino.kernels.jvm;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.rlcasino.kernels.ActivationKernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/**
 * The Vector API GELU fast paths hold their tolerance contract
 * ({@link VectorActivationKernels#GELU_TOLERANCE}) against the reference kernels, and give the same
 * bits however a launch is split.
 */
class VectorActivationKernelsTest {
    /** A dense sweep of [-12, 12], random normals at three scales, and the edges. */
    static float[] inputs() {
        SplittableRandom rnd = new SplittableRandom(5);
        int sweep = 240_001;
        float[] x = new float[sweep + 3 * 20_000 + 12];
        int k = 0;
        for (int i = 0; i < sweep; i++) {
            x[k++] = -12f + 24f * i / (sweep - 1);
        }
        for (double scale : new double[] {0.01, 1, 30}) {
            for (int i = 0; i < 20_000; i++) {
                x[k++] = (float) (rnd.nextGaussian() * scale);
            }
        }
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-30f, 50f, -50f, 1e4f, -1e4f,
                Float.MAX_VALUE / 1e10f, -Float.MAX_VALUE / 1e10f};
        System.arraycopy(edges, 0, x, k, edges.length);
        return x;
    }

    @Test
    void forwardIsWithinTheToleranceOfTheReference() {
        float[] x = inputs();
        float[] ref = new float[x.length];
        float[] fast = new float[x.length];
        ActivationKernels.geluForward(ref, x, 0, x.length);
        VectorActivationKernels.geluForward(fast, x, 0, x.length);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            assertThat(Float.isNaN(fast[i])).as("NaN at x=%s", x[i]).isEqualTo(Float.isNaN(ref[i]));
            double bound = VectorActivationKernels.GELU_TOLERANCE * (1 + Math.abs(x[i]));
            double diff = Math.abs((double) fast[i] - ref[i]);
            worst = Math.max(worst, diff / bound);
            assertThat(diff).as("gelu(%s): fast %s, reference %s", x[i], fast[i], ref[i]).isLessThanOrEqualTo(bound);
        }
        System.out.printf("gelu forward: worst |fast - reference| = %.3f of the tolerance%n", worst);
    }

    @Test
    void backwardIsWithinTheToleranceOfTheReference() {
        float[] x = inputs();
        SplittableRandom rnd = new SplittableRandom(9);
        float[] dy = new float[x.length];
        for (int i = 0; i < dy.length; i++) {
            dy[i] = (float) rnd.nextGaussian();
        }
        float[] ref = new float[x.length];
        float[] fast = new float[x.length];
        ActivationKernels.geluBackward(ref, x, dy, 0, x.length);
        VectorActivationKernels.geluBackward(fast, x, dy, 0, x.length);
        float[] inPlace = dy.clone();
        VectorActivationKernels.geluBackwardInPlace(inPlace, x, 0, x.length);
        assertBitIdentical("in place", inPlace, fast);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            // both are NaN where x³ overflows (0·∞ in the reference's formula)
            assertThat(Float.isNaN(fast[i])).as("NaN at x=%s", x[i]).isEqualTo(Float.isNaN(ref[i]));
            if (Float.isNaN(ref[i])) {
                continue;
            }
            double bound = VectorActivationKernels.GELU_TOLERANCE * (1 + Math.abs(x[i])) * Math.abs(dy[i]);
            double diff = Math.abs((double) fast[i] - ref[i]);
            worst = Math.max(worst, bound == 0 ? 0 : diff / bound);
            assertThat(diff).as("dy·gelu'(%s), dy=%s: fast %s, reference %s", x[i], dy[i], fast[i], ref[i])
                    .isLessThanOrEqualTo(bound);
        }
        System.out.printf("gelu backward: worst |fast - reference| = %.3f of the tolerance%n", worst);
    }

    @Test
    void resultsDoNotDependOnTheRangeSplit() {
        float[] x = inputs();
        float[] whole = new float[x.length];
        VectorActivationKernels.geluForward(whole, x, 0, x.length);
        float[] wholeBack = x.clone();
        VectorActivationKernels.geluBackwardInPlace(wholeBack, x, 0, x.length);
        for (int chunk : new int[] {1, 3, 7, 17, 1000}) {
            float[] split = new float[x.length];
            float[] splitBack = x.clone();
            for (int o = 0; o < x.length; o += chunk) {
                int n = Math.min(chunk, x.length - o);
                VectorActivationKernels.geluForward(split, x, o, n);
                VectorActivationKernels.geluBackwardInPlace(splitBack, x, o, n);
            }
            assertBitIdentical("forward, chunk " + chunk, split, whole);
            assertBitIdentical("backward, chunk " + chunk, splitBack, wholeBack);
        }
    }
}
