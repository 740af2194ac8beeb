package org.rlcasino.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.kernels.BlockSparseMatmulKernels.B_COLS;
import static org.rlcasino.kernels.BlockSparseMatmulKernels.B_COUNT;
import static org.rlcasino.kernels.BlockSparseMatmulKernels.B_FIRST;
import static org.rlcasino.kernels.BlockSparseMatmulKernels.B_ROWS;
import static org.rlcasino.kernels.MatmulKernels.F_ACCUMULATE;
import static org.rlcasino.kernels.MatmulKernels.F_BIAS;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/** The block-sparse TN reference kernel against a scalar oracle and the dense kernel, and its blocks factory. */
class BlockSparseMatmulKernelsTest {
    /** Written where no block is active: any write there shows up as a changed bit pattern. */
    private static final float SENTINEL = -12345.678f;

    /** Active blocks of a (k × n) grid of br × bc blocks, each kept with probability {@code density}, row-major. */
    static int[] randomBlocks(SplittableRandom rnd, int k, int n, int br, int bc, double density) {
        int gridRows = (k + br - 1) / br;
        int gridCols = (n + bc - 1) / bc;
        List<int[]> active = new ArrayList<>();
        for (int r = 0; r < gridRows; r++) {
            for (int c = 0; c < gridCols; c++) {
                if (rnd.nextDouble() < density) {
                    active.add(new int[] {r, c});
                }
            }
        }
        int[] rows = active.stream().mapToInt(x -> x[0]).toArray();
        int[] cols = active.stream().mapToInt(x -> x[1]).toArray();
        return BlockSparseMatmulKernels.blocks(k, n, br, bc, rows, cols);
    }

    /** The oracle: for every (k, j) of an active block, the dense TN sum over i ascending, acc + a·b. */
    static float[] oracle(float[] out, float[] a, float[] b, int[] blocks, int m, int k, int n, int outOffset,
                          int aOffset, int bOffset, boolean accumulate) {
        float[] expected = out.clone();
        int br = blocks[B_ROWS];
        int bc = blocks[B_COLS];
        for (int q = 0; q < blocks[B_COUNT]; q++) {
            int rowBlock = blocks[B_FIRST + 2 * q];
            int colBlock = blocks[B_FIRST + 2 * q + 1];
            for (int kk = rowBlock * br; kk < Math.min(k, (rowBlock + 1) * br); kk++) {
                for (int j = colBlock * bc; j < Math.min(n, (colBlock + 1) * bc); j++) {
                    float acc = 0f;
                    for (int i = 0; i < m; i++) {
                        acc = acc + a[aOffset + i * k + kk] * b[bOffset + i * n + j];
                    }
                    int o = outOffset + kk * n + j;
                    expected[o] = accumulate ? expected[o] + acc : acc;
                }
            }
        }
        return expected;
    }

    /** True where (row, col) of the output lies in an active block. */
    static boolean[] activeMask(int[] blocks, int k, int n) {
        boolean[] active = new boolean[k * n];
        int br = blocks[B_ROWS];
        int bc = blocks[B_COLS];
        for (int q = 0; q < blocks[B_COUNT]; q++) {
            for (int kk = blocks[B_FIRST + 2 * q] * br; kk < Math.min(k, (blocks[B_FIRST + 2 * q] + 1) * br); kk++) {
                for (int j = blocks[B_FIRST + 2 * q + 1] * bc; j < Math.min(n, (blocks[B_FIRST + 2 * q + 1] + 1) * bc); j++) {
                    active[kk * n + j] = true;
                }
            }
        }
        return active;
    }

