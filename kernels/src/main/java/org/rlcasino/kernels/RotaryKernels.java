package org.rlcasino.kernels;

/**
 * Rotary position embeddings (RoPE) in Hugging Face's "rotate half" layout, in place on the query
 * or key heads of a projection: for head channels {@code [0, d)}, pair j (j < d/2) is channels
 * {@code j} and {@code j + d/2}, rotated by the angle of the row's position:
 * <pre>
 *   y_j       = x_j·cos − x_{j+d/2}·sin
 *   y_{j+d/2} = x_{j+d/2}·cos + x_j·sin        cos = cos[p·d/2 + j], sin = sin[p·d/2 + j], p = positions[i]
 * </pre>
 * The tables (maxPositions, d/2) are computed on the host, so any frequency schedule (the
 * default {@code θ^(−2j/d)}, Llama 3's {@code rope_scaling}, Gemma 3's local and global bases)
 * is a choice of table. Heads are {@code heads} blocks of d channels starting at column
 * {@code start} of rows of {@code stride} floats (e.g. the query or key part of a fused QKV row).
 * <pre>
 *   dims[D_ROWS] N, dims[D_STRIDE] row stride, dims[D_START] first column, dims[D_HEADS] heads, dims[D_HEAD_DIM] d (even)
 * </pre>
 * Iterations: the N·heads·d/2 pairs; each rewrites only its own two channels.
 */
public final class RotaryKernels {
    public static final int D_ROWS = 0;
    public static final int D_STRIDE = 1;
    public static final int D_START = 2;
    public static final int D_HEADS = 3;
    public static final int D_HEAD_DIM = 4;
    public static final int DIMS_LENGTH = 5;

    private RotaryKernels() {}

    /** A {@code dims} array for the kernels. */
    public static int[] dims(int rows, int stride, int start, int heads, int headDim) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary head size must be even, got " + headDim);
        }
        if (start < 0 || (long) start + (long) heads * headDim > stride) {
            throw new IllegalArgumentException(heads + " heads of " + headDim + " channels from column " + start
                    + " do not fit rows of " + stride);
        }
        return new int[] {rows, stride, start, heads, headDim};
    }

    /**
     * The tables of the default schedule: angle {@code p·base^(−2j/d)} for positions
     * {@code [0, maxPositions)} and pairs {@code [0, d/2)}, computed in double and rounded (as
     * {@code transformers} computes its inverse frequencies in float32 and the angles in float32,
     * results differ from it by at most a float32 rounding of the angle). Returns {cos, sin}.
     */
    public static float[][] tables(int maxPositions, int headDim, double base) {
        int half = headDim / 2;
        float[] cos = new float[maxPositions * half];
        float[] sin = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++) {
            for (int j = 0; j < half; j++) {
                double angle = p * Math.pow(base, -2.0 * j / headDim);
                cos[p * half + j] = (float) Math.cos(angle);
                sin[p * half + j] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }

    /** Rotates x in place. Shapes: x (N, stride); cos, sin (maxPositions, d/2); positions (N). */
    public static void rotaryForward(float[] x, float[] cos, float[] sin, int[] positions, int[] dims, int offset,
                                     int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int e = offset + k;
            int half = dims[D_HEAD_DIM] / 2;
            int perRow = dims[D_HEADS] * half;
            int i = e / perRow;
            int rest = e - i * perRow;
            int h = rest / half;
            int j = rest - h * half;
            int at = i * dims[D_STRIDE] + dims[D_START] + h * dims[D_HEAD_DIM] + j;
            int t = positions[i] * half + j;
            float c = cos[t];
            float s = sin[t];
            float x1 = x[at];
            float x2 = x[at + half];
            x[at] = x1 * c - x2 * s;
            x[at + half] = x2 * c + x1 * s;
        }
    }

    /**
     * The backward of {@link #rotaryForward}, in place on the gradient: the rotation by the
     * opposite angle, {@code dx_j = dy_j·cos + dy_{j+d/2}·sin}, {@code dx_{j+d/2} = dy_{j+d/2}·cos − dy_j·sin}.
     */
    public static void rotaryBackward(float[] d, float[] cos, float[] sin, int[] positions, int[] dims, int offset,
                                      int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int e = offset + k;
            int half = dims[D_HEAD_DIM] / 2;
            int perRow = dims[D_HEADS] * half;
            int i = e / perRow;
            int rest = e - i * perRow;
            int h = rest / half;
            int j = rest - h * half;
            int at = i * dims[D_STRIDE] + dims[D_START] + h * dims[D_HEAD_DIM] + j;
            int t = positions[i] * half + j;
            float c = cos[t];
            float s = sin[t];
            float d1 = d[at];
            float d2 = d[at + half];
            d[at] = d1 * c + d2 * s;
            d[at + half] = d2 * c - d1 * s;
        }
    }
}
