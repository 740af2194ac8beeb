package org.rlcasino.train.model;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.rlcasino.tasks.JvmBackend;

import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/** The model gives the same log-probs and gradients, bit for bit, with and without the Vector API matmuls. */
class MatmulFastPathModelTest {

    private record Run(float[] logProbs, float[] gradients) {}

    private static Run run(GptConfig config, int batch, int seqLen, int threads, boolean fastPaths) {
        boolean before = MatmulCalls.jvmFastPaths;
        MatmulCalls.jvmFastPaths = fastPaths;
        try (JvmBackend backend = new JvmBackend(threads, 1 << 14); GptModel model = new GptModel(config, backend)) {
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
        } finally {
            MatmulCalls.jvmFastPaths = before;
        }
    }

    @Test
    void fastPathsChangeNoBitOfLogProbsOrGradients() {
        // odd sizes everywhere: rows B·T = 65, widths not multiples of the vector length
        GptConfig config = new GptConfig(37, 13, 2, 4, 36);
        Run reference = run(config, 5, 13, 1, false);
        for (int threads : new int[] {1, 2, 3}) {
            Run fast = run(config, 5, 13, threads, true);
            assertBitIdentical("log p, " + threads + " threads", fast.logProbs(), reference.logProbs());
            assertBitIdentical("gradients, " + threads + " threads", fast.gradients(), reference.gradients());
        }
    }

    @Test
    void fastPathsChangeNoBitAtTheBenchmarkWidth() {
        GptConfig config = new GptConfig(64, 16, 1, 4, 256);
        Run reference = run(config, 4, 16, 2, false);
        Run fast = run(config, 4, 16, 2, true);
        assertBitIdentical("log p", fast.logProbs(), reference.logProbs());
        assertBitIdentical("gradients", fast.gradients(), reference.gradients());
    }
}
