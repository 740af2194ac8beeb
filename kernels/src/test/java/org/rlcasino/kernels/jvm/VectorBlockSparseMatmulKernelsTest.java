package org.rlcasino.kernels.jvm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rlcasino.kernels.BlockSparseMatmulKernels;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.MatmulKernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.kernels.MatmulKernels.F_ACCUMULATE;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/** The Vector API block-sparse TN fast path against the reference kernel, bit for bit, for any range split. */
class VectorBlockSparseMatmulKernelsTest {

    /** A block-sparse product with operands at offsets inside larger arrays; out holds old values everywhere. */
    record Problem(int m, int k, int n, int br, int bc, int flags, float[] out, float[] a, float[] b, int[] blocks,
                   int[] dims) {
        int range() {
            return BlockSparseMatmulKernels.iterations(blocks);
        }

        String what() {
            return "m=" + m + " k=" + k + " n=" + n + " blocks " + br + "x" + bc + " (" + blocks[2] + " active) flags="
                    + flags;
        }
    }

    static float[] gaussian(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    static int[] randomBlocks(SplittableRandom rnd, int k, int n, int br, int bc, double density) {
        List<Integer> rows = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        for (int r = 0; r < (k + br - 1) / br; r++) {
            for (int c = 0; c < (n + bc - 1) / bc; c++) {
                if (rnd.nextDouble() < density) {
                    rows.add(r);
                    cols.add(c);
                }
            }
        }
        return BlockSparseMatmulKernels.blocks(k, n, br, bc, rows.stream().mapToInt(Integer::intValue).toArray(),
                cols.stream().mapToInt(Integer::intValue).toArray());
    }

    static Problem problem(SplittableRandom rnd, int m, int k, int n, int br, int bc, double density, int flags) {
        int outOffset = rnd.nextInt(5);
        int aOffset = rnd.nextInt(7);
        int bOffset = rnd.nextInt(9);
        float[] out = gaussian(rnd, outOffset + k * n + rnd.nextInt(4));
        float[] a = gaussian(rnd, aOffset + m * k + rnd.nextInt(4));
        float[] b = gaussian(rnd, bOffset + m * n + rnd.nextInt(4));
        int[] blocks = randomBlocks(rnd, k, n, br, bc, density);
        int[] dims = MatmulKernels.dims(m, k, n, outOffset, aOffset, bOffset, 0, flags);
        return new Problem(m, k, n, br, bc, flags, out, a, b, blocks, dims);
    }

    static void assertSameAsReference(Problem p, int[] cuts) {
        float[] expected = p.out().clone();
        BlockSparseMatmulKernels.blockSparseMatmulTN(expected, p.a(), p.b(), p.blocks(), p.dims(), 0, p.range());
        float[] actual = p.out().clone();
        for (int c = 0; c + 1 < cuts.length; c++) {
            VectorBlockSparseMatmulKernels.blockSparseMatmulTN(actual, p.a(), p.b(), p.blocks(), p.dims(), cuts[c],
                    cuts[c + 1] - cuts[c]);
        }
        assertBitIdentical(p.what() + " cuts " + Arrays.toString(cuts), actual, expected);
    }

    /** Cut points 0 = c0 ≤ c1 ≤ … = range at random places (starts inside blocks and rows included). */
    static int[] randomCuts(SplittableRandom rnd, int range, int pieces) {
        int[] cuts = new int[pieces + 1];
        for (int p = 1; p < pieces; p++) {
            cuts[p] = rnd.nextInt(range + 1);
        }
        cuts[pieces] = range;
        Arrays.sort(cuts);
        return cuts;
    }

    static int[] fixedChunks(int range, int chunk) {
        int pieces = Math.max(1, (range + chunk - 1) / chunk);
        int[] cuts = new int[pieces + 1];
        for (int c = 0; c <= pieces; c++) {
            cuts[c] = Math.min(range, c * chunk);
        }
        return cuts;
    }

    @ParameterizedTest(name = "block {0}x{1}")
    @CsvSource({"16, 16", "32, 32", "1, 64", "64, 1", "8, 8", "3, 5", "5, 3", "1, 1", "24, 40", "2, 33", "7, 17"})
    void matchesReferenceOnManyShapesDensitiesAndSplits(int br, int bc) {
        SplittableRandom rnd = new SplittableRandom(br * 1009L + bc);
        int[] sizes = {1, 2, 5, 13, 16, 17, 31, 33, 64, 65, 100};
        for (int trial = 0; trial < 40; trial++) {
            int m = sizes[rnd.nextInt(sizes.length)];
            int k = sizes[rnd.nextInt(sizes.length)];
            int n = sizes[rnd.nextInt(sizes.length)];
            double density = new double[] {0, 0.05, 0.3, 0.7, 1}[trial % 5];
            Problem p = problem(rnd, m, k, n, br, bc, density, trial % 2 == 0 ? 0 : F_ACCUMULATE);
            assertSameAsReference(p, new int[] {0, p.range()});
            assertSameAsReference(p, randomCuts(rnd, p.range(), 2 + rnd.nextInt(6)));
            assertSameAsReference(p, fixedChunks(p.range(), 1 + rnd.nextInt(Math.max(1, p.range()))));
        }
    }

    @ParameterizedTest(name = "m={0} k={1} n={2} block {3}x{4}")
    @CsvSource({"256, 256, 1024, 16, 16", "130, 96, 200, 32, 32", "100, 70, 300, 1, 64", "100, 300, 70, 64, 1",
            "64, 100, 90, 16, 16"})
    void matchesReferenceOnTrainerLikeShapes(int m, int k, int n, int br, int bc) {
        SplittableRandom rnd = new SplittableRandom(m * 31L + k * 7L + n);
        for (int flags : new int[] {0, F_ACCUMULATE}) {
            Problem p = problem(rnd, m, k, n, br, bc, 0.1, flags);
            assertSameAsReference(p, new int[] {0, p.range()});
            assertSameAsReference(p, fixedChunks(p.range(), VectorBlockSparseMatmulKernels.grain(p.blocks())));
            assertSameAsReference(p, randomCuts(rnd, p.range(), 7));
        }
    }

    @Test
    void emptyRangesZeroReductionAndSignedZeros() {
        SplittableRandom rnd = new SplittableRandom(5);
        Problem p = problem(rnd, 6, 20, 30, 16, 16, 1, 0);
        float[] before = p.out().clone();
        VectorBlockSparseMatmulKernels.blockSparseMatmulTN(p.out(), p.a(), p.b(), p.blocks(), p.dims(), 7, 0);
        assertBitIdentical("empty range", p.out(), before);
        // M = 0: every active entry becomes +0 (or old + 0)
        for (int flags : new int[] {0, F_ACCUMULATE}) {
            Problem zero = problem(rnd, 0, 20, 30, 16, 16, 0.5, flags);
            Arrays.fill(zero.out(), -0f);
            assertSameAsReference(zero, new int[] {0, zero.range()});
        }
        // every product ±0 and the sum starting at +0
        Problem signed = problem(rnd, 5, 20, 30, 4, 8, 0.6, 0);
        Arrays.fill(signed.a(), -0f);
        assertSameAsReference(signed, randomCuts(rnd, signed.range(), 3));
    }

    @Test
    void nanAndInfinityPropagateAsInTheReference() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[][] shapes = {{16, 16}, {1, 64}, {64, 1}, {3, 5}};
        for (int trial = 0; trial < 40; trial++) {
            int[] shape = shapes[trial % shapes.length];
            Problem p = problem(rnd, 1 + rnd.nextInt(20), 1 + rnd.nextInt(70), 1 + rnd.nextInt(70), shape[0], shape[1],
                    0.5, rnd.nextBoolean() ? F_ACCUMULATE : 0);
            // one NaN payload only, or infinities only, so that a bitwise comparison is meaningful
            boolean nans = trial % 2 == 0;
            for (float[] x : new float[][] {p.a(), p.b()}) {
                for (int hits = 0; hits < 3; hits++) {
                    x[rnd.nextInt(x.length)] = nans ? Float.NaN
                            : rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                }
            }
            assertSameAsReference(p, randomCuts(rnd, p.range(), 3));
        }
    }

