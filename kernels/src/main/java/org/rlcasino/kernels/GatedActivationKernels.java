package org.rlcasino.kernels;

/**
 * The gated MLP activations of Llama-family and Gemma models on a fused gate/up projection
 * {@code gu} of shape (N, 2I): per row, I gate channels then I up channels (one matrix product
 * C → 2I computes both, the HF weights {@code gate_proj} and {@code up_proj} stacked).
 * <pre>
 *   SwiGLU (Llama, Mistral, Qwen):  out[i][j] = silu(g)·u,     silu(a) = a·σ(a), σ(a) = 1/(1 + e^−a)
 *   GeGLU  (Gemma):                 out[i][j] = gelu_tanh(g)·u (GPT-2's tanh approximation)
 *   with g = gu[i][j], u = gu[i][I + j];  dims[D_ROWS] N, dims[D_I] I
 * </pre>
 * Iterations: the N·I output elements; each writes only its own outputs.
 */
public final class GatedActivationKernels {
    public static final int D_ROWS = 0;
    public static final int D_I = 1;
    public static final int DIMS_LENGTH = 2;

    private GatedActivationKernels() {}

    /** A {@code dims} array for the kernels. */
    public static int[] dims(int rows, int intermediate) {
        return new int[] {rows, intermediate};
    }

    /** {@code σ(a) = 1/(1 + e^−a)}. */
    static float sigmoid(float a) {
        return 1f / (1f + (float) Math.exp(-a));
    }

    /** {@code out[i][j] = silu(gu[i][j])·gu[i][I + j]}. Shapes: out (N, I), gu (N, 2I). */
    public static void swigluForward(float[] out, float[] gu, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int n = dims[D_I];
            int i = e / n;
            int j = e - i * n;
            float g = gu[i * 2 * n + j];
            float u = gu[i * 2 * n + n + j];
            out[e] = g * sigmoid(g) * u;
        }
    }

    /**
     * {@code dgu[i][j] = dout·u·silu'(g)} with {@code silu'(a) = σ(a)·(1 + a·(1 − σ(a)))}, and
     * {@code dgu[i][I + j] = dout·silu(g)}. Shapes: dgu, gu (N, 2I); dout (N, I).
     */
    public static void swigluBackward(float[] dgu, float[] dout, float[] gu, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int n = dims[D_I];
            int i = e / n;
            int j = e - i * n;
            int at = i * 2 * n + j;
            float g = gu[at];
            float u = gu[at + n];
            float s = sigmoid(g);
            float d = dout[e];
            dgu[at] = d * u * (s * (1f + g * (1f - s)));
            dgu[at + n] = d * (g * s);
        }
    }

    /** {@code out[i][j] = gelu_tanh(gu[i][j])·gu[i][I + j]}. Shapes: out (N, I), gu (N, 2I). */
    public static void gegluForward(float[] out, float[] gu, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int n = dims[D_I];
            int i = e / n;
            int j = e - i * n;
            float g = gu[i * 2 * n + j];
            float u = gu[i * 2 * n + n + j];
            out[e] = ActivationKernels.gelu(g) * u;
        }
    }

    /**
     * {@code dgu[i][j] = dout·u·gelu'(g)}, {@code dgu[i][I + j] = dout·gelu(g)}.
     * Shapes: dgu, gu (N, 2I); dout (N, I).
     */
    public static void gegluBackward(float[] dgu, float[] dout, float[] gu, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int n = dims[D_I];
            int i = e / n;
            int j = e - i * n;
            int at = i * 2 * n + j;
            float g = gu[at];
            float u = gu[at + n];
            float d = dout[e];
            dgu[at] = d * u * ActivationKernels.geluDerivative(g);
            dgu[at + n] = d * ActivationKernels.gelu(g);
        }
    }
}
