package org.rlcasino.train.family;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.train.model.GptConfig;
import org.rlcasino.train.model.GptModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Log-probs at a temperature τ (TRL's GRPO): the forward gives log_softmax(logits / τ), τ = 1 the plain
 * log-softmax bit for bit, and the backward is the gradient of that: for an untied head W, the model at
 * τ equals the model at τ = 1 with head W/τ, whose head gradient is τ times larger and whose other
 * gradients are the same.
 */
class LogProbTemperatureTest {
    private static final Path QWEN2 = Path.of("src/test/resources/families/qwen2-model");
    private static final double TAU = 0.7;

    @Test
    void theForwardIsTheLogSoftmaxOfTheDividedLogits() throws Exception {
        int batch = 2;
        int seqLen = 6;
        try (JvmBackend backend = new JvmBackend(2, 64); DecoderModel model = DecoderModel.open(QWEN2, backend)) {
            int v = model.architecture().vocabSize();
            SplittableRandom r = new SplittableRandom(3);
            int[] tokens = r.ints(batch * seqLen, 0, v).toArray();
            int[] targets = r.ints(batch * seqLen, 0, v).toArray();
            targets[4] = -1;
            float[] plain = model.forward(tokens, targets, batch, seqLen).clone();
            float[] logits = model.logits().clone();
            model.logProbTemperature(TAU);
            float[] divided = model.forward(tokens, targets, batch, seqLen).clone();
            float[] expected = logSoftmax(logits, targets, v, TAU);
            assertClose("log-probs at τ", divided, expected, 1e-5, 1e-5);
            assertThat(model.logits()).as("logits stay undivided").isEqualTo(logits);
            model.logProbTemperature(1);
            assertThat(model.forward(tokens, targets, batch, seqLen)).as("τ = 1 again").isEqualTo(plain);
        }
    }

    @Test
    void theBackwardIsTheGradientAtTheTemperature() throws Exception {
        int batch = 2;
        int seqLen = 5;
        try (JvmBackend backend = new JvmBackend(1, 64);
             DecoderModel warm = DecoderModel.open(QWEN2, backend);
             DecoderModel scaledHead = DecoderModel.open(QWEN2, backend)) {
            int v = warm.architecture().vocabSize();
            SplittableRandom r = new SplittableRandom(5);
            int[] tokens = r.ints(batch * seqLen, 0, v).toArray();
            int[] targets = r.ints(batch * seqLen, 0, v).toArray();
            float[] dlogp = new float[batch * seqLen];
            for (int i = 0; i < dlogp.length; i++) {
                dlogp[i] = (float) r.nextGaussian();
            }
            TensorView head = warm.layout().tensor("lm_head.weight");
            float[] p = scaledHead.parameters();
            for (int i = head.offset(); i < head.offset() + head.size(); i++) {
                p[i] = (float) (p[i] / TAU);
            }
            scaledHead.parametersWritten();

            warm.logProbTemperature(TAU);
            float[] atTau = warm.forward(tokens, targets, batch, seqLen).clone();
            warm.zeroGradients();
            warm.backward(dlogp);
            float[] gradTau = warm.gradientsOnHost().clone();

            float[] atOne = scaledHead.forward(tokens, targets, batch, seqLen).clone();
            scaledHead.zeroGradients();
            scaledHead.backward(dlogp);
            float[] expected = scaledHead.gradientsOnHost().clone();
            for (int i = head.offset(); i < head.offset() + head.size(); i++) {
                expected[i] = (float) (expected[i] / TAU); // d/dW L(W/τ) = (1/τ)·L'(W/τ)
            }
            assertClose("log-probs", atTau, atOne, 1e-5, 1e-5);
            assertClose("gradients", gradTau, expected, 1e-4, 1e-5);
        }
    }

    @Test
    void gpt2TakesTheTemperatureToo() {
        try (JvmBackend backend = new JvmBackend(1, 64); GptModel model = new GptModel(new GptConfig(17, 8, 1, 2, 8), backend)) {
            model.initialize(2);
            int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8};
            int[] targets = {2, 3, 4, 5, 6, 7, 8, 9};
            model.forward(tokens, targets, 1, 8);
            float[] logits = model.logits().clone();
            model.logProbTemperature(2.0);
            assertClose("GPT-2 log-probs at τ = 2", model.forward(tokens, targets, 1, 8), logSoftmax(logits, targets, 17, 2.0), 1e-5, 1e-5);
        }
    }

    /** log_softmax(logits / τ)[target] per position in double (0 for a negative target). */
    private static float[] logSoftmax(float[] logits, int[] targets, int v, double tau) {
        float[] out = new float[targets.length];
        for (int i = 0; i < out.length; i++) {
            if (targets[i] >= 0) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < v; j++) {
                    max = Math.max(max, logits[i * v + j] / tau);
                }
                double sum = 0;
                for (int j = 0; j < v; j++) {
                    sum += Math.exp(logits[i * v + j] / tau - max);
                }
                out[i] = (float) (logits[i * v + targets[i]] / tau - max - Math.log(sum));
            }
        }
        return out;
    }
}
