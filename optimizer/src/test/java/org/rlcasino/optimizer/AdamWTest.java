package org.rlcasino.optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.ParameterLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

class AdamWTest {
    private static JvmBackend sequential;
    private static List<JvmBackend> backends;

    @BeforeAll
    static void startBackends() {
        sequential = new JvmBackend(1, 1 << 20);
        backends = List.of(sequential, new JvmBackend(2, 7), new JvmBackend(4, 1), new JvmBackend(3, 1 << 14),
                new JvmBackend(2, 1000));
    }

    @AfterAll
    static void stopBackends() {
        backends.forEach(JvmBackend::close);
    }

    static ParameterLayout layout() {
        return ParameterLayout.builder()
                .add("wte", 30, 16)               // (V, C)
                .add("h.0.attn.c_attn.weight", 16, 48) // (C, 3C)
                .add("ln_f.bias", 16)             // (C)
                .build();
    }

    static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    /** Gradients whose global norm is sometimes above and sometimes below 1 (n = 1264: norm ≈ 35·scale). */
    static float[][] gradients(long seed, int steps, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] g = new float[steps][];
        for (int s = 0; s < steps; s++) {
            g[s] = gaussian(rnd, n, s % 3 == 0 ? 0.1 : 0.01);
        }
        return g;
    }

    /** torch.optim.AdamW + clip_grad_norm_ + a cosine LambdaLR, per element in double. */
    static final class Oracle {
        final double lr;
        final double beta1;
        final double beta2;
        final double eps;
        final double wd;
        final double maxNorm;
        final int warmup;
        final int total;
        final double minFactor;
        final double[] p;
        final double[] m;
        final double[] v;
        long t;
        double lastLr;
        double lastNorm;
        double lastScale;

        Oracle(float[] p0, double lr, double beta1, double beta2, double eps, double wd, double maxNorm,
               int warmup, int total, double minFactor) {
            this.lr = lr;
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.wd = wd;
            this.maxNorm = maxNorm;
            this.warmup = warmup;
            this.total = total;
            this.minFactor = minFactor;
            this.p = new double[p0.length];
            for (int i = 0; i < p0.length; i++) {
                p[i] = p0[i];
            }
            this.m = new double[p0.length];
            this.v = new double[p0.length];
        }

        /** get_cosine_schedule_with_warmup with a floor, at step index {@code k} (0-based). */
        double factor(long k) {
            if (k < warmup) {
                return (double) k / warmup;
            }
            double progress = Math.min(1.0, (double) (k - warmup) / (total - warmup));
            return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }

        void step(float[] g) {
            double step = lr * factor(t);
            double sumSq = 0;
            for (float x : g) {
                sumSq += (double) x * x;
            }
            double norm = Math.sqrt(sumSq);
            double scale = maxNorm > 0 ? Math.min(1.0, maxNorm / (norm + 1e-6)) : 1.0;
            t++;
            double bc1 = 1 - Math.pow(beta1, t);
            double bc2 = 1 - Math.pow(beta2, t);
            for (int i = 0; i < p.length; i++) {
                double gi = g[i] * scale;
                p[i] *= 1 - step * wd;
                m[i] = beta1 * m[i] + (1 - beta1) * gi;
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
                p[i] -= step * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
            }
            lastLr = step;
            lastNorm = norm;
            lastScale = scale;
        }

        float[] params() {
            float[] out = new float[p.length];
            for (int i = 0; i < p.length; i++) {
                out[i] = (float) p[i];
            }
            return out;
        }
    }

    static AdamWConfig clippedCosineConfig() {
        return AdamWConfig.defaults().withLr(1e-2).withWeightDecay(0.1).withMaxGradNorm(1.0)
                .withSchedule(LearningRateSchedule.cosine(5, 40, 0.1));
    }

    @Test
    void matchesTheOracleOverManyStepsWithDecayClippingAndSchedule() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p = gaussian(new SplittableRandom(1), n, 1.0);
        Oracle oracle = new Oracle(p, 1e-2, 0.9, 0.999, 1e-8, 0.1, 1.0, 5, 40, 0.1);
        AdamW adamW = new AdamW(clippedCosineConfig(), layout, sequential);
        float[][] grads = gradients(2, 45, n);
        int clipped = 0;
        for (int s = 0; s < grads.length; s++) {
            StepReport report = adamW.step(p, grads[s]);
            oracle.step(grads[s]);
            assertThat(report.step()).isEqualTo(s + 1);
            assertThat(report.skipped()).isFalse();
            assertThat(report.lr()).as("lr at step %d", s + 1).isCloseTo(oracle.lastLr, within(1e-15));
            assertThat(report.gradNorm()).isCloseTo(oracle.lastNorm, within(1e-6 * oracle.lastNorm));
            assertThat(report.gradScale()).isCloseTo(oracle.lastScale, within(1e-6));
            clipped += report.gradScale() < 1 ? 1 : 0;
        }
        assertThat(clipped).as("steps clipped").isBetween(5, 40);
        assertThat(adamW.stepCount()).isEqualTo(45);
        assertClose("params after 45 steps", p, oracle.params(), 1e-6, 5e-6);
    }

    @Test
    void matchesTheOracleWithPyTorchDefaults() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p = gaussian(new SplittableRandom(3), n, 0.5);
        Oracle oracle = new Oracle(p, 1e-3, 0.9, 0.999, 1e-8, 1e-2, 0.0, 0, 1, 1.0);
        AdamW adamW = new AdamW(AdamWConfig.defaults(), layout, sequential);
        for (float[] g : gradients(4, 30, n)) {
            StepReport report = adamW.step(p, g);
            oracle.step(g);
            assertThat(report.gradScale()).isEqualTo(1.0);
            assertThat(report.lr()).isEqualTo(1e-3);
        }
        assertClose("params after 30 steps", p, oracle.params(), 1e-6, 3e-6);
    }

    @Test
    void resultsDoNotDependOnThreadsOrChunking() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p0 = gaussian(new SplittableRandom(5), n, 1.0);
        float[][] grads = gradients(6, 20, n);
        float[] refParams = null;
        OptimizerState refState = null;
        for (JvmBackend backend : backends) {
            float[] p = p0.clone();
            AdamW adamW = new AdamW(clippedCosineConfig(), layout, backend);
            for (float[] g : grads) {
                adamW.step(p, g);
            }
            OptimizerState state = adamW.exportState();
            if (refParams == null) {
                refParams = p;
                refState = state;
            } else {
                String what = backend.name() + " chunk " + backend.chunkSize();
                assertBitIdentical(what + " params", p, refParams);
                assertBitIdentical(what + " m", state.m(), refState.m());
                assertBitIdentical(what + " v", state.v(), refState.v());
            }
        }
    }

    @Test
    void exportAndRestoreResumesBitExactly() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p = gaussian(new SplittableRandom(7), n, 1.0);
        float[][] grads = gradients(8, 20, n);
        AdamW first = new AdamW(clippedCosineConfig(), layout, sequential);
        for (int s = 0; s < 10; s++) {
            first.step(p, grads[s]);
        }
        OptimizerState atTen = first.exportState();
        float[] pAtTen = p.clone();
        for (int s = 10; s < 20; s++) {
            first.step(p, grads[s]);
        }

        AdamW resumed = new AdamW(clippedCosineConfig(), layout, backends.get(1));
        resumed.restoreState(atTen);
        assertThat(resumed.stepCount()).isEqualTo(10);
        float[] q = pAtTen.clone();
        for (int s = 10; s < 20; s++) {
            StepReport report = resumed.step(q, grads[s]);
            assertThat(report.step()).isEqualTo(s + 1);
        }
        assertBitIdentical("params after resume", q, p);
        OptimizerState a = first.exportState();
        OptimizerState b = resumed.exportState();
        assertThat(b.optimizer()).isEqualTo("adamw");
        assertThat(b.step()).isEqualTo(20);
        assertThat(b.activeSetDigest()).isZero();
        assertBitIdentical("m", b.m(), a.m());
        assertBitIdentical("v", b.v(), a.v());
    }

    @Test
    void exportedStateIsACopy() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        AdamW adamW = new AdamW(AdamWConfig.defaults(), layout, sequential);
        float[] p = new float[n];
        adamW.step(p, gaussian(new SplittableRandom(9), n, 0.1));
        OptimizerState state = adamW.exportState();
        float before = state.m()[0];
        state.m()[0] = 123f;
        assertThat(adamW.exportState().m()[0]).isEqualTo(before);
        assertThat(state.m()).hasSize(n);
    }

    @Test
    void restoreRejectsStateOfAnotherKindLengthOrMask() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        AdamW adamW = new AdamW(AdamWConfig.defaults(), layout, sequential);
        assertThatThrownBy(() -> adamW.restoreState(new OptimizerState("bsr-adamw", 3, 0, 0, new float[n], new float[n])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bsr-adamw").hasMessageContaining("adamw");
        assertThatThrownBy(() -> adamW.restoreState(new OptimizerState("adamw", 3, 0, 0, new float[n - 1], new float[n - 1])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(n - 1))
                .hasMessageContaining(String.valueOf(n));
        assertThatThrownBy(() -> adamW.restoreState(new OptimizerState("adamw", 3, 0, 42, new float[n], new float[n])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask");
        assertThat(adamW.stepCount()).isZero();
    }

    @Test
    void rejectsParamsAndGradsOfTheWrongLength() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        AdamW adamW = new AdamW(AdamWConfig.defaults(), layout, sequential);
        assertThatThrownBy(() -> adamW.step(new float[n], new float[n + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(n + 1)).hasMessageContaining(String.valueOf(n));
        assertThatThrownBy(() -> adamW.step(new float[n - 1], new float[n]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(n - 1));
        assertThatThrownBy(() -> adamW.step(null, new float[n])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> adamW.step(new float[n], null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(adamW.stepCount()).isZero();
    }

    @Test
    void rejectsNullConstructorArguments() {
        assertThatThrownBy(() -> new AdamW(null, layout(), sequential)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdamW(AdamWConfig.defaults(), null, sequential))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdamW(AdamWConfig.defaults(), layout(), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void failPolicyThrowsAndLeavesParamsAndStateUntouched(float bad) {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p = gaussian(new SplittableRandom(10), n, 1.0);
        float[][] grads = gradients(11, 3, n);
        AdamW adamW = new AdamW(AdamWConfig.defaults().withWeightDecay(0.1), layout, sequential);
        adamW.step(p, grads[0]);
        adamW.step(p, grads[1]);
        float[] pBefore = p.clone();
        OptimizerState before = adamW.exportState();
        float[] g = grads[2].clone();
        g[777] = bad;
        assertThatThrownBy(() -> adamW.step(p, g))
                .isInstanceOf(NonFiniteGradientException.class)
                .hasMessageContaining("step 3").hasMessageContaining("SKIP_STEP");
        assertBitIdentical("params", p, pBefore);
        OptimizerState after = adamW.exportState();
        assertThat(after.step()).isEqualTo(2);
        assertThat(after.skippedSteps()).isZero();
        assertBitIdentical("m", after.m(), before.m());
        assertBitIdentical("v", after.v(), before.v());
        assertThat(adamW.stepCount()).isEqualTo(2);
    }

    @Test
    void skipStepPolicyLeavesParamsUntouchedAndCountsTheSkip() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p0 = gaussian(new SplittableRandom(12), n, 1.0);
        float[][] grads = gradients(13, 4, n);
        AdamWConfig config = clippedCosineConfig().withNonFinite(NonFinitePolicy.SKIP_STEP);

        AdamW skipping = new AdamW(config, layout, sequential);
        float[] p = p0.clone();
        skipping.step(p, grads[0]);
        float[] pBefore = p.clone();
        float[] bad = grads[1].clone();
        bad[5] = Float.NaN;
        StepReport report = skipping.step(p, bad);
        assertThat(report.skipped()).isTrue();
        assertThat(report.step()).isEqualTo(1);
        assertThat(report.gradNorm()).isNaN();
        assertThat(report.gradScale()).isEqualTo(1.0);
        assertThat(skipping.skippedSteps()).isEqualTo(1);
        assertThat(skipping.stepCount()).isEqualTo(1);
        assertBitIdentical("params after skipped step", p, pBefore);
        skipping.step(p, grads[2]);
        skipping.step(p, grads[3]);
        assertThat(skipping.exportState().skippedSteps()).isEqualTo(1);

        // the skipped step left no trace: same as a run that never saw the bad gradient
        AdamW clean = new AdamW(config, layout, sequential);
        float[] q = p0.clone();
        clean.step(q, grads[0]);
        clean.step(q, grads[2]);
        clean.step(q, grads[3]);
        assertBitIdentical("params", p, q);
        assertBitIdentical("m", skipping.exportState().m(), clean.exportState().m());
    }

    @Test
    void skippedStepCountSurvivesExportAndRestore() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        AdamWConfig config = AdamWConfig.defaults().withNonFinite(NonFinitePolicy.SKIP_STEP);
        AdamW adamW = new AdamW(config, layout, sequential);
        float[] p = new float[n];
        float[] bad = new float[n];
        bad[0] = Float.POSITIVE_INFINITY;
        adamW.step(p, bad);
        adamW.step(p, bad);
        AdamW restored = new AdamW(config, layout, sequential);
        restored.restoreState(adamW.exportState());
        assertThat(restored.skippedSteps()).isEqualTo(2);
        assertThat(restored.stepCount()).isZero();
    }

    @Test
    void uncheckedPolicyPropagatesNaN() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p = gaussian(new SplittableRandom(14), n, 1.0);
        AdamW adamW = new AdamW(AdamWConfig.defaults().withNonFinite(NonFinitePolicy.UNCHECKED), layout, sequential);
        float[] g = gaussian(new SplittableRandom(15), n, 0.1);
        g[100] = Float.NaN;
        StepReport report = adamW.step(p, g);
        assertThat(report.skipped()).isFalse();
        assertThat(report.step()).isEqualTo(1);
        assertThat(report.gradNorm()).as("no norm computed without clipping").isNaN();
        assertThat(p[100]).isNaN();
        assertThat(adamW.exportState().m()[100]).isNaN();
        for (int i = 0; i < n; i++) {
            if (i != 100) {
                assertThat(Float.isFinite(p[i])).as("p[%d]", i).isTrue();
            }
        }
    }

    @Test
    void uncheckedPolicyWithClippingDoesNotClipOnANaNNorm() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p = new float[n];
        AdamW adamW = new AdamW(AdamWConfig.defaults().withNonFinite(NonFinitePolicy.UNCHECKED).withMaxGradNorm(1.0),
                layout, sequential);
        float[] g = new float[n];
        g[3] = Float.NaN;
        StepReport report = adamW.step(p, g);
        assertThat(report.gradNorm()).isNaN();
        assertThat(report.gradScale()).isEqualTo(1.0);
        assertThat(p[3]).isNaN();
    }

    @Test
    void clippingUsesPyTorchsCoefficient() {
        ParameterLayout layout = layout();
        int n = layout.totalSize(); // 1264
        float[] g = new float[n];
        java.util.Arrays.fill(g, 0.5f);
        double norm = Math.sqrt(n * 0.25);

        AdamW clipping = new AdamW(AdamWConfig.defaults().withMaxGradNorm(1.0), layout, sequential);
        StepReport report = clipping.step(new float[n], g);
        assertThat(report.gradNorm()).isEqualTo(norm);
        assertThat(report.gradScale()).isCloseTo(1.0 / (norm + 1e-6), within(1e-15));

        AdamW loose = new AdamW(AdamWConfig.defaults().withMaxGradNorm(100.0), layout, sequential);
        assertThat(loose.step(new float[n], g).gradScale()).isEqualTo(1.0);

        // at max_norm == norm PyTorch still scales by max/(norm + 1e-6) < 1
        AdamW exact = new AdamW(AdamWConfig.defaults().withMaxGradNorm(norm), layout, sequential);
        double scale = exact.step(new float[n], g).gradScale();
        assertThat(scale).isLessThan(1.0).isCloseTo(norm / (norm + 1e-6), within(1e-15));

        AdamW off = new AdamW(AdamWConfig.defaults(), layout, sequential);
        StepReport unclipped = off.step(new float[n], g);
        assertThat(unclipped.gradScale()).isEqualTo(1.0);
        assertThat(unclipped.gradNorm()).as("FAIL policy still measures the norm").isEqualTo(norm);
    }

    @Test
    void clippedStepEqualsAnUnclippedStepOnPreScaledGradients() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p0 = gaussian(new SplittableRandom(16), n, 1.0);
        float[] g = gaussian(new SplittableRandom(17), n, 0.3);
        AdamW clipping = new AdamW(AdamWConfig.defaults().withMaxGradNorm(0.5).withWeightDecay(0.1), layout, sequential);
        float[] p = p0.clone();
        StepReport report = clipping.step(p, g);
        assertThat(report.gradScale()).isLessThan(0.1);

        float scale = (float) report.gradScale();
        float[] scaled = new float[n];
        for (int i = 0; i < n; i++) {
            scaled[i] = g[i] * scale;
        }
        AdamW plain = new AdamW(AdamWConfig.defaults().withWeightDecay(0.1).withNonFinite(NonFinitePolicy.UNCHECKED),
                layout, sequential);
        float[] q = p0.clone();
        plain.step(q, scaled);
        assertBitIdentical("params", p, q);
    }

    @Test
    void zeroGradientOnlyAppliesDecoupledDecay() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p = gaussian(new SplittableRandom(18), n, 1.0);
        float[] expected = p.clone();
        float decay = (float) (1 - 0.05 * 0.2);
        for (int i = 0; i < n; i++) {
            expected[i] *= decay;
        }
        AdamW adamW = new AdamW(AdamWConfig.defaults().withLr(0.05).withWeightDecay(0.2), layout, sequential);
        adamW.step(p, new float[n]);
        assertBitIdentical("params", p, expected);
    }

    @Test
    void zeroLearningRateLeavesParamsUnchanged() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p = gaussian(new SplittableRandom(19), n, 1.0);
        float[] p0 = p.clone();
        AdamW adamW = new AdamW(AdamWConfig.defaults().withLr(0).withWeightDecay(0.5), layout, sequential);
        adamW.step(p, gaussian(new SplittableRandom(20), n, 1.0));
        assertBitIdentical("params", p, p0);
        // warm-up's first step has lr 0 as well (HF's schedule starts at 0)
        AdamW warm = new AdamW(AdamWConfig.defaults().withSchedule(LearningRateSchedule.linearWarmup(4)), layout,
                sequential);
        StepReport first = warm.step(p, gaussian(new SplittableRandom(21), n, 1.0));
        assertThat(first.lr()).isZero();
        assertBitIdentical("params after warm-up step 1", p, p0);
        assertThat(warm.step(p, new float[n]).lr()).isEqualTo(0.25e-3);
    }

    @Test
    void reportsItsShapeAndStateSize() {
        ParameterLayout layout = layout();
        AdamWConfig config = AdamWConfig.defaults();
        AdamW adamW = new AdamW(config, layout, sequential);
        assertThat(adamW.stateBytes()).isEqualTo(8L * layout.totalSize());
        assertThat(adamW.layout()).isSameAs(layout);
        assertThat(adamW.config()).isSameAs(config);
        assertThat(adamW.stepCount()).isZero();
        assertThat(adamW.skippedSteps()).isZero();
        List<Long> steps = new ArrayList<>();
        float[] p = new float[layout.totalSize()];
        for (int s = 0; s < 3; s++) {
            steps.add(adamW.step(p, new float[layout.totalSize()]).step());
        }
        assertThat(steps).containsExactly(1L, 2L, 3L);
    }
}
