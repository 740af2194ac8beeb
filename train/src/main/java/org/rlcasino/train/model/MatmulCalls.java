package org.rlcasino.train.model;

import org.rlcasino.kernels.BlockSparseMatmulKernels;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.jvm.VectorBlockSparseMatmulKernels;
import org.rlcasino.kernels.jvm.VectorMatmulKernels;

/**
 * The one place where the models (GPT-2 and the families) build their matrix-multiply {@link KernelCall}s (forward, input
 * gradients, weight gradients, bias gradients), so that the JVM fast paths (all exact: bit-identical
 * to the reference kernels) and the chunking policy are set once for the model and the generator.
 *
 * <p>Chunking: the iterations of {@code MATMUL_*} are output elements, row-major; the grain is a
 * whole number of output rows ({@link #rowsPerChunk}), so a JVM chunk covers whole rows (as long
 * as the backend's chunk size allows it) and a tiled fast path can work on row blocks.
 */
public final class MatmulCalls {
    /** Multiply-adds a chunk should hold at least, so that a hand-off (~µs) stays negligible. */
    private static final long WORK_PER_CHUNK = 1L << 17;
    /** Rows a chunk holds at least (row tiles of a register-blocked fast path). */
    private static final int MIN_ROWS = 4;

    private MatmulCalls() {}

    /** Output rows per JVM chunk for an (m × n) output with inner extent k. */
    static int rowsPerChunk(int m, int k, int n) {
        long perRow = Math.max(1L, (long) k * n);
        long rows = Math.max(MIN_ROWS, (WORK_PER_CHUNK + perRow - 1) / perRow);
        return (int) Math.max(1, Math.min(rows, m));
    }

    /** The output argument: STATE when the kernel adds into it (gradients), else OUTPUT. */
    private static KernelCall.Builder output(KernelCall.Builder builder, float[] out, int[] dims) {
        return (dims[MatmulKernels.D_FLAGS] & MatmulKernels.F_ACCUMULATE) != 0 ? builder.state(out) : builder.output(out);
    }

    /** The fast path's grain ({@code fastPathGrain}) or whole {@link #rowsPerChunk} rows, whichever is larger. */
    private static int grain(int m, int k, int n, int fastPathGrain) {
        long g = Math.max((long) rowsPerChunk(m, k, n) * n, fastPathGrain);
        return (int) Math.max(1, Math.min(g, Integer.MAX_VALUE));
    }

    /** {@code out (m, n) (+)= a (m, k) · b (k, n) (+ bias)}: Conv1D forward, Linear input gradient. */
    public static KernelCall nn(String task, float[] out, float[] a, float[] b, float[] bias, int[] dims) {
        int m = dims[MatmulKernels.D_M];
        int k = dims[MatmulKernels.D_K];
        int n = dims[MatmulKernels.D_N];
        KernelCall.Builder builder = output(KernelCall.builder(task, Kernel.MATMUL_NN), out, dims)
                .input(a).input(b).input(bias).constant(dims)
                .grain(grain(m, k, n, VectorMatmulKernels.grain(m, n)));
        builder.jvmFastPath((offset, count) -> VectorMatmulKernels.matmulNN(out, a, b, bias, dims, offset, count));
        return builder.over(m * n);
    }

    /** {@code out (m, n) (+)= a (m, k) · b (n, k)ᵀ (+ bias)}: Linear forward (tied head), Conv1D input gradient. */
    public static KernelCall nt(String task, float[] out, float[] a, float[] b, float[] bias, int[] dims) {
        int m = dims[MatmulKernels.D_M];
        int k = dims[MatmulKernels.D_K];
        int n = dims[MatmulKernels.D_N];
        KernelCall.Builder builder = output(KernelCall.builder(task, Kernel.MATMUL_NT), out, dims)
                .input(a).input(b).input(bias).constant(dims)
                .grain(grain(m, k, n, VectorMatmulKernels.grain(m, n)));
        builder.jvmFastPath((offset, count) -> VectorMatmulKernels.matmulNT(out, a, b, bias, dims, offset, count));
        return builder.over(m * n);
    }

    /** {@code out (k, n) (+)= a (m, k)ᵀ · b (m, n)}: weight gradients (sum over the m rows). */
    public static KernelCall tn(String task, float[] out, float[] a, float[] b, int[] dims) {
        int m = dims[MatmulKernels.D_M];
        int k = dims[MatmulKernels.D_K];
        int n = dims[MatmulKernels.D_N];
        float[] noBias = new float[1]; // TN has no bias; a placeholder keeps the kernel signature shared
        KernelCall.Builder builder = output(KernelCall.builder(task, Kernel.MATMUL_TN), out, dims)
                .input(a).input(b).input(noBias).constant(dims)
                .grain(grain(k, m, n, VectorMatmulKernels.grain(k, n)));
        builder.jvmFastPath((offset, count) -> VectorMatmulKernels.matmulTN(out, a, b, noBias, dims, offset, count));
        return builder.over(k * n);
    }

    /**
     * {@code out (k, n) (+)= a (m, k)ᵀ · b (m, n)} inside the active blocks of {@code blocks} only
     * ({@link BlockSparseMatmulKernels}): block-sparse weight gradients, bit-identical to {@link #tn}
     * at every entry it writes. Chunks are whole blocks.
     */
    public static KernelCall blockSparseTn(String task, float[] out, float[] a, float[] b, int[] blocks, int[] dims) {
        BlockSparseMatmulKernels.requireFits(blocks, dims);
        int elements = blocks[BlockSparseMatmulKernels.B_ROWS] * blocks[BlockSparseMatmulKernels.B_COLS];
        int m = dims[MatmulKernels.D_M];
        int perChunk = (int) Math.max(1, Math.min(blocks[BlockSparseMatmulKernels.B_COUNT],
                WORK_PER_CHUNK / Math.max(1L, (long) m * elements)));
        KernelCall.Builder builder = output(KernelCall.builder(task, Kernel.BLOCK_SPARSE_MATMUL_TN), out, dims)
                .input(a).input(b).constant(blocks).constant(dims)
                .grain(Math.max(perChunk * elements, VectorBlockSparseMatmulKernels.grain(blocks)));
        builder.jvmFastPath((offset, count) -> VectorBlockSparseMatmulKernels.blockSparseMatmulTN(out, a, b, blocks,
                dims, offset, count));
        return builder.over(BlockSparseMatmulKernels.iterations(blocks));
    }

    /** {@code out (n) (+)= Σ_rows a (m, n)}: bias gradients. */
    public static KernelCall columnSum(String task, float[] out, float[] a, int[] dims) {
        int m = dims[MatmulKernels.D_M];
        int n = dims[MatmulKernels.D_N];
        KernelCall.Builder builder = output(KernelCall.builder(task, Kernel.COLUMN_SUM), out, dims)
                .input(a).constant(dims)
                .grain((int) Math.max(16, Math.min(n, WORK_PER_CHUNK / Math.max(1, m))));
        builder.jvmFastPath((offset, count) -> VectorMatmulKernels.columnSum(out, a, dims, offset, count));
        return builder.over(n);
    }
}
