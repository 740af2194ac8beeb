package org.rlcasino.kernels.jvm;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlcasino.kernels.AdamWKernels;
import org.rlcasino.kernels.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/** The Vector API fast paths against the reference kernels, bit for bit. */
class VectorAdamWKernelsTest {
    private static final float SENTINEL = Float.intBitsToFloat(0x7fc0_4321);

    /** Hyper arrays of a few configurations and steps (PyTorch placement of eps, and eps inside the sqrt). */
    static float[][] hypers() {
        double[][] configs = {
                // lr, beta1, beta2, eps, wd, epsInside, gradScale
                {1e-3, 0.9, 0.999, 1e-8, 1e-2, 0, 1.0},
                {3e-2, 0.8, 0.95, 1e-6, 0.1, 0, 0.3},
                {1e-2, 0.9, 0.999, 1e-3, 0.0, 1, 0.7},
        };
        float[][] out = new float[configs.length * 3][];
        int k = 0;
        for (double[] c : configs) {
            for (long t : new long[] {1, 3, 50}) {
                double bc1 = 1 - Math.pow(c[1], t);
                double bc2 = 1 - Math.pow(c[2], t);
                boolean inside = c[5] != 0;
                float[] h = new float[AdamWKernels.HYPER_LENGTH];
                h[AdamWKernels.H_DECAY] = (float) (1 - c[0] * c[4]);
                h[AdamWKernels.H_BETA1] = (float) c[1];
                h[AdamWKernels.H_ONE_MINUS_BETA1] = (float) (1 - c[1]);
                h[AdamWKernels.H_BETA2] = (float) c[2];
                h[AdamWKernels.H_ONE_MINUS_BETA2] = (float) (1 - c[2]);
                h[AdamWKernels.H_STEP_SIZE] = (float) (c[0] / bc1);
                h[AdamWKernels.H_BC2_SQRT] = (float) Math.sqrt(bc2);
                h[AdamWKernels.H_EPS] = inside ? 0f : (float) c[3];
                h[AdamWKernels.H_EPS_INSIDE] = inside ? (float) (c[3] * bc2) : 0f;
                h[AdamWKernels.H_GRAD_SCALE] = (float) c[6];
                out[k++] = h;
            }
        }
        return out;
    }

