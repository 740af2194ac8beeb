package org.rlcasino.kernels;

/**
 * RMSNorm over the last dimension (Llama, Mistral, Qwen, Gemma), per row of C channels:
 * {@code rstd = 1/sqrt(Σx²/C + eps)}, {@code y = x·rstd·w'} with {@code w' = w}, or
 * {@code w' = 1 + w} for Gemma's form (flag {@link #F_PLUS_ONE}, its weights stored as offsets from
 * one). The weight lives in the flat parameter buffer; eps in {@code eps[0]} (a run constant that
 * TornadoVM would otherwise bake into the compiled kernel as a scalar, so it travels as an array).
 * <pre>
 *   dims[D_ROWS]   N, rows
 *   dims[D_C]      C, channels
 *   dims[D_W]      element offset of the weight (C) in params / grads
 *   dims[D_FLAGS]  F_ACCUMULATE (the input gradient adds into dx), F_PLUS_ONE (Gemma's 1 + w)
 * </pre>
 * Sums run over channels (or rows) in ascending order, so results do not depend on chunking.
 */
public final class RmsNormKernels {
    public static final int D_ROWS = 0;
    public static final int D_C = 1;
    public static final int D_W = 2;
    public static final int D_FLAGS = 3;
    public static final int DIMS_LENGTH = 4;
    /** Add the input gradient to dx (residual streams) instead of overwriting it. */
    public static final int F_ACCUMULATE = 1;
    /** Scale by {@code 1 + w} (Gemma) instead of {@code w}. */
    public static final int F_PLUS_ONE = 2;

    private RmsNormKernels() {}

    /** A {@code dims} array for the kernels. */
    public static int[] dims(int rows, int c, int wOffset, int flags) {
        return new int[] {rows, c, wOffset, flags};
    }

    /** {@code w'[k]}: the weight, or one plus it. */
    static float scale(float[] params, int w, int k, boolean plusOne) {
        return plusOne ? 1f + params[w + k] : params[w + k];
    }

    /**
     * {@code out[i][c] = x[i][c]·rstd_i·w'[c]}, storing {@code rstd[i]} for the backward pass.
     * Shapes: out, x (N, C); rstd (N); eps (1). Iterations: the N rows.
     */
    public static void rmsNormForward(float[] out, float[] rstd, float[] x, float[] params, float[] eps, int[] dims,
                                      int offset, int count) {
        for (@Parallel int r = 0; r < count; r++) {
            int i = offset + r;
            int c = dims[D_C];
            int w = dims[D_W];
            boolean plusOne = (dims[D_FLAGS] & F_PLUS_ONE) != 0;
            int row = i * c;
            float sq = 0f;
            for (int k = 0; k < c; k++) {
                sq = sq + x[row + k] * x[row + k];
            }
            float s = 1f / (float) Math.sqrt(sq / c + eps[0]);
            for (int k = 0; k < c; k++) {
                out[row + k] = x[row + k] * s * scale(params, w, k, plusOne);
            }
            rstd[i] = s;
        }
    }

    /**
     * Input gradient: with {@code g = dy·w'}, {@code dx = rstd·g − x·rstd³·Σ_c(g·x)/C}, written to
     * dx or added to it (F_ACCUMULATE). Shapes: dx, dy, x (N, C); rstd (N). Iterations: the N rows.
     */
    public static void rmsNormBackwardInput(float[] dx, float[] dy, float[] x, float[] rstd, float[] params, int[] dims,
                                            int offset, int count) {
        for (@Parallel int r = 0; r < count; r++) {
            int i = offset + r;
            int c = dims[D_C];
            int w = dims[D_W];
            boolean accumulate = (dims[D_FLAGS] & F_ACCUMULATE) != 0;
            boolean plusOne = (dims[D_FLAGS] & F_PLUS_ONE) != 0;
            int row = i * c;
            float s = rstd[i];
            float gx = 0f;
            for (int k = 0; k < c; k++) {
                gx = gx + dy[row + k] * scale(params, w, k, plusOne) * x[row + k];
            }
            float coefficient = s * s * s * gx / c;
            for (int k = 0; k < c; k++) {
                float d = s * dy[row + k] * scale(params, w, k, plusOne) - x[row + k] * coefficient;
                if (accumulate) {
                    dx[row + k] = dx[row + k] + d;
                } else {
                    dx[row + k] = d;
                }
            }
        }
    }

    /**
     * Weight gradient, added into grads (the same for both forms): {@code dw[c] += Σ_i dy[i][c]·x[i][c]·rstd_i},
     * rows in ascending order. Shapes: dy, x (N, C); rstd (N). Iterations: the C channels.
     */
    public static void rmsNormBackwardParams(float[] grads, float[] dy, float[] x, float[] rstd, int[] dims, int offset,
                                             int count) {
        for (@Parallel int kk = 0; kk < count; kk++) {
            int k = offset + kk;
            int n = dims[D_ROWS];
            int c = dims[D_C];
            float dw = 0f;
            for (int i = 0; i < n; i++) {
                dw = dw + dy[i * c + k] * x[i * c + k] * rstd[i];
            }
            int w = dims[D_W] + k;
            grads[w] = grads[w] + dw;
        }
    }
}
