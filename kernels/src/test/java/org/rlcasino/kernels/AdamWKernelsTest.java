package org.rlcasino.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.kernels.AdamWKernels.HYPER_LENGTH;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * The AdamW kernels against a scalar oracle of {@code torch.optim.AdamW} written here in double
 * precision from lr, betas, eps, weight decay and the step number (never from the packed hyper
 * array), and against each other bit for bit.
 */
class AdamWKernelsTest {
    /** A float NaN with a payload no arithmetic produces, to prove an entry was never written. */
    private static final float SENTINEL = Float.intBitsToFloat(0x7fc0_1234);

    private static List<JvmBackend> backends;

    @BeforeAll
    static void startBackends() {
        backends = List.of(new JvmBackend(1, 1 << 20), new JvmBackend(2, 7), new JvmBackend(4, 1),
                new JvmBackend(3, 1 << 14), new JvmBackend(2, 64));
    }

    @AfterAll
    static void stopBackends() {
        backends.forEach(JvmBackend::close);
    }

    /** One step's hyperparameters as a user states them. */
    record Hp(double lr, double beta1, double beta2, double eps, double wd, boolean epsInside, double gradScale) {
        static Hp torchDefaults() {
            return new Hp(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, 1.0);
        }
    }

    static List<Hp> configs() {
        return List.of(
                Hp.torchDefaults(),
                new Hp(1e-2, 0.9, 0.999, 1e-8, 0.1, false, 1.0),
                new Hp(3e-2, 0.8, 0.95, 1e-6, 0.0, false, 0.37),
                new Hp(5e-3, 0.0, 0.5, 1e-3, 0.05, false, 1.0),
                new Hp(1e-2, 0.9, 0.999, 1e-4, 0.1, true, 0.8));
    }

    /** Packs {@code hyper} as a host does for step {@code t} (1-based). */
    static float[] hyper(Hp h, long t) {
        double bc1 = 1 - Math.pow(h.beta1(), t);
        double bc2 = 1 - Math.pow(h.beta2(), t);
        float[] a = new float[HYPER_LENGTH];
        a[AdamWKernels.H_DECAY] = (float) (1 - h.lr() * h.wd());
        a[AdamWKernels.H_BETA1] = (float) h.beta1();
        a[AdamWKernels.H_ONE_MINUS_BETA1] = (float) (1 - h.beta1());
        a[AdamWKernels.H_BETA2] = (float) h.beta2();
        a[AdamWKernels.H_ONE_MINUS_BETA2] = (float) (1 - h.beta2());
        a[AdamWKernels.H_STEP_SIZE] = (float) (h.lr() / bc1);
        a[AdamWKernels.H_BC2_SQRT] = (float) Math.sqrt(bc2);
        a[AdamWKernels.H_EPS] = h.epsInside() ? 0f : (float) h.eps();
        a[AdamWKernels.H_EPS_INSIDE] = h.epsInside() ? (float) (h.eps() * bc2) : 0f;
        a[AdamWKernels.H_GRAD_SCALE] = (float) h.gradScale();
        return a;
    }

    /** The oracle: step {@code t} of torch.optim.AdamW on every element, in double. */
    static void oracleStep(double[] p, double[] m, double[] v, float[] g, Hp h, long t) {
        double bc1 = 1 - Math.pow(h.beta1(), t);
        double bc2 = 1 - Math.pow(h.beta2(), t);
        for (int i = 0; i < p.length; i++) {
            double gi = g[i] * h.gradScale();
            p[i] *= 1 - h.lr() * h.wd();
            m[i] = h.beta1() * m[i] + (1 - h.beta1()) * gi;
            v[i] = h.beta2() * v[i] + (1 - h.beta2()) * gi * gi;
            double mHat = m[i] / bc1;
            double vHat = v[i] / bc2;
            double denom = h.epsInside() ? Math.sqrt(vHat + h.eps()) : Math.sqrt(vHat) + h.eps();
            p[i] -= h.lr() * mHat / denom;
        }
    }

    static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    static float[] gather(float[] a, int[] indices) {
        float[] out = new float[indices.length];
        for (int j = 0; j < indices.length; j++) {
            out[j] = a[indices[j]];
        }
        return out;
    }

