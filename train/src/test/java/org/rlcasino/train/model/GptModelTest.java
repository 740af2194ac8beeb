package org.rlcasino.train.model;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.rlcasino.kernels.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

class GptModelTest {
    private static final GptConfig TINY = new GptConfig(11, 5, 2, 2, 8);

    /** Random weights of a size that makes every path matter (LN weights around 1, non-zero biases). */
    private static void randomWeights(GptModel model, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = model.parameters();
        for (var t : model.layout().tensors()) {
            boolean lnWeight = t.name().endsWith("weight") && (t.name().contains("ln_"));
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                double z = r.nextGaussian();
                p[i] = (float) (lnWeight ? 1 + 0.2 * z : 0.3 * z);
            }
        }
    }

    private static int[] tokens(SplittableRandom r, int n, int v) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(v);
        }
        return t;
    }

    @Test
    void forwardMatchesTheDoublePrecisionReference() {
        try (JvmBackend backend = new JvmBackend(2, 7); GptModel model = new GptModel(TINY, backend)) {
            randomWeights(model, 1);
            SplittableRandom r = new SplittableRandom(2);
            int batch = 3;
            int seqLen = 5;
            int[] tokens = tokens(r, batch * seqLen, 11);
            int[] targets = tokens(r, batch * seqLen, 11);
            targets[4] = -1;
            float[] logp = model.forward(tokens, targets, batch, seqLen);
            double[] expected = new ReferenceGpt(TINY).logProbs(toDouble(model.parameters()), tokens, targets, batch, seqLen);
            double max = 0;
            for (int i = 0; i < logp.length; i++) {
                max = Math.max(max, Math.abs(logp[i] - expected[i]));
            }
            System.out.printf("forward vs double reference: max |Δ log p| = %.3g%n", max);
            assertThat(max).isLessThan(2e-5);
            assertThat(logp[4]).isZero();
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesOfTheDoubleReference() {
        int batch = 2;
        int seqLen = 5;
        try (JvmBackend backend = new JvmBackend(2, 3); GptModel model = new GptModel(TINY, backend)) {
            randomWeights(model, 3);
            SplittableRandom r = new SplittableRandom(4);
            int[] tokens = tokens(r, batch * seqLen, 11);
            int[] targets = tokens(r, batch * seqLen, 11);
            targets[2] = -1;
            float[] weights = new float[batch * seqLen];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = targets[i] < 0 ? 0f : (float) (r.nextDouble() * 2 - 1);
            }
            model.zeroGradients();
            model.forward(tokens, targets, batch, seqLen);
            model.backward(weights);
            float[] grads = model.gradients().clone();

            ReferenceGpt reference = new ReferenceGpt(TINY);
            double[] p = toDouble(model.parameters());
            double eps = 1e-5;
            double maxAbs = 0;
            double maxRel = 0;
            int checked = 0;
            for (int i = 0; i < p.length; i++) {
                double saved = p[i];
                p[i] = saved + eps;
                double plus = loss(reference.logProbs(p, tokens, targets, batch, seqLen), weights);
                p[i] = saved - eps;
                double minus = loss(reference.logProbs(p, tokens, targets, batch, seqLen), weights);
                p[i] = saved;
                double fd = (plus - minus) / (2 * eps);
                double diff = Math.abs(grads[i] - fd);
                maxAbs = Math.max(maxAbs, diff);
                maxRel = Math.max(maxRel, diff / Math.max(1e-3, Math.abs(fd)));
                assertThat(diff).as("gradient of parameter %d (%s): model %g, finite difference %g", i,
                        tensorOf(model, i), grads[i], fd).isLessThanOrEqualTo(2e-5 + 1e-3 * Math.abs(fd));
                checked++;
            }
            System.out.printf("gradient check: %d parameters, max |Δ| = %.3g, max rel = %.3g%n", checked, maxAbs, maxRel);
        }
    }

    @Test
    void resultsDoNotDependOnThreadsOrChunks() {
        GptConfig config = new GptConfig(13, 9, 2, 2, 12);
        SplittableRandom r = new SplittableRandom(5);
        int[] tokens = tokens(r, 3 * 9, 13);
        int[] targets = tokens(r, 3 * 9, 13);
        float[] dlogp = new float[27];
        for (int i = 0; i < dlogp.length; i++) {
            dlogp[i] = (float) r.nextDouble();
        }
        float[][] results = new float[2][];
        float[][] grads = new float[2][];
        JvmBackend[] backends = {new JvmBackend(1, 1 << 14), new JvmBackend(3, 2)};
        for (int k = 0; k < 2; k++) {
            try (JvmBackend backend = backends[k]; GptModel model = new GptModel(config, backend)) {
                model.initialize(9);
                results[k] = model.forward(tokens, targets, 3, 9).clone();
                model.backward(dlogp);
                grads[k] = model.gradients().clone();
            }
        }
        assertBitIdentical("log p", results[1], results[0]);
        assertBitIdentical("gradients", grads[1], grads[0]);
    }

    @Test
    void initializationIsGpt2AndDeterministic() {
        GptConfig config = new GptConfig(50, 16, 3, 2, 32);
        try (JvmBackend backend = new JvmBackend(1, 1024); GptModel a = new GptModel(config, backend);
             GptModel b = new GptModel(config, backend)) {
            a.initialize(42);
            b.initialize(42);
            assertBitIdentical("init", a.parameters(), b.parameters());
            float[] p = a.parameters();
            var wte = a.layout().tensor("wte.weight");
            assertThat(std(p, wte.offset(), wte.size())).isCloseTo(0.02, org.assertj.core.data.Offset.offset(0.002));
            var proj = a.layout().tensor("h.1.mlp.c_proj.weight");
            assertThat(std(p, proj.offset(), proj.size())).isCloseTo(0.02 / Math.sqrt(6),
                    org.assertj.core.data.Offset.offset(0.001));
            var lnw = a.layout().tensor("h.2.ln_2.weight");
            var bias = a.layout().tensor("h.0.attn.c_attn.bias");
            for (int i = 0; i < lnw.size(); i++) {
                assertThat(p[lnw.offset() + i]).isEqualTo(1f);
            }
            for (int i = 0; i < bias.size(); i++) {
                assertThat(p[bias.offset() + i]).isEqualTo(0f);
            }
            b.initialize(43);
            assertThat(b.parameters()[wte.offset()]).isNotEqualTo(p[wte.offset()]);
        }
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        try (JvmBackend backend = new JvmBackend(1, 1024); GptModel model = new GptModel(TINY, backend)) {
            model.initialize(1);
            assertThatThrownBy(() -> model.forward(new int[6], new int[6], 1, 6))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seqLen");
            assertThatThrownBy(() -> model.forward(new int[4], new int[5], 1, 5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens");
            assertThatThrownBy(() -> model.forward(new int[] {0, 1, 11, 2, 3}, new int[5], 1, 5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens[2] = 11");
            assertThatThrownBy(() -> model.forward(new int[5], new int[] {0, 0, 0, 0, 11}, 1, 5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targets[4]");
            model.forward(new int[5], new int[5], 1, 5);
            assertThatThrownBy(() -> model.backward(new float[4]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dLogProbs");
        }
    }

    @Test
    void shapesCanAlternate() {
        try (JvmBackend backend = new JvmBackend(2, 16); GptModel model = new GptModel(TINY, backend)) {
            model.initialize(2);
            SplittableRandom r = new SplittableRandom(7);
            int[] t1 = tokens(r, 10, 11);
            int[] t2 = tokens(r, 3, 11);
            float[] first = model.forward(t1, t1, 2, 5).clone();
            model.forward(t2, t2, 1, 3);
            assertThat(model.lastShape()).containsExactly(1, 3);
            assertBitIdentical("log p", model.forward(t1, t1, 2, 5), first);
            assertThat(model.logits()).hasSize(10 * 11);
        }
    }

    /** A forward-only model (a frozen reference) gives the same log-probs, prepares no backward program and refuses one. */
    @Test
    void aForwardOnlyModelRunsTheSameForwardAndRefusesABackward() {
        SplittableRandom r = new SplittableRandom(4);
        int[] t = tokens(r, 2 * 5, TINY.vocabSize());
        int[] targets = tokens(r, 2 * 5, TINY.vocabSize());
        try (org.rlcasino.train.FixedShapeBackend counting = new org.rlcasino.train.FixedShapeBackend(1);
             GptModel full = new GptModel(TINY, counting); GptModel frozen = new GptModel(TINY, counting)) {
            randomWeights(full, 5);
            randomWeights(frozen, 5);
            frozen.forwardOnly();
            int before = counting.programsPrepared();
            frozen.prepare(2, 5);
            assertThat(counting.programsPrepared() - before).as("programs of a forward-only shape").isEqualTo(1);
            assertThat(frozen.forward(t, targets, 2, 5)).isEqualTo(full.forward(t, targets, 2, 5));
            assertThatThrownBy(() -> frozen.backward(new float[10])).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("forward passes only");
            assertThatThrownBy(frozen::forwardOnly).isInstanceOf(IllegalStateException.class);
        }
    }

    private static double std(float[] p, int from, int n) {
        double s = 0;
        double s2 = 0;
        for (int i = from; i < from + n; i++) {
            s += p[i];
            s2 += (double) p[i] * p[i];
        }
        double mean = s / n;
        return Math.sqrt(s2 / n - mean * mean);
    }

    private static String tensorOf(GptModel model, int index) {
        for (var t : model.layout().tensors()) {
            if (index >= t.offset() && index < t.offset() + t.size()) {
                return t.name() + "[" + (index - t.offset()) + "]";
            }
        }
        return "?";
    }

    private static double loss(double[] logp, float[] weights) {
        double s = 0;
        for (int i = 0; i < logp.length; i++) {
            s += weights[i] * logp[i];
        }
        return s;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
