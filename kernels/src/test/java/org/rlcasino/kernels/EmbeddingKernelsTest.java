package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/** Embedding kernels against scalar oracles; bit-identical for any split (see {@link KernelRuns}). */
class EmbeddingKernelsTest {
    private static final int V = 9;
    private static final int MAX_T = 6;
    private static final int C = 5;
    private static final int WTE = 3;
    private static final int WPE = WTE + V * C + 2;
    private static final int SIZE = WPE + MAX_T * C + 4;

    @Test
    void forwardAddsTokenAndPositionRows() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 14;
        int[] tokens = KernelRuns.ints(r, n, V);
        int[] positions = KernelRuns.ints(r, n, MAX_T);
        float[] params = KernelRuns.gaussian(r, SIZE, 1);
        Object[] out = KernelRuns.runEverywhere("embedding", new Object[] {new float[n * C], tokens, positions, params},
                a -> KernelCall.builder("test.embedding", Kernel.EMBEDDING_FORWARD).output((float[]) a[0])
                        .input((int[]) a[1]).input((int[]) a[2]).input((float[]) a[3])
                        .constant(EmbeddingKernels.dims(n, C, WTE, WPE)).over(n));
        float[] expected = new float[n * C];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < C; c++) {
                expected[i * C + c] = params[WTE + tokens[i] * C + c] + params[WPE + positions[i] * C + c];
            }
        }
        assertBitIdentical("embedding", (float[]) out[0], expected);
    }

    @Test
    void backwardAccumulatesRepeatedTokensWithoutRaces() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 40; // many repeats of the 9 tokens and 6 positions
        int[] tokens = KernelRuns.ints(r, n, V);
        int[] positions = KernelRuns.ints(r, n, MAX_T);
        float[] grads = KernelRuns.gaussian(r, SIZE, 1);
        float[] dout = KernelRuns.gaussian(r, n * C, 1);
        Object[] out = KernelRuns.runEverywhere("embedding backward", new Object[] {grads, dout, tokens, positions},
                a -> KernelCall.builder("test.embedding_backward", Kernel.EMBEDDING_BACKWARD).state((float[]) a[0])
                        .input((float[]) a[1]).input((int[]) a[2]).input((int[]) a[3])
                        .constant(EmbeddingKernels.dims(n, C, WTE, WPE)).over(C));
        double[] expected = new double[SIZE];
        for (int i = 0; i < SIZE; i++) {
            expected[i] = grads[i];
        }
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < C; c++) {
                expected[WTE + tokens[i] * C + c] += dout[i * C + c];
                expected[WPE + positions[i] * C + c] += dout[i * C + c];
            }
        }
        assertClose("embedding backward", (float[]) out[0], toFloat(expected), 1e-5, 1e-5);
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    @Test
    void tokenEmbeddingScalesRowsAndItsBackwardAccumulatesRepeatedTokens() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 30;
        int[] tokens = KernelRuns.ints(r, n, V);
        float[] params = KernelRuns.gaussian(r, SIZE, 1);
        float[] scale = {(float) Math.sqrt(C)};
        int[] dims = EmbeddingKernels.dims(n, C, WTE, -1); // no padding token
        Object[] out = KernelRuns.runEverywhere("token embedding", new Object[] {new float[n * C], tokens, params, scale},
                a -> KernelCall.builder("test.token_embedding", Kernel.TOKEN_EMBEDDING_FORWARD).output((float[]) a[0])
                        .input((int[]) a[1]).input((float[]) a[2]).constant((float[]) a[3]).constant(dims).over(n));
        float[] expected = new float[n * C];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < C; c++) {
                expected[i * C + c] = params[WTE + tokens[i] * C + c] * scale[0];
            }
        }
        assertBitIdentical("token embedding", (float[]) out[0], expected);
        float[] grads = KernelRuns.gaussian(r, SIZE, 1);
        float[] dout = KernelRuns.gaussian(r, n * C, 1);
        Object[] back = KernelRuns.runEverywhere("token embedding backward", new Object[] {grads, dout, tokens, scale},
                a -> KernelCall.builder("test.token_embedding_backward", Kernel.TOKEN_EMBEDDING_BACKWARD).state((float[]) a[0])
                        .input((float[]) a[1]).input((int[]) a[2]).constant((float[]) a[3]).constant(dims).over(C));
        double[] want = new double[SIZE];
        for (int i = 0; i < SIZE; i++) {
            want[i] = grads[i];
        }
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < C; c++) {
                want[WTE + tokens[i] * C + c] += (double) dout[i * C + c] * scale[0];
            }
        }
        float[] wantF = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            wantF[i] = (float) want[i];
        }
        assertClose("token embedding backward", (float[]) back[0], wantF, 1e-5, 1e-5);
        // with a padding token, its row receives nothing from lookups (nn.Embedding(padding_idx))
        int pad = tokens[0];
        int[] padded = EmbeddingKernels.dims(n, C, WTE, pad);
        float[] withPad = grads.clone();
        EmbeddingKernels.tokenEmbeddingBackward(withPad, dout, tokens, scale, padded, 0, C);
        for (int c = 0; c < C; c++) {
            org.assertj.core.api.Assertions.assertThat(withPad[WTE + pad * C + c]).isEqualTo(grads[WTE + pad * C + c]);
        }
    }
}
