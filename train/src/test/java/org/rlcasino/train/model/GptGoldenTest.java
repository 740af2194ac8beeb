package org.rlcasino.train.model;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.rlcasino.io.safetensors.SafetensorsFile;
import org.rlcasino.optimizer.AdamW;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.kernels.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * The model against PyTorch 1.13, as llm.c's test_gpt2 does: the fixture of
 * {@code train/src/test/python/gen_gpt2_golden.py} holds a small GPT-2's initial weights (HF
 * names), one batch, torch's logits, mean cross-entropy, every parameter gradient, and the losses
 * and final weights of 10 {@code torch.optim.AdamW} steps on that batch. Tolerances (float32 on
 * both sides, different summation orders):
 * <ul>
 *   <li>logits: 1e-5 abs + 1e-4 rel; loss: 1e-5 abs;</li>
 *   <li>gradients: 1e-6 abs + 1e-3 rel per element (values are up to ~0.1);</li>
 *   <li>AdamW losses: 1e-5 abs each; final weights: 1e-4 abs + 1e-3 rel.</li>
 * </ul>
 */
class GptGoldenTest {
    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(GptGoldenTest.class.getResource("/gpt2-golden/" + name).toURI());
    }

    @Test
    void matchesPyTorch() throws Exception {
        try (SafetensorsFile weights = SafetensorsFile.open(fixture("model.safetensors"));
             SafetensorsFile golden = SafetensorsFile.open(fixture("golden.safetensors"));
             JvmBackend backend = new JvmBackend(2, 1 << 14)) {
            var meta = weights.metadata();
            GptConfig config = new GptConfig(Integer.parseInt(meta.get("vocab_size")), Integer.parseInt(meta.get("n_positions")),
                    Integer.parseInt(meta.get("n_layer")), Integer.parseInt(meta.get("n_head")), Integer.parseInt(meta.get("n_embd")));
            int batch = Integer.parseInt(golden.metadata().get("batch"));
            int seqLen = Integer.parseInt(golden.metadata().get("seq_len"));
            try (GptModel model = new GptModel(config, backend)) {
                load(model, weights, "");
                int[] tokens = golden.readInts("tokens");
                int[] targets = golden.readInts("targets");
                int n = batch * seqLen;
                int counted = 0;
                for (int t : targets) {
                    counted += t >= 0 ? 1 : 0;
                }
                float[] dlogp = new float[n];
                for (int i = 0; i < n; i++) {
                    dlogp[i] = targets[i] >= 0 ? -1f / counted : 0f;
                }

                model.zeroGradients();
                float[] logp = model.forward(tokens, targets, batch, seqLen);
                double loss = loss(logp, counted);
                double dLogits = assertClose("logits", model.logits(), golden.readFloats("logits"), 1e-5, 1e-4);
                float torchLoss = golden.readFloats("loss")[0];
                System.out.printf("golden: logits max |Δ| %.3g; loss java %.7f torch %.7f |Δ| %.3g%n", dLogits, loss,
                        torchLoss, Math.abs(loss - torchLoss));
                assertThat(Math.abs(loss - torchLoss)).isLessThan(1e-5);

                model.backward(dlogp);
                double maxGrad = 0;
                double maxGradRel = 0;
                for (var t : model.layout().tensors()) {
                    float[] expected = golden.readFloats("grad." + t.name());
                    float[] actual = slice(model.gradients(), t.offset(), t.size());
                    maxGrad = Math.max(maxGrad, assertClose("grad." + t.name(), actual, expected, 1e-6, 1e-3));
                    maxGradRel = Math.max(maxGradRel, maxRel(actual, expected));
                }
                System.out.printf("golden: gradients max |Δ| %.3g, max rel (|expected| > 1e-4) %.3g%n", maxGrad, maxGradRel);

                var gm = golden.metadata();
                AdamWConfig adamw = AdamWConfig.defaults().withLr(Double.parseDouble(gm.get("lr")))
                        .withBetas(Double.parseDouble(gm.get("beta1")), Double.parseDouble(gm.get("beta2")))
                        .withEps(Double.parseDouble(gm.get("eps"))).withWeightDecay(Double.parseDouble(gm.get("weight_decay")));
                AdamW optimizer = new AdamW(adamw, model.layout(), backend);
                load(model, weights, "");
                float[] torchLosses = golden.readFloats("losses");
                double maxLoss = 0;
                for (int step = 0; step < torchLosses.length; step++) {
                    model.zeroGradients();
                    double l = loss(model.forward(tokens, targets, batch, seqLen), counted);
                    maxLoss = Math.max(maxLoss, Math.abs(l - torchLosses[step]));
                    assertThat(Math.abs(l - torchLosses[step])).as("loss before step %d: java %f torch %f", step, l,
                            torchLosses[step]).isLessThan(1e-5);
                    model.backward(dlogp);
                    optimizer.step(model.parameters(), model.gradients());
                }
                double maxFinal = 0;
                for (var t : model.layout().tensors()) {
                    maxFinal = Math.max(maxFinal, assertClose("final." + t.name(), slice(model.parameters(), t.offset(),
                            t.size()), golden.readFloats("final." + t.name()), 1e-4, 1e-3));
                }
                System.out.printf("golden: %d AdamW steps, loss %.5f -> %.5f, max |Δ loss| %.3g, final weights max |Δ| %.3g%n",
                        torchLosses.length, torchLosses[0], torchLosses[torchLosses.length - 1], maxLoss, maxFinal);
            }
        }
    }

    private static void load(GptModel model, SafetensorsFile file, String prefix) {
        for (var t : model.layout().tensors()) {
            file.readFloats(prefix + t.name(), 0, model.parameters(), t.offset(), t.size());
        }
    }

    private static double loss(float[] logp, int counted) {
        double s = 0;
        for (float x : logp) {
            s -= x;
        }
        return s / counted;
    }

    private static float[] slice(float[] x, int from, int n) {
        float[] out = new float[n];
        System.arraycopy(x, from, out, 0, n);
        return out;
    }

    private static double maxRel(float[] actual, float[] expected) {
        double m = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Math.abs(expected[i]) > 1e-4) {
                m = Math.max(m, Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]));
            }
        }
        return m;
    }
}