    @ParameterizedTest(name = "threads={0} chunk={1} grain={2}")
    @CsvSource({"1, 100000, 0", "2, 97, 0", "3, 1, 0", "2, 1000, -1", "4, 1000, 256", "3, 1000, 77"})
    void throughTheJvmBackendTheResultDoesNotDependOnThreadsChunksOrGrain(int threads, int chunk, int grain) {
        SplittableRandom rnd = new SplittableRandom(9);
        int[][] shapes = {{16, 16}, {32, 32}, {1, 64}, {64, 1}, {5, 7}};
        for (int[] shape : shapes) {
            for (int flags : new int[] {0, F_ACCUMULATE}) {
                Problem p = problem(rnd, 45, 70, 130, shape[0], shape[1], 0.3, flags);
                float[] expected = p.out().clone();
                BlockSparseMatmulKernels.blockSparseMatmulTN(expected, p.a(), p.b(), p.blocks(), p.dims(), 0,
                        p.range());
                float[] out = p.out().clone();
                KernelCall call = KernelCall.builder("train.block_sparse_dw", Kernel.BLOCK_SPARSE_MATMUL_TN)
                        .state(out).input(p.a()).input(p.b()).constant(p.blocks()).constant(p.dims())
                        .jvmFastPath((offset, count) -> VectorBlockSparseMatmulKernels.blockSparseMatmulTN(out, p.a(),
                                p.b(), p.blocks(), p.dims(), offset, count))
                        .grain(grain < 0 ? VectorBlockSparseMatmulKernels.grain(p.blocks()) : grain)
                        .over(p.range());
                try (JvmBackend backend = new JvmBackend(threads, chunk)) {
                    backend.prepare(call).launch();
                }
                assertBitIdentical(p.what() + " threads " + threads, out, expected);
            }
        }
    }

    @Test
    void grainIsWholeBlocks() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int[] shape : new int[][] {{16, 16}, {1, 64}, {64, 1}, {32, 32}, {3, 5}}) {
            for (double density : new double[] {0, 0.01, 0.1, 1}) {
                int[] blocks = randomBlocks(rnd, 256, 1024, shape[0], shape[1], density);
                int grain = VectorBlockSparseMatmulKernels.grain(blocks);
                assertThat(grain).isPositive();
                if (blocks[2] > 0) {
                    assertThat(grain % (shape[0] * shape[1])).isZero();
                    assertThat(grain).isLessThanOrEqualTo(BlockSparseMatmulKernels.iterations(blocks));
                }
            }
        }
    }
}
