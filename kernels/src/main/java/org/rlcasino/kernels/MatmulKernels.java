package org.rlcasino.kernels;

/**
 * Reference matrix-multiply kernels for the GPT trainer: one parallel iteration per output element,
 * the reduction over the inner dimension in ascending order with a separate multiply and add
 * ({@code acc = acc + a·b}, never a fused multiply-add). That order is the contract: the JVM fast
 * paths ({@code tasks.jvm.VectorMatmulKernels}) tile rows and vectorise over output columns but
 * keep each element's inner loop sequential, so they are bit-identical to these kernels for any
 * thread count; TornadoVM compiles these methods unchanged (one work-item per output element).
 *
 * <p>All matrices are row-major slices of larger flat arrays (the parameter, gradient and
 * activation buffers), placed by the {@code dims} array (CONSTANT for a prepared call):
 * <pre>
 *   dims[D_M], dims[D_K], dims[D_N]              the three extents (see each kernel)
 *   dims[D_OUT], dims[D_A], dims[D_B], dims[D_BIAS]  element offsets of out, a, b, bias
 *   dims[D_FLAGS]                                 F_BIAS | F_ACCUMULATE
 * </pre>
 * The value written is {@code v = acc (+ bias[j] if F_BIAS)}, then {@code out = out + v} if
 * F_ACCUMULATE (gradient accumulation), else {@code out = v}.
 */
public final class MatmulKernels {
    /** Rows of the output (M). */
    public static final int D_M = 0;
    /** Inner (reduced) extent (K). */
    public static final int D_K = 1;
    /** Columns of the output (N). */
    public static final int D_N = 2;
    /** Element offset of the output in {@code out}. */
    public static final int D_OUT = 3;
    /** Element offset of the left operand in {@code a}. */
    public static final int D_A = 4;
    /** Element offset of the right operand in {@code b}. */
    public static final int D_B = 5;
    /** Element offset of the bias in {@code bias} (ignored without F_BIAS). */
    public static final int D_BIAS = 6;
    /** Flags: {@link #F_BIAS}, {@link #F_ACCUMULATE}. */
    public static final int D_FLAGS = 7;
    /** Length of the {@code dims} array. */
    public static final int DIMS_LENGTH = 8;

    /** Add {@code bias[j]} to each output element. */
    public static final int F_BIAS = 1;
    /** Add to the existing output instead of overwriting it. */
    public static final int F_ACCUMULATE = 2;

    private MatmulKernels() {}

    /** A {@code dims} array for the kernels. */
    public static int[] dims(int m, int k, int n, int outOffset, int aOffset, int bOffset, int biasOffset, int flags) {
        if (m < 0 || k < 0 || n < 0 || outOffset < 0 || aOffset < 0 || bOffset < 0 || biasOffset < 0) {
            throw new IllegalArgumentException("matmul extents and offsets must be >= 0, got m=" + m + " k=" + k
                    + " n=" + n + " offsets " + outOffset + "/" + aOffset + "/" + bOffset + "/" + biasOffset);
        }
        if ((flags & ~(F_BIAS | F_ACCUMULATE)) != 0) {
            throw new IllegalArgumentException("unknown matmul flags " + flags);
        }
        return new int[] {m, k, n, outOffset, aOffset, bOffset, biasOffset, flags};
    }

    /**
     * {@code out[i][j] = Σ_k a[i][k]·b[k][j]}: a is (M, K), b is (K, N) — a Conv1D forward
     * ({@code x·W} with W stored (in, out)) or the input gradient of a Linear layer
     * ({@code dY·W} with W stored (out, in)). Iterations: the M·N output elements, row-major.
     */
    public static void matmulNN(float[] out, float[] a, float[] b, float[] bias, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int kk = dims[D_K];
            int n = dims[D_N];
            int i = e / n;
            int j = e - i * n;
            int aRow = dims[D_A] + i * kk;
            int bCol = dims[D_B] + j;
            float acc = 0f;
            for (int k = 0; k < kk; k++) {
                acc = acc + a[aRow + k] * b[bCol + k * n];
            }
            store(out, bias, dims, e, j, acc);
        }
    }

    /**
     * {@code out[i][j] = Σ_k a[i][k]·b[j][k]}: a is (M, K), b is (N, K) — a Linear forward
     * ({@code x·Wᵀ}, e.g. the tied output head {@code logits = x·wteᵀ}) or the input gradient of a
     * Conv1D layer ({@code dY·Wᵀ} with W stored (in, out)). Iterations: the M·N output elements.
     */
    public static void matmulNT(float[] out, float[] a, float[] b, float[] bias, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int kk = dims[D_K];
            int n = dims[D_N];
            int i = e / n;
            int j = e - i * n;
            int aRow = dims[D_A] + i * kk;
            int bRow = dims[D_B] + j * kk;
            float acc = 0f;
            for (int k = 0; k < kk; k++) {
                acc = acc + a[aRow + k] * b[bRow + k];
            }
            store(out, bias, dims, e, j, acc);
        }
    }

    /**
     * {@code out[k][j] = Σ_i a[i][k]·b[i][j]}: a is (M, K), b is (M, N), out is (K, N) — weight
     * gradients ({@code Xᵀ·dY} for a Conv1D weight, {@code dYᵀ·X} for a Linear one). Here the
     * reduction runs over the M rows, in ascending order. Iterations: the K·N output elements.
     * {@code dims[D_M]} is M (the reduced extent), {@code dims[D_K]} is K (output rows).
     */
    public static void matmulTN(float[] out, float[] a, float[] b, float[] bias, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int m = dims[D_M];
            int kk = dims[D_K];
            int n = dims[D_N];
            int k = e / n;
            int j = e - k * n;
            int aCol = dims[D_A] + k;
            int bCol = dims[D_B] + j;
            float acc = 0f;
            for (int i = 0; i < m; i++) {
                acc = acc + a[aCol + i * kk] * b[bCol + i * n];
            }
            store(out, bias, dims, e, j, acc);
        }
    }

    /**
     * {@code out[j] (+)= Σ_i a[i][j]}: column sums of a (M, N) — bias gradients. Iterations: the N
     * columns; the sum runs over rows in ascending order. {@code dims[D_K]} is unused.
     */
    public static void columnSum(float[] out, float[] a, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int j = offset + x;
            int m = dims[D_M];
            int n = dims[D_N];
            int aCol = dims[D_A] + j;
            float acc = 0f;
            for (int i = 0; i < m; i++) {
                acc = acc + a[aCol + i * n];
            }
            int o = dims[D_OUT] + j;
            if ((dims[D_FLAGS] & F_ACCUMULATE) != 0) {
                out[o] = out[o] + acc;
            } else {
                out[o] = acc;
            }
        }
    }

    /** Writes one output element: bias, then overwrite or accumulate, as the class comment says. */
    public static void store(float[] out, float[] bias, int[] dims, int e, int j, float acc) {
        int flags = dims[D_FLAGS];
        float v = acc;
        if ((flags & F_BIAS) != 0) {
            v = v + bias[dims[D_BIAS] + j];
        }
        int o = dims[D_OUT] + e;
        if ((flags & F_ACCUMULATE) != 0) {
            out[o] = out[o] + v;
        } else {
            out[o] = v;
        }
    }
}
