package org.rlcasino.kernels;

import static org.rlcasino.kernels.MatmulKernels.D_A;
import static org.rlcasino.kernels.MatmulKernels.D_B;
import static org.rlcasino.kernels.MatmulKernels.D_FLAGS;
import static org.rlcasino.kernels.MatmulKernels.D_K;
import static org.rlcasino.kernels.MatmulKernels.D_M;
import static org.rlcasino.kernels.MatmulKernels.D_N;
import static org.rlcasino.kernels.MatmulKernels.D_OUT;
import static org.rlcasino.kernels.MatmulKernels.F_ACCUMULATE;
import static org.rlcasino.kernels.MatmulKernels.F_BIAS;

/**
 * Block-sparse weight gradients: {@link MatmulKernels#matmulTN} restricted to the active
 * {@code br × bc} blocks of a block mask, so that a sparse optimizer's backward pass computes
 * {@code dW} only where BSR-AdamW will use it. Active entries are bit-identical to the dense
 * kernel's (same reduction order, separate multiply and add); entries outside the active blocks are
 * never written. The JVM fast path is {@code tasks.jvm.VectorBlockSparseMatmulKernels}; TornadoVM
 * compiles the reference kernel unchanged (one work-item per element of an active block).
 *
 * <p>The active blocks travel in one {@code int[]} (CONSTANT for a prepared call), built and
 * validated by {@link #blocks}:
 * <pre>
 *   blocks[B_ROWS] = br, blocks[B_COLS] = bc      block height and width
 *   blocks[B_COUNT] = nb                           number of active blocks
 *   blocks[B_FIRST + 2q], blocks[B_FIRST + 2q + 1] block row R and block column C of block q
 * </pre>
 * Block (R, C) covers output rows {@code [R·br, min((R+1)·br, K))} and columns
 * {@code [C·bc, min((C+1)·bc, N))}: blocks at the bottom and right edges may be partial. Blocks are
 * sorted row-major (by R, then C) without duplicates.
 */
public final class BlockSparseMatmulKernels {
    /** Index of the block height br. */
    public static final int B_ROWS = 0;
    /** Index of the block width bc. */
    public static final int B_COLS = 1;
    /** Index of the number of active blocks nb. */
    public static final int B_COUNT = 2;
    /** Index of the first block's row; its column follows, then the next block's pair. */
    public static final int B_FIRST = 3;

    private BlockSparseMatmulKernels() {}