    @ParameterizedTest(name = "m={0} k={1} n={2} block {3}x{4}")
    @CsvSource({
            "17, 64, 128, 16, 16", "9, 70, 45, 16, 16", "12, 96, 64, 32, 32", "5, 50, 70, 32, 32",
            "8, 7, 130, 1, 64", "6, 130, 9, 64, 1", "11, 23, 19, 3, 5", "4, 13, 11, 1, 1", "0, 20, 20, 8, 8",
            "7, 5, 6, 16, 16"})
    void matchesTheOracleWithSentinelsUntouchedUnderEverySplit(int m, int k, int n, int br, int bc) {
        SplittableRandom rnd = new SplittableRandom(m * 7919L + k * 31L + n * 17L + br * 3L + bc);
        for (double density : new double[] {0, 0.1, 0.4, 1}) {
            for (int flags : new int[] {0, F_ACCUMULATE}) {
                int[] blocks = randomBlocks(rnd, k, n, br, bc, density);
                int outOffset = rnd.nextInt(4);
                int aOffset = rnd.nextInt(5);
                int bOffset = rnd.nextInt(6);
                float[] out = new float[outOffset + k * n + 3];
                java.util.Arrays.fill(out, SENTINEL);
                boolean[] active = activeMask(blocks, k, n);
                for (int e = 0; e < k * n; e++) {
                    if (active[e]) {
                        out[outOffset + e] = (float) rnd.nextGaussian(); // old gradient to accumulate onto
                    }
                }
                float[] a = KernelRuns.gaussian(rnd, aOffset + m * k + 2, 1);
                float[] b = KernelRuns.gaussian(rnd, bOffset + m * n + 2, 1);
                int[] dims = MatmulKernels.dims(m, k, n, outOffset, aOffset, bOffset, 0, flags);
                BlockSparseMatmulKernels.requireFits(blocks, dims);
                int range = BlockSparseMatmulKernels.iterations(blocks);
                String what = "m=" + m + " k=" + k + " n=" + n + " " + br + "x" + bc + " density " + density
                        + " flags " + flags;
                Object[] result = KernelRuns.runEverywhere(what, new Object[] {out, a, b, blocks, dims},
                        x -> KernelCall.builder("test.block_sparse_matmul_tn", Kernel.BLOCK_SPARSE_MATMUL_TN)
                                .output((float[]) x[0]).input((float[]) x[1]).input((float[]) x[2])
                                .constant((int[]) x[3]).constant((int[]) x[4]).over(range));
                float[] expected = oracle(out, a, b, blocks, m, k, n, outOffset, aOffset, bOffset,
                        flags == F_ACCUMULATE);
                assertBitIdentical(what, (float[]) result[0], expected);
                for (int e = 0; e < out.length; e++) {
                    int inside = e - outOffset;
                    if (inside < 0 || inside >= k * n || !active[inside]) {
                        assertThat(Float.floatToRawIntBits(((float[]) result[0])[e])).as(what + " untouched at " + e)
                                .isEqualTo(Float.floatToRawIntBits(SENTINEL));
                    }
                }
            }
        }
    }

    @Test
    void activeEntriesAreBitIdenticalToTheDenseKernel() {
        SplittableRandom rnd = new SplittableRandom(42);
        int[][] shapes = {{16, 16}, {32, 32}, {1, 64}, {64, 1}, {5, 3}};
        for (int[] shape : shapes) {
            for (int flags : new int[] {0, F_ACCUMULATE}) {
                int m = 33;
                int k = 71;
                int n = 97;
                int[] dims = MatmulKernels.dims(m, k, n, 2, 1, 3, 0, flags);
                float[] a = KernelRuns.gaussian(rnd, 1 + m * k, 1);
                float[] b = KernelRuns.gaussian(rnd, 3 + m * n, 1);
                float[] out = KernelRuns.gaussian(rnd, 2 + k * n, 1);
                float[] dense = out.clone();
                MatmulKernels.matmulTN(dense, a, b, new float[1], dims, 0, k * n);
                int[] blocks = randomBlocks(rnd, k, n, shape[0], shape[1], 0.3);
                float[] sparse = out.clone();
                BlockSparseMatmulKernels.blockSparseMatmulTN(sparse, a, b, blocks, dims, 0,
                        BlockSparseMatmulKernels.iterations(blocks));
                boolean[] active = activeMask(blocks, k, n);
                int compared = 0;
                for (int e = 0; e < k * n; e++) {
                    float expected = active[e] ? dense[2 + e] : out[2 + e];
                    assertThat(Float.floatToRawIntBits(sparse[2 + e])).as(shape[0] + "x" + shape[1] + " element " + e)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                    compared += active[e] ? 1 : 0;
                }
                assertThat(compared).isPositive();
            }
        }
    }

