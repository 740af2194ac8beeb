package org.rlcasino.kernels;

/**
 * Rotary position embeddings (RoPE) in Hugging Face's "rotate half" layout, in place on the query
 * or key heads of a projection: for head channels {@code [0, d)}, pair j (j < d/2) is channels
 * {@code j} and {@code j + d/2}, rotated by the angle of the row's position:
 * <pre>
 *   y_j       = x_j·cos − x_{j+d/2}·sin
 *   y_{j+d/2} = x_{j+d/2}·cos + x_j·sin        cos = cos[p·d/2 + j], sin = sin[p·d/2 + j], p = positions[i]
 * </pre>
 * The tables (maxPositions, d/2) are computed on the host ({@link #tables}), so any frequency
 * schedule is a choice of table: the default {@code θ^(−2j/d)} ({@link #inverseFrequencies}),
 * Llama 3's {@code rope_scaling} ({@link #llama3Scaling}), linear scaling ({@link #linearScaling}),
 * Gemma 3's local and global bases (two tables). Heads are {@code heads} blocks of d channels starting at column
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
     * The default schedule's inverse frequencies {@code θ^(−2j/d)} for pairs {@code [0, d/2)},
     * computed in float32 as {@code transformers} does ({@code 1 / θ^(2j/d)}).
     */
    public static float[] inverseFrequencies(int headDim, double theta) {
        if (headDim < 2 || headDim % 2 != 0 || !(theta > 1)) {
            throw new IllegalArgumentException("rotary needs an even head size >= 2 and a base > 1, got " + headDim + ", " + theta);
        }
        float[] inv = new float[headDim / 2];
        for (int j = 0; j < inv.length; j++) {
            float exponent = (float) (2 * j) / headDim;
            inv[j] = 1f / (float) Math.pow((float) theta, exponent);
        }
        return inv;
    }

    /** {@code rope_scaling} type {@code linear} (Gemma 3's global layers): every frequency divided by {@code factor}. */
    public static float[] linearScaling(float[] inverseFrequencies, double factor) {
        float[] out = new float[inverseFrequencies.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = inverseFrequencies[j] / (float) factor;
        }
        return out;
    }

    /**
     * {@code rope_scaling} type {@code llama3} (Llama 3.1 and later): wavelengths {@code 2π/f} longer
     * than {@code original/lowFreqFactor} are divided by {@code factor}, shorter than
     * {@code original/highFreqFactor} kept, and those between interpolated with
     * {@code s = (original/wavelength − low)/(high − low)}: {@code (1 − s)·f/factor + s·f}.
     */
    public static float[] llama3Scaling(float[] inverseFrequencies, double factor, double lowFreqFactor, double highFreqFactor,
                                        int originalMaxPositions) {
        double lowWavelength = originalMaxPositions / lowFreqFactor;
        double highWavelength = originalMaxPositions / highFreqFactor;
        float[] out = new float[inverseFrequencies.length];
        for (int j = 0; j < out.length; j++) {
            float f = inverseFrequencies[j];
            double wavelength = 2 * Math.PI / f;
            if (wavelength > lowWavelength) {
                out[j] = f / (float) factor;
            } else if (wavelength < highWavelength) {
                out[j] = f;
            } else {
                float smooth = (float) ((originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
                out[j] = (1 - smooth) * f / (float) factor + smooth * f;
            }
        }
        return out;
    }

    /**
     * The cos and sin tables (maxPositions, d/2) of {@code inverseFrequencies}: angle
     * {@code p·f_j} in float32, as {@code transformers} forms it. Returns {cos, sin}.
     */
    public static float[][] tables(int maxPositions, float[] inverseFrequencies) {
        int half = inverseFrequencies.length;
        float[] cos = new float[maxPositions * half];
        float[] sin = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) p * inverseFrequencies[j];
                cos[p * half + j] = (float) Math.cos(angle);
                sin[p * half + j] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }

    /** The default schedule's tables: {@code tables(maxPositions, inverseFrequencies(headDim, theta))}. */
    public static float[][] tables(int maxPositions, int headDim, double theta) {
        return tables(maxPositions, inverseFrequencies(headDim, theta));
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
