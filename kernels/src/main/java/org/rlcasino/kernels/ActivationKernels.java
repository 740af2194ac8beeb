package org.rlcasino.kernels;

/**
 * Element-wise kernels of the GPT trainer: GELU with GPT-2's tanh approximation
 * {@code gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, its derivative, and the residual
 * sum, and clearing a buffer. {@code tanh(u)} is computed as {@code 1 − 2/(exp(2u) + 1)} (exact at ±∞, needs only exp,
 * which every TornadoVM backend has). Iterations: the elements.
 */
public final class ActivationKernels {
    /** √(2/π). */
    public static final float GELU_SCALE = (float) Math.sqrt(2.0 / Math.PI);
    /** The cubic coefficient of the tanh approximation. */
    public static final float GELU_CUBIC = 0.044715f;

    private ActivationKernels() {}

    /** {@code out[i] = gelu(x[i])}. Shapes: out, x (n). */
    public static void geluForward(float[] out, float[] x, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int i = offset + k;
            float v = x[i];
            float u = GELU_SCALE * (v + GELU_CUBIC * v * v * v);
            float th = 1f - 2f / ((float) Math.exp(2f * u) + 1f);
            out[i] = 0.5f * v * (1f + th);
        }
    }

    /**
     * {@code dx[i] = dy[i]·gelu'(x[i])} with
     * {@code gelu'(x) = ½(1 + tanh u) + ½x·(1 − tanh²u)·√(2/π)(1 + 3·0.044715·x²)}. Shapes: dx, x,
     * dy (n), three different arrays (in place: {@link #geluBackwardInPlace}).
     */
    public static void geluBackward(float[] dx, float[] x, float[] dy, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int i = offset + k;
            dx[i] = dy[i] * geluDerivative(x[i]);
        }
    }

    /** {@code gelu(v)} of the tanh approximation, in float32, as {@link #geluForward} computes it. */
    static float gelu(float v) {
        float u = GELU_SCALE * (v + GELU_CUBIC * v * v * v);
        float th = 1f - 2f / ((float) Math.exp(2f * u) + 1f);
        return 0.5f * v * (1f + th);
    }

    /** {@code gelu'(v)} of the tanh approximation, in float32 (a pure function TornadoVM inlines). */
    static float geluDerivative(float v) {
        float u = GELU_SCALE * (v + GELU_CUBIC * v * v * v);
        float th = 1f - 2f / ((float) Math.exp(2f * u) + 1f);
        float sech2 = 1f - th * th;
        return 0.5f * (1f + th) + 0.5f * v * sech2 * GELU_SCALE * (1f + 3f * GELU_CUBIC * v * v);
    }

    /**
     * The in-place form of {@link #geluBackward}: {@code d[i] = d[i]·gelu'(x[i])}, the same arithmetic,
     * so bit-identical to {@code geluBackward(d, x, d)} — which no kernel call may write, since
     * TornadoVM does not support one array as both an output and an input (its issue #650).
     * Shapes: d, x (n).
     */
    public static void geluBackwardInPlace(float[] d, float[] x, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int i = offset + k;
            d[i] = d[i] * geluDerivative(x[i]);
        }
    }

    /** {@code out[i] = a[i] + b[i]}. Shapes: out, a, b (n). */
    public static void residualAdd(float[] out, float[] a, float[] b, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int i = offset + k;
            out[i] = a[i] + b[i];
        }
    }

    /** The in-place form of {@link #residualAdd}: {@code x[i] = x[i] + y[i]} (see {@link #geluBackwardInPlace} for why). Shapes: x, y (n). */
    public static void residualAddInPlace(float[] x, float[] y, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int i = offset + k;
            x[i] = x[i] + y[i];
        }
    }

    /**
     * {@code x[i] = 0}: clears a device-resident buffer (gradients before a step) without a copy
     * from the host. Shapes: x (n).
     */
    public static void zero(float[] x, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            x[offset + k] = 0f;
        }
    }
}