    static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    static float[] positive(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (Math.abs(rnd.nextGaussian()) * scale);
        }
        return a;
    }

    @Test
    void lanesIsAPositivePowerOfTwo() {
        int lanes = VectorAdamWKernels.lanes();
        assertThat(lanes).isPositive();
        assertThat(Integer.bitCount(lanes)).isEqualTo(1);
    }

    @Test
    void blockSparseMatchesReferenceForEveryRunLengthUpTo40() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (float[] hyper : hypers()) {
            for (int length = 1; length <= 40; length++) {
                for (int pStart : new int[] {0, 3, 17}) {
                    int stateStart = 5 + rnd.nextInt(7);
                    int n = pStart + length + 9;
                    float[] p = gaussian(rnd, n, 1);
                    float[] g = gaussian(rnd, n, 0.1);
                    float[] m = gaussian(rnd, stateStart + length + 3, 0.01);
                    float[] v = positive(rnd, m.length, 1e-4);
                    float[] pRef = p.clone();
                    float[] mRef = m.clone();
                    float[] vRef = v.clone();
                    // two runs: a dummy first one that is skipped via offset = 1, then the real one
                    int[] runStart = {0, pStart};
                    int[] runState = {0, stateStart};
                    int[] runLength = {1, length};
                    AdamWKernels.blockSparseAdamW(pRef, mRef, vRef, g, runStart, runState, runLength, hyper, 1, 1);
                    VectorAdamWKernels.blockSparseAdamW(p, m, v, g, runStart, runState, runLength, hyper, 1, 1);
                    String what = "length " + length + " pStart " + pStart;
                    assertBitIdentical(what + " p", p, pRef);
                    assertBitIdentical(what + " m", m, mRef);
                    assertBitIdentical(what + " v", v, vRef);
                }
            }
        }
    }

    @Test
    void blockSparseMatchesReferenceOverManyRunsAndSteps() {
        SplittableRandom rnd = new SplittableRandom(2);
        int n = 5000;
        int[] runStart = new int[200];
        int[] runState = new int[200];
        int[] runLength = new int[200];
        int runs = 0;
        int nnz = 0;
        for (int i = rnd.nextInt(5); i < n && runs < runStart.length; ) {
            int length = Math.min(1 + rnd.nextInt(70), n - i);
            runStart[runs] = i;
            runState[runs] = nnz;
            runLength[runs] = length;
            runs++;
            nnz += length;
            i += length + 1 + rnd.nextInt(10);
        }
        float[] p = gaussian(rnd, n, 1);
        float[] pRef = p.clone();
        float[] m = new float[nnz];
        float[] v = new float[nnz];
        float[] mRef = new float[nnz];
        float[] vRef = new float[nnz];
        int r = runs;
        for (float[] hyper : hypers()) {
            float[] g = gaussian(rnd, n, 0.1);
            AdamWKernels.blockSparseAdamW(pRef, mRef, vRef, g, runStart, runState, runLength, hyper, 0, r);
            // the fast path in two pieces, as a backend would launch it
            VectorAdamWKernels.blockSparseAdamW(p, m, v, g, runStart, runState, runLength, hyper, 0, r / 3);
            VectorAdamWKernels.blockSparseAdamW(p, m, v, g, runStart, runState, runLength, hyper, r / 3, r - r / 3);
        }
        assertBitIdentical("p", p, pRef);
        assertBitIdentical("m", m, mRef);
        assertBitIdentical("v", v, vRef);
    }

    @ParameterizedTest(name = "offset={0}")
    @ValueSource(ints = {0, 1, 5, 13})
    void sparseMatchesReferenceForEveryCountUpTo40(int offset) {
        SplittableRandom rnd = new SplittableRandom(3 + offset);
        int n = 300;
        for (float[] hyper : hypers()) {
            for (int count = 0; count <= 40; count++) {
                int nnz = offset + count + 4;
                int[] indices = rnd.ints(0, n).distinct().limit(nnz).sorted().toArray();
                float[] p = gaussian(rnd, n, 1);
                float[] g = gaussian(rnd, n, 0.1);
                boolean[] touched = new boolean[n];
                for (int j = offset; j < offset + count; j++) {
                    touched[indices[j]] = true;
                }
                for (int i = 0; i < n; i++) {
                    if (!touched[i]) {
                        p[i] = SENTINEL;
                        g[i] = SENTINEL;
                    }
                }
                float[] m = gaussian(rnd, nnz, 0.01);
                float[] v = positive(rnd, nnz, 1e-4);
                float[] pRef = p.clone();
                float[] mRef = m.clone();
                float[] vRef = v.clone();
                AdamWKernels.sparseAdamW(pRef, mRef, vRef, g, indices, hyper, offset, count);
                VectorAdamWKernels.sparseAdamW(p, m, v, g, indices, hyper, offset, count);
                String what = "count " + count;
                assertBitIdentical(what + " p", p, pRef);
                assertBitIdentical(what + " m", m, mRef);
                assertBitIdentical(what + " v", v, vRef);
            }
        }
    }

    @Test
    void sparseMatchesReferenceThroughBackendsWithOddChunks() {
        SplittableRandom rnd = new SplittableRandom(4);
        int n = 20_000;
        int[] indices = rnd.ints(0, n).distinct().limit(3001).sorted().toArray();
        float[] p0 = gaussian(rnd, n, 1);
        float[] pRef = p0.clone();
        float[] mRef = new float[indices.length];
        float[] vRef = new float[indices.length];
        float[][] grads = new float[4][];
        for (int s = 0; s < grads.length; s++) {
            grads[s] = gaussian(rnd, n, 0.1);
        }
        float[][] hypers = hypers();
        for (int s = 0; s < grads.length; s++) {
            AdamWKernels.sparseAdamW(pRef, mRef, vRef, grads[s], indices, hypers[s], 0, indices.length);
        }
        for (JvmBackend backend : new JvmBackend[] {new JvmBackend(1, 1 << 14), new JvmBackend(2, 7),
                new JvmBackend(4, 1), new JvmBackend(3, 37)}) {
            try (backend) {
                float[] p = p0.clone();
                float[] m = new float[indices.length];
                float[] v = new float[indices.length];
                for (int s = 0; s < grads.length; s++) {
                    float[] g = grads[s];
                    float[] h = hypers[s];
                    backend.run("test.sparse", indices.length,
                            (o, c) -> VectorAdamWKernels.sparseAdamW(p, m, v, g, indices, h, o, c));
                }
                assertBitIdentical(backend.name() + " p", p, pRef);
                assertBitIdentical(backend.name() + " m", m, mRef);
                assertBitIdentical(backend.name() + " v", v, vRef);
            }
        }
    }

    @Test
    void denseRunsAsOneBlockMatchTheDenseKernel() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n = 1; n <= 40; n++) {
            float[] p = gaussian(rnd, n, 1);
            float[] g = gaussian(rnd, n, 0.1);
            float[] pRef = p.clone();
            float[] m = new float[n];
            float[] v = new float[n];
            float[] mRef = new float[n];
            float[] vRef = new float[n];
            float[] hyper = hypers()[n % hypers().length];
            AdamWKernels.adamW(pRef, mRef, vRef, g, hyper, 0, n);
            VectorAdamWKernels.blockSparseAdamW(p, m, v, g, new int[] {0}, new int[] {0}, new int[] {n}, hyper, 0, 1);
            assertBitIdentical("n=" + n + " p", p, pRef);
            assertBitIdentical("n=" + n + " v", v, vRef);
            assertThat(Arrays.equals(m, mRef)).isTrue();
        }
    }
}