    static int[] randomSubset(SplittableRandom rnd, int n, double density) {
        int[] out = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < density) {
                out[count++] = i;
            }
        }
        return Arrays.copyOf(out, count);
    }

    @ParameterizedTest
    @MethodSource("configs")
    void denseStepMatchesTheOracleFromNonZeroState(Hp h) {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 1000;
        float[] p = gaussian(rnd, n, 1.0);
        float[] g = gaussian(rnd, n, 0.1);
        float[] m = gaussian(rnd, n, 0.01);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (Math.abs(rnd.nextGaussian()) * 1e-4);
        }
        for (long t : new long[] {1, 2, 7, 100}) {
            double[] pe = toDouble(p);
            double[] me = toDouble(m);
            double[] ve = toDouble(v);
            float[] pa = p.clone();
            float[] ma = m.clone();
            float[] va = v.clone();
            oracleStep(pe, me, ve, g, h, t);
            AdamWKernels.adamW(pa, ma, va, g, hyper(h, t), 0, n);
            assertClose("p at t=" + t, pa, toFloat(pe), 1e-7, 1e-6);
            // m = β1·m + (1−β1)·g cancels: its float error is relative to the terms (~0.01), not to m
            assertClose("m at t=" + t, ma, toFloat(me), 1e-8, 1e-6);
            assertClose("v at t=" + t, va, toFloat(ve), 1e-15, 1e-6);
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void denseStepsMatchTheOracleOverManySteps(Hp h) {
        SplittableRandom rnd = new SplittableRandom(12);
        int n = 2000;
        float[] p = gaussian(rnd, n, 1.0);
        float[] m = new float[n];
        float[] v = new float[n];
        double[] pe = toDouble(p);
        double[] me = new double[n];
        double[] ve = new double[n];
        for (long t = 1; t <= 40; t++) {
            float[] g = gaussian(rnd, n, 0.1);
            oracleStep(pe, me, ve, g, h, t);
            AdamWKernels.adamW(p, m, v, g, hyper(h, t), 0, n);
        }
        // float32 arithmetic (as in PyTorch: 1 − lr·wd alone is rounded to float each step) drifts
        // by a few ulps per step from the double oracle: 40 steps · ~6e-8 ≈ 2.4e-6 relative
        assertClose("p after 40 steps", p, toFloat(pe), 1e-6, 5e-6);
        assertClose("m after 40 steps", m, toFloat(me), 1e-8, 1e-5);
        assertClose("v after 40 steps", v, toFloat(ve), 1e-12, 1e-5);
    }

    @Test
    void firstStepMovesEachWeightByAboutLrAgainstTheGradientSign() {
        // At t = 1, m̂ = g and v̂ = g², so the update is lr·g/(|g| + eps) ≈ lr·sign(g).
        Hp h = new Hp(1e-2, 0.9, 0.999, 1e-8, 0.0, false, 1.0);
        float[] p = {1f, 1f, -2f, 0f};
        float[] g = {0.5f, -3f, 1e-3f, -1e-2f};
        AdamWKernels.adamW(p, new float[4], new float[4], g, hyper(h, 1), 0, 4);
        assertClose("p", p, new float[] {0.99f, 1.01f, -2.01f, 0.01f}, 1e-6, 1e-6);
    }

    @Test
    void zeroGradientOnlyDecaysTheWeights() {
        Hp h = new Hp(1e-2, 0.9, 0.999, 1e-8, 0.5, false, 1.0);
        float[] p = {1f, -2f, 0.25f};
        float[] m = new float[3];
        float[] v = new float[3];
        AdamWKernels.adamW(p, m, v, new float[3], hyper(h, 1), 0, 3);
        float decay = (float) (1 - 1e-2 * 0.5);
        assertBitIdentical("p", p, new float[] {1f * decay, -2f * decay, 0.25f * decay});
        assertBitIdentical("m", m, new float[3]);
        assertBitIdentical("v", v, new float[3]);
    }

    @Test
    void denseKernelTouchesOnlyItsRange() {
        SplittableRandom rnd = new SplittableRandom(13);
        int n = 50;
        float[] p = gaussian(rnd, n, 1);
        float[] g = gaussian(rnd, n, 1);
        float[] m = new float[n];
        float[] v = new float[n];
        float[] p0 = p.clone();
        AdamWKernels.adamW(p, m, v, g, hyper(Hp.torchDefaults(), 1), 10, 15);
        for (int i = 0; i < n; i++) {
            boolean inside = i >= 10 && i < 25;
            assertThat(p[i] != p0[i]).as("p[%d] changed", i).isEqualTo(inside);
            assertThat(m[i] != 0f).as("m[%d] changed", i).isEqualTo(inside);
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void sparseKernelEqualsDenseKernelOnActiveEntriesAndNeverTouchesOthers(Hp h) {
        SplittableRandom rnd = new SplittableRandom(14);
        int n = 3000;
        int[] indices = randomSubset(rnd, n, 0.2);
        float[] pDense = gaussian(rnd, n, 1);
        float[] mDense = new float[n];
        float[] vDense = new float[n];
        float[] pSparse = pDense.clone();
        boolean[] active = new boolean[n];
        for (int i : indices) {
            active[i] = true;
        }
        for (int i = 0; i < n; i++) {
            if (!active[i]) {
                pSparse[i] = SENTINEL;
            }
        }
        float[] mSparse = new float[indices.length];
        float[] vSparse = new float[indices.length];
        for (long t = 1; t <= 10; t++) {
            float[] g = gaussian(rnd, n, 0.1);
            float[] gSparse = g.clone();
            for (int i = 0; i < n; i++) {
                if (!active[i]) {
                    gSparse[i] = SENTINEL;
                }
            }
            float[] hyper = hyper(h, t);
            AdamWKernels.adamW(pDense, mDense, vDense, g, hyper, 0, n);
            AdamWKernels.sparseAdamW(pSparse, mSparse, vSparse, gSparse, indices, hyper, 0, indices.length);
        }
        assertBitIdentical("active p", gather(pSparse, indices), gather(pDense, indices));
        assertBitIdentical("compact m", mSparse, gather(mDense, indices));
        assertBitIdentical("compact v", vSparse, gather(vDense, indices));
        for (int i = 0; i < n; i++) {
            if (!active[i]) {
                assertThat(Float.floatToRawIntBits(pSparse[i])).as("inactive p[%d]", i)
                        .isEqualTo(Float.floatToRawIntBits(SENTINEL));
            }
        }
    }

    /** Runs covering random stretches of [0, n): parameter starts, compact-state starts and lengths. */
    record Runs(int[] start, int[] state, int[] length, int[] indices) {
        static Runs random(SplittableRandom rnd, int n, int maxGap, int maxLength) {
            List<int[]> runs = new ArrayList<>();
            int[] indices = new int[n];
            int nnz = 0;
            int i = rnd.nextInt(maxGap + 1);
            while (i < n) {
                int length = Math.min(1 + rnd.nextInt(maxLength), n - i);
                runs.add(new int[] {i, nnz, length});
                for (int z = 0; z < length; z++) {
                    indices[nnz++] = i + z;
                }
                i += length + 1 + rnd.nextInt(maxGap + 1);
            }
            int[] start = new int[runs.size()];
            int[] state = new int[runs.size()];
            int[] length = new int[runs.size()];
            for (int r = 0; r < runs.size(); r++) {
                start[r] = runs.get(r)[0];
                state[r] = runs.get(r)[1];
                length[r] = runs.get(r)[2];
            }
            return new Runs(start, state, length, Arrays.copyOf(indices, nnz));
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void blockSparseKernelEqualsSparseAndDenseKernelsBitForBit(Hp h) {
        SplittableRandom rnd = new SplittableRandom(15);
        int n = 4000;
        Runs runs = Runs.random(rnd, n, 30, 40);
        int nnz = runs.indices().length;
        float[] pDense = gaussian(rnd, n, 1);
        float[] mDense = new float[n];
        float[] vDense = new float[n];
        float[] pSparse = pDense.clone();
        float[] pBlock = pDense.clone();
        boolean[] active = new boolean[n];
        for (int i : runs.indices()) {
            active[i] = true;
        }
        for (int i = 0; i < n; i++) {
            if (!active[i]) {
                pBlock[i] = SENTINEL;
            }
        }
        float[] mSparse = new float[nnz];
        float[] vSparse = new float[nnz];
        float[] mBlock = new float[nnz];
        float[] vBlock = new float[nnz];
        for (long t = 1; t <= 10; t++) {
            float[] g = gaussian(rnd, n, 0.1);
            float[] hyper = hyper(h, t);
            AdamWKernels.adamW(pDense, mDense, vDense, g, hyper, 0, n);
            AdamWKernels.sparseAdamW(pSparse, mSparse, vSparse, g, runs.indices(), hyper, 0, nnz);
            AdamWKernels.blockSparseAdamW(pBlock, mBlock, vBlock, g, runs.start(), runs.state(), runs.length(),
                    hyper, 0, runs.start().length);
        }
        assertBitIdentical("block p vs dense", gather(pBlock, runs.indices()), gather(pDense, runs.indices()));
        assertBitIdentical("block p vs sparse", gather(pBlock, runs.indices()), gather(pSparse, runs.indices()));
        assertBitIdentical("block m", mBlock, mSparse);
        assertBitIdentical("block v", vBlock, vSparse);
        assertBitIdentical("block m vs dense", mBlock, gather(mDense, runs.indices()));
        for (int i = 0; i < n; i++) {
            if (!active[i]) {
                assertThat(Float.floatToRawIntBits(pBlock[i])).as("inactive p[%d]", i)
                        .isEqualTo(Float.floatToRawIntBits(SENTINEL));
            }
        }
    }

    @Test
    void sparseKernelMatchesTheOracleOnActiveEntries() {
        SplittableRandom rnd = new SplittableRandom(16);
        int n = 1500;
        int[] indices = randomSubset(rnd, n, 0.3);
        Hp h = new Hp(1e-2, 0.9, 0.99, 1e-8, 0.1, false, 0.6);
        float[] p = gaussian(rnd, n, 1);
        float[] m = new float[indices.length];
        float[] v = new float[indices.length];
        double[] pe = toDouble(gather(p, indices));
        double[] me = new double[indices.length];
        double[] ve = new double[indices.length];
        for (long t = 1; t <= 15; t++) {
            float[] g = gaussian(rnd, n, 0.1);
            oracleStep(pe, me, ve, gather(g, indices), h, t);
            AdamWKernels.sparseAdamW(p, m, v, g, indices, hyper(h, t), 0, indices.length);
        }
        assertClose("active p", gather(p, indices), toFloat(pe), 1e-6, 2e-6);
        assertClose("m", m, toFloat(me), 1e-8, 1e-5);
        assertClose("v", v, toFloat(ve), 1e-12, 1e-5);
    }

    @Test
    void resultsDoNotDependOnThreadsOrChunking() {
        SplittableRandom rnd = new SplittableRandom(17);
        int n = 20_000;
        Runs runs = Runs.random(rnd, n, 20, 50);
        int nnz = runs.indices().length;
        float[] p0 = gaussian(rnd, n, 1);
        float[][] grads = new float[5][];
        for (int s = 0; s < grads.length; s++) {
            grads[s] = gaussian(rnd, n, 0.1);
        }
        Hp h = new Hp(1e-2, 0.9, 0.999, 1e-8, 0.1, false, 0.9);
        float[][] reference = null;
        for (JvmBackend backend : backends) {
            float[] pd = p0.clone();
            float[] md = new float[n];
            float[] vd = new float[n];
            float[] ps = p0.clone();
            float[] ms = new float[nnz];
            float[] vs = new float[nnz];
            float[] pb = p0.clone();
            float[] mb = new float[nnz];
            float[] vb = new float[nnz];
            for (int s = 0; s < grads.length; s++) {
                float[] g = grads[s];
                float[] hyper = hyper(h, s + 1);
                backend.run("test.adamw", n, (o, c) -> AdamWKernels.adamW(pd, md, vd, g, hyper, o, c));
                backend.run("test.sparse_adamw", nnz,
                        (o, c) -> AdamWKernels.sparseAdamW(ps, ms, vs, g, runs.indices(), hyper, o, c));
                backend.run("test.block_sparse_adamw", runs.start().length, (o, c) -> AdamWKernels.blockSparseAdamW(
                        pb, mb, vb, g, runs.start(), runs.state(), runs.length(), hyper, o, c));
            }
            float[][] result = {pd, md, vd, ps, ms, vs, pb, mb, vb};
            if (reference == null) {
                reference = result;
            } else {
                for (int k = 0; k < result.length; k++) {
                    assertBitIdentical(backend.name() + " chunk " + backend.chunkSize() + " array " + k,
                            result[k], reference[k]);
                }
            }
        }
    }
}
