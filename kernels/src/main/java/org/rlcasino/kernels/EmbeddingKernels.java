package org.rlcasino.kernels;

/**
 * Token + position embedding of the GPT trainer (llm.c's {@code encoder_forward/backward}):
 * {@code out[i][c] = wte[tokens[i]][c] + wpe[positions[i]][c]} for N rows of C channels. Both
 * tables live in one flat parameter (or gradient) buffer at the offsets given in {@code dims}:
 * <pre>
 *   dims[D_ROWS]  N, the number of (batch, time) rows
 *   dims[D_C]     C, the channels
 *   dims[D_WTE]   element offset of wte (V, C) in params / grads
 *   dims[D_WPE]   element offset of wpe (maxT, C) in params / grads
 * </pre>
 * Token ids and positions are validated by the caller (inside [0, V) and [0, maxT)).
 */
public final class EmbeddingKernels {
    public static final int D_ROWS = 0;
    public static final int D_C = 1;
    public static final int D_WTE = 2;
    public static final int D_WPE = 3;
    /** The token-only kernels' slot of {@link #D_WPE}: the padding token, whose row gets no gradient (-1: none). */
    public static final int D_PADDING = 3;
    public static final int DIMS_LENGTH = 4;

    private EmbeddingKernels() {}

    /** A {@code dims} array for the kernels ({@code wpeOffset}: the padding token for the token-only ones). */
    public static int[] dims(int rows, int c, int wteOffset, int wpeOffset) {
        return new int[] {rows, c, wteOffset, wpeOffset};
    }

    /**
     * {@code out[i][c] = params[wte + tokens[i]·C + c] + params[wpe + positions[i]·C + c]}.
     * Shapes: out (N, C), tokens (N), positions (N). Iterations: the N rows.
     */
    public static void embeddingForward(float[] out, int[] tokens, int[] positions, float[] params, int[] dims,
                                        int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int i = offset + x;
            int c = dims[D_C];
            int te = dims[D_WTE] + tokens[i] * c;
            int pe = dims[D_WPE] + positions[i] * c;
            int o = i * c;
            for (int k = 0; k < c; k++) {
                out[o + k] = params[te + k] + params[pe + k];
            }
        }
    }

    /**
     * {@code dwte[tokens[i]][c] += dout[i][c]} and {@code dwpe[positions[i]][c] += dout[i][c]},
     * for i ascending. Shapes: grads holds dwte (V, C) and dwpe (maxT, C) at the dims offsets,
     * dout (N, C). Iterations: the C channels; channel c owns column c of both tables, so repeated
     * tokens never race and every sum runs over the rows in the same order.
     */
    public static void embeddingBackward(float[] grads, float[] dout, int[] tokens, int[] positions, int[] dims,
                                         int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int k = offset + x;
            int n = dims[D_ROWS];
            int c = dims[D_C];
            int wte = dims[D_WTE] + k;
            int wpe = dims[D_WPE] + k;
            for (int i = 0; i < n; i++) {
                float d = dout[i * c + k];
                int te = wte + tokens[i] * c;
                int pe = wpe + positions[i] * c;
                grads[te] = grads[te] + d;
                grads[pe] = grads[pe] + d;
            }
        }
    }

    /**
     * The token-only embedding of the Llama-family models (their positions are rotary, not a table):
     * {@code out[i][c] = params[wte + tokens[i]·C + c]·scale[0]}, with {@code scale[0]} 1, or
     * Gemma's {@code √hidden} rounded to float32 ({@code dims[D_WPE]} unused). Shapes: out (N, C),
     * tokens (N). Iterations: the N rows.
     */
    public static void tokenEmbeddingForward(float[] out, int[] tokens, float[] params, float[] scale, int[] dims, int offset,
                                             int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int i = offset + x;
            int c = dims[D_C];
            int te = dims[D_WTE] + tokens[i] * c;
            int o = i * c;
            for (int k = 0; k < c; k++) {
                out[o + k] = params[te + k] * scale[0];
            }
        }
    }

    /**
     * {@code dwte[tokens[i]][c] += dout[i][c]·scale[0]} for i ascending, skipping the padding token
     * {@code dims[D_PADDING]} (as PyTorch's {@code nn.Embedding(padding_idx)}: that row learns nothing
     * from lookups; -1 for none). Iterations: the C channels (channel c owns column c of the table, so
     * repeated tokens never race).
     */
    public static void tokenEmbeddingBackward(float[] grads, float[] dout, int[] tokens, float[] scale, int[] dims, int offset,
                                              int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int k = offset + x;
            int n = dims[D_ROWS];
            int c = dims[D_C];
            int wte = dims[D_WTE] + k;
            int padding = dims[D_PADDING];
            for (int i = 0; i < n; i++) {
                if (tokens[i] != padding) {
                    int te = wte + tokens[i] * c;
                    grads[te] = grads[te] + dout[i * c + k] * scale[0];
                }
            }
        }
    }
}
