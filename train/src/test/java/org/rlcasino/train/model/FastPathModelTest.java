package org.rlcasino.train.model;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.rlcasino.kernels.FastPaths;
import org.rlcasino.kernels.JvmBackend;

import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * The model with the JVM fast paths against the reference kernels: the exact fast paths (matmuls,
 * attention) change no bit of log-probs or gradients; all fast paths (adding the GELU ones, within
 * their tolerance) change them only within float32 rounding; either gives the same bits at any
 * thread count.
 */
class FastPathModelTest {

    private record Run(float[] logProbs, float[] gradients) {}

    private static Run run(GptConfig config, int batch, int seqLen, int threads, FastPaths fastPaths) {
        try (JvmBackend backend = new JvmBackend(threads, 1 << 14, fastPaths); GptModel model = new GptModel(config, backend)) {
            model.initialize(17);
            SplittableRandom r = new SplittableRandom(3);
            int n = batch * seqLen;
            int[] tokens = new int[n];
            int[] targets = new int[n];
            float[] dLogProbs = new float[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = r.nextInt(config.vocabSize());
                targets[i] = r.nextInt(config.vocabSize());
                dLogProbs[i] = (float) -r.nextDouble();
            }
            float[] logProbs = model.forward(tokens, targets, batch, seqLen).clone();
            model.zeroGradients();
            model.backward(dLogProbs);
            return new Run(logProbs, model.gradients().clone());
        }
    }

    @Test
    void exactFastPathsChangeNoBitOfLogProbsOrGradients() {
        // odd sizes everywhere: rows B·T = 65, widths not multiples of the vector length
        GptConfig config = new GptConfig(37, 13, 2, 4, 36);
        Run reference = run(config, 5, 13, 1, FastPaths.NONE);
        for (int threads : new int[] {1, 2, 3}) {
            Run fast = run(config, 5, 13, threads, FastPaths.EXACT);
            assertBitIdentical("log p, " + threads + " threads", fast.logProbs(), reference.logProbs());
            assertBitIdentical("gradients, " + threads + " threads", fast.gradients(), reference.gradients());
        }
    }

    @Test
    void exactFastPathsChangeNoBitAtTheBenchmarkWidth() {
        // head size 64: the attention fast paths run (not their fallback)
        GptConfig config = new GptConfig(64, 16, 1, 4, 256);
        Run reference = run(config, 4, 16, 2, FastPaths.NONE);
        Run fast = run(config, 4, 16, 2, FastPaths.EXACT);
        assertBitIdentical("log p", fast.logProbs(), reference.logProbs());
        assertBitIdentical("gradients", fast.gradients(), reference.gradients());
    }

    @Test
    void allFastPathsStayWithinRoundingOfTheReferenceAndDoNotDependOnThreads() {
        GptConfig config = new GptConfig(64, 16, 2, 4, 256);
        Run reference = run(config, 4, 16, 1, FastPaths.NONE);
        Run fast = run(config, 4, 16, 1, FastPaths.ALL);
        assertClose("log p", fast.logProbs(), reference.logProbs(), 1e-5, 1e-5);
        assertClose("gradients", fast.gradients(), reference.gradients(), 1e-6, 1e-3);
        Run twoThreads = run(config, 4, 16, 2, FastPaths.ALL);
        assertBitIdentical("log p, 2 threads", twoThreads.logProbs(), fast.logProbs());
        assertBitIdentical("gradients, 2 threads", twoThreads.gradients(), fast.gradients());
    }
}
