package org.rlcasino.kernels;

/**
 * LayerNorm over the last dimension (GPT-2: eps 1e-5, biased variance), per row of C channels:
 * {@code mean = Σx/C}, {@code var = Σ(x−mean)²/C}, {@code rstd = 1/sqrt(var + eps)},
 * {@code y = (x−mean)·rstd·w + b}. The weight w and bias b live in the flat parameter buffer:
 * <pre>
 *   dims[D_ROWS]   N, rows
 *   dims[D_C]      C, channels
 *   dims[D_W]      element offset of the weight (C) in params / grads
 *   dims[D_B]      element offset of the bias (C) in params / grads
 *   dims[D_FLAGS]  F_ACCUMULATE: the input gradient adds into dx instead of overwriting it
 * </pre>
 * Sums run over channels (or rows) in ascending order, so results do not depend on chunking.
 */
public final class LayerNormKernels {
    public static final int D_ROWS = 0;
    public static final int D_C = 1;
    public static final int D_W = 2;
    public static final int D_B = 3;
    public static final int D_FLAGS = 4;
    public static final int DIMS_LENGTH = 5;
    /** Add the input gradient to dx (residual streams) instead of overwriting it. */
    public static final int F_ACCUMULATE = 1;
    /** GPT-2's LayerNorm epsilon. */
    public static final float EPS = 1e-5f;

    private LayerNormKernels() {}

    /** A {@code dims} array for the kernels. */
    public static int[] dims(int rows, int c, int wOffset, int bOffset, int flags) {
        return new int[] {rows, c, wOffset, bOffset, flags};
    }

    /**
     * {@code out[i][c] = (x[i][c]−mean_i)·rstd_i·w[c] + b[c]}, storing {@code mean[i]} and
     * {@code rstd[i]} for the backward pass. Shapes: out, x (N, C); mean, rstd (N).
     * Iterations: the N rows.
     */
    public static void layerNormForward(float[] out, float[] mean, float[] rstd, float[] x, float[] params,
                                        int[] dims, int offset, int count) {
        for (@Parallel int r = 0; r < count; r++) {
            int i = offset + r;
            int c = dims[D_C];
            int w = dims[D_W];
            int b = dims[D_B];
            int row = i * c;
            float sum = 0f;
            for (int k = 0; k < c; k++) {
                sum = sum + x[row + k];
            }
            float m = sum / c;
            float sq = 0f;
            for (int k = 0; k < c; k++) {
                float d = x[row + k] - m;
                sq = sq + d * d;
            }
            float s = 1f / (float) Math.sqrt(sq / c + EPS);
            for (int k = 0; k < c; k++) {
                out[row + k] = (x[row + k] - m) * s * params[w + k] + params[b + k];
            }
            mean[i] = m;
            rstd[i] = s;
        }
    }

    /**
     * Input gradient: with {@code x̂ = (x−mean)·rstd} and {@code g = dy·w},
     * {@code dx = rstd·(g − mean_c(g) − x̂·mean_c(g·x̂))}, written to dx or added to it (F_ACCUMULATE).
     * Shapes: dx, dy, x (N, C); mean, rstd (N). Iterations: the N rows.
     */
    public static void layerNormBackwardInput(float[] dx, float[] dy, float[] x, float[] mean, float[] rstd,
                                              float[] params, int[] dims, int offset, int count) {
        for (@Parallel int r = 0; r < count; r++) {
            int i = offset + r;
            int c = dims[D_C];
            int w = dims[D_W];
            boolean accumulate = (dims[D_FLAGS] & F_ACCUMULATE) != 0;
            int row = i * c;
            float m = mean[i];
            float s = rstd[i];
            float gSum = 0f;
            float gxSum = 0f;
            for (int k = 0; k < c; k++) {
                float g = dy[row + k] * params[w + k];
                float xh = (x[row + k] - m) * s;
                gSum = gSum + g;
                gxSum = gxSum + g * xh;
            }
            float gMean = gSum / c;
            float gxMean = gxSum / c;
            for (int k = 0; k < c; k++) {
                float g = dy[row + k] * params[w + k];
                float xh = (x[row + k] - m) * s;
                float d = (g - gMean - xh * gxMean) * s;
                if (accumulate) {
                    dx[row + k] = dx[row + k] + d;
                } else {
                    dx[row + k] = d;
                }
            }
        }
    }

    /**
     * Parameter gradients, added into grads: {@code dw[c] += Σ_i dy[i][c]·x̂[i][c]},
     * {@code db[c] += Σ_i dy[i][c]}, rows in ascending order. Shapes: dy, x (N, C); mean, rstd (N).
     * Iterations: the C channels.
     */
    public static void layerNormBackwardParams(float[] grads, float[] dy, float[] x, float[] mean, float[] rstd,
                                               int[] dims, int offset, int count) {
        for (@Parallel int kk = 0; kk < count; kk++) {
            int k = offset + kk;
            int n = dims[D_ROWS];
            int c = dims[D_C];
            float dw = 0f;
            float db = 0f;
            for (int i = 0; i < n; i++) {
                float d = dy[i * c + k];
                float xh = (x[i * c + k] - mean[i]) * rstd[i];
                dw = dw + d * xh;
                db = db + d;
            }
            int w = dims[D_W] + k;
            int b = dims[D_B] + k;
            grads[w] = grads[w] + dw;
            grads[b] = grads[b] + db;
        }
    }
}