    /**
     * {@code out[k][j] (+)= Σ_i a[i][k]·b[i][j]} for (k, j) inside the active blocks only: a is
     * (M, K), b is (M, N), out is (K, N), placed by the same {@code dims} array as
     * {@link MatmulKernels#matmulTN} ({@code D_M} = M, the reduced rows; {@code D_K} = K, output
     * rows; {@code D_N} = N, output columns; {@code D_OUT, D_A, D_B} offsets; {@code D_FLAGS}:
     * {@code F_ACCUMULATE} adds to the existing output; {@code F_BIAS} is not allowed, see
     * {@link #requireFits}). Iterations: {@link #iterations}{@code (blocks)} = nb·br·bc; iteration
     * {@code q·br·bc + r} is element {@code (k, j) = (R·br + r / bc, C·bc + r % bc)} of block q, and
     * does nothing when that lies outside the matrix (a partial edge block). Each element's sum runs
     * over i ascending with {@code acc = acc + a·b} (no fused multiply-add), exactly as matmulTN.
     */
    public static void blockSparseMatmulTN(float[] out, float[] a, float[] b, int[] blocks, int[] dims, int offset,
                                           int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int br = blocks[B_ROWS];
            int bc = blocks[B_COLS];
            int size = br * bc;
            int q = e / size;
            int r = e - q * size;
            int rowInBlock = r / bc;
            int k = blocks[B_FIRST + 2 * q] * br + rowInBlock;
            int j = blocks[B_FIRST + 2 * q + 1] * bc + (r - rowInBlock * bc);
            int m = dims[D_M];
            int kk = dims[D_K];
            int n = dims[D_N];
            if (k < kk && j < n) {
                int aCol = dims[D_A] + k;
                int bCol = dims[D_B] + j;
                float acc = 0f;
                for (int i = 0; i < m; i++) {
                    acc = acc + a[aCol + i * kk] * b[bCol + i * n];
                }
                int o = dims[D_OUT] + k * n + j;
                if ((dims[D_FLAGS] & F_ACCUMULATE) != 0) {
                    out[o] = out[o] + acc;
                } else {
                    out[o] = acc;
                }
            }
        }
    }

    /**
     * The validated {@code blocks} array of a (k × n) matrix cut into {@code br × bc} blocks, with
     * active blocks {@code (blockRows[q], blockCols[q])}: sizes {@code >= 1} (k, n {@code >= 0}),
     * block rows in {@code [0, ceil(k/br))}, block columns in {@code [0, ceil(n/bc))}, sorted
     * row-major without duplicates, and at most {@code Integer.MAX_VALUE} iterations in all.
     */
    public static int[] blocks(int k, int n, int br, int bc, int[] blockRows, int[] blockCols) {
        if (k < 0 || n < 0) {
            throw new IllegalArgumentException("matrix extents must be >= 0, got k=" + k + " n=" + n);
        }
        if (br < 1 || bc < 1) {
            throw new IllegalArgumentException("block size must be >= 1 x 1, got br=" + br + " bc=" + bc);
        }
        if (blockRows == null || blockCols == null || blockRows.length != blockCols.length) {
            throw new IllegalArgumentException("blockRows and blockCols must be non-null and of equal length, got "
                    + (blockRows == null ? "null" : blockRows.length) + " and "
                    + (blockCols == null ? "null" : blockCols.length));
        }
        int nb = blockRows.length;
        if ((long) nb * br * bc > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("nb * br * bc (the kernel's range) must be <= " + Integer.MAX_VALUE
                    + ", got " + nb + " blocks of " + br + "x" + bc);
        }
        int gridRows = (int) ((k + (long) br - 1) / br);
        int gridCols = (int) ((n + (long) bc - 1) / bc);
        int[] out = new int[B_FIRST + 2 * nb];
        out[B_ROWS] = br;
        out[B_COLS] = bc;
        out[B_COUNT] = nb;
        for (int q = 0; q < nb; q++) {
            int row = blockRows[q];
            int col = blockCols[q];
            if (row < 0 || row >= gridRows || col < 0 || col >= gridCols) {
                throw new IllegalArgumentException("block " + q + " = (" + row + ", " + col + ") is out of range: "
                        + "block rows must be in [0, " + gridRows + ") and block columns in [0, " + gridCols
                        + ") for a " + k + "x" + n + " matrix of " + br + "x" + bc + " blocks");
            }
            if (q > 0) {
                int prevRow = blockRows[q - 1];
                int prevCol = blockCols[q - 1];
                if (row == prevRow && col == prevCol) {
                    throw new IllegalArgumentException("duplicate block " + q + " = (" + row + ", " + col + ")");
                }
                if (row < prevRow || (row == prevRow && col < prevCol)) {
                    throw new IllegalArgumentException("blocks must be sorted row-major: block " + q + " = (" + row
                            + ", " + col + ") follows (" + prevRow + ", " + prevCol + ")");
                }
            }
            out[B_FIRST + 2 * q] = row;
            out[B_FIRST + 2 * q + 1] = col;
        }
        return out;
    }

    /** The kernel's range for {@code blocks}: nb·br·bc iterations. */
    public static int iterations(int[] blocks) {
        return blocks[B_COUNT] * blocks[B_ROWS] * blocks[B_COLS];
    }

    /**
     * Checks that {@code blocks} (from {@link #blocks}) fits the product {@code dims} describes:
     * every block starts inside the (K × N) output, and the flags hold no {@code F_BIAS} (a weight
     * gradient has none). The kernel itself checks nothing.
     */
    public static void requireFits(int[] blocks, int[] dims) {
        if ((dims[D_FLAGS] & F_BIAS) != 0) {
            throw new IllegalArgumentException("blockSparseMatmulTN takes no bias: dims flags must not hold F_BIAS");
        }
        int br = blocks[B_ROWS];
        int bc = blocks[B_COLS];
        int kk = dims[D_K];
        int n = dims[D_N];
        for (int q = 0; q < blocks[B_COUNT]; q++) {
            long k0 = (long) blocks[B_FIRST + 2 * q] * br;
            long j0 = (long) blocks[B_FIRST + 2 * q + 1] * bc;
            if (k0 >= kk || j0 >= n) {
                throw new IllegalArgumentException("block " + q + " = (" + blocks[B_FIRST + 2 * q] + ", "
                        + blocks[B_FIRST + 2 * q + 1] + ") of " + br + "x" + bc + " starts outside the " + kk + "x"
                        + n + " output");
            }
        }
    }
}