    @Test
    void iterationsOutsideTheMatrixDoNothing() {
        // a 5x6 matrix with one 4x4 block at (1, 1): rows 4..4, columns 4..5 are inside, the rest of its 16 iterations not
        int[] blocks = BlockSparseMatmulKernels.blocks(5, 6, 4, 4, new int[] {1}, new int[] {1});
        int[] dims = MatmulKernels.dims(1, 5, 6, 0, 0, 0, 0, 0);
        float[] a = {1, 2, 3, 4, 5};
        float[] b = {10, 20, 30, 40, 50, 60};
        float[] out = new float[30];
        java.util.Arrays.fill(out, SENTINEL);
        BlockSparseMatmulKernels.blockSparseMatmulTN(out, a, b, blocks, dims, 0, 16);
        for (int e = 0; e < 30; e++) {
            float expected = e == 28 ? 250f : e == 29 ? 300f : SENTINEL;
            assertThat(out[e]).as("element " + e).isEqualTo(expected);
        }
        assertThat(BlockSparseMatmulKernels.iterations(blocks)).isEqualTo(16);
    }

    @Test
    void blocksLayout() {
        int[] blocks = BlockSparseMatmulKernels.blocks(40, 33, 16, 16, new int[] {0, 0, 2}, new int[] {1, 2, 0});
        assertThat(blocks).containsExactly(16, 16, 3, 0, 1, 0, 2, 2, 0);
        assertThat(BlockSparseMatmulKernels.blocks(0, 0, 1, 1, new int[0], new int[0])).containsExactly(1, 1, 0);
    }

    @Test
    void blocksFactoryExplainsWhatIsWrong() {
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(32, 32, 16, 16, new int[] {1, 0}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("blocks must be sorted row-major: block 1 = (0, 1) follows (1, 0)");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(32, 32, 16, 16, new int[] {0, 0}, new int[] {1, 0}))
                .hasMessage("blocks must be sorted row-major: block 1 = (0, 0) follows (0, 1)");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(32, 32, 16, 16, new int[] {0, 1, 1}, new int[] {1, 0, 0}))
                .hasMessage("duplicate block 2 = (1, 0)");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(33, 32, 16, 16, new int[] {3}, new int[] {0}))
                .hasMessage("block 0 = (3, 0) is out of range: block rows must be in [0, 3) and block columns in [0, 2)"
                        + " for a 33x32 matrix of 16x16 blocks");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(32, 32, 16, 16, new int[] {0}, new int[] {-1}))
                .hasMessageContaining("block 0 = (0, -1) is out of range");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(32, 32, 0, 16, new int[0], new int[0]))
                .hasMessage("block size must be >= 1 x 1, got br=0 bc=16");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(-1, 32, 16, 16, new int[0], new int[0]))
                .hasMessage("matrix extents must be >= 0, got k=-1 n=32");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(32, 32, 16, 16, new int[1], new int[2]))
                .hasMessage("blockRows and blockCols must be non-null and of equal length, got 1 and 2");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(32, 32, 16, 16, null, new int[2]))
                .hasMessageContaining("got null and 2");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.blocks(1 << 20, 1 << 20, 1 << 16, 1 << 15, new int[] {0, 0},
                new int[] {0, 1}))
                .hasMessageContaining("nb * br * bc (the kernel's range) must be <= 2147483647, got 2 blocks of 65536x32768");
    }

    @Test
    void requireFitsRejectsABiasAndBlocksOutsideTheProduct() {
        int[] blocks = BlockSparseMatmulKernels.blocks(64, 64, 16, 16, new int[] {3}, new int[] {3});
        BlockSparseMatmulKernels.requireFits(blocks, MatmulKernels.dims(8, 64, 64, 0, 0, 0, 0, F_ACCUMULATE));
        assertThatThrownBy(() -> BlockSparseMatmulKernels.requireFits(blocks, MatmulKernels.dims(8, 64, 64, 0, 0, 0, 0,
                F_BIAS)))
                .hasMessageContaining("must not hold F_BIAS");
        assertThatThrownBy(() -> BlockSparseMatmulKernels.requireFits(blocks, MatmulKernels.dims(8, 48, 64, 0, 0, 0, 0, 0)))
                .hasMessage("block 0 = (3, 3) of 16x16 starts outside the 48x64 output");
    }
}
