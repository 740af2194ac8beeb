package org.rlcasino.kernels.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.RangeKernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.kernels.MatmulKernels.F_ACCUMULATE;
import static org.rlcasino.kernels.MatmulKernels.F_BIAS;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/** The Vector API matmul fast paths against the reference kernels, bit for bit, for any range split. */
class VectorMatmulKernelsTest {
    enum Op { NN, NT, TN }

    /** A product with operands placed at offsets inside larger arrays (as in the model's flat buffers). */
    record Problem(Op op, int m, int k, int n, int flags, float[] out, float[] a, float[] b, float[] bias, int[] dims) {
        /** Output elements (the kernel's range). */
        int range() {
            return op == Op.TN ? k * n : m * n;
        }

        void reference(float[] target, int offset, int count) {
            switch (op) {
                case NN -> MatmulKernels.matmulNN(target, a, b, bias, dims, offset, count);
                case NT -> MatmulKernels.matmulNT(target, a, b, bias, dims, offset, count);
                case TN -> MatmulKernels.matmulTN(target, a, b, bias, dims, offset, count);
            }
        }

        void fast(float[] target, int offset, int count) {
            switch (op) {
                case NN -> VectorMatmulKernels.matmulNN(target, a, b, bias, dims, offset, count);
                case NT -> VectorMatmulKernels.matmulNT(target, a, b, bias, dims, offset, count);
                case TN -> VectorMatmulKernels.matmulTN(target, a, b, bias, dims, offset, count);
            }
        }

        Kernel kernel() {
            return switch (op) {
                case NN -> Kernel.MATMUL_NN;
                case NT -> Kernel.MATMUL_NT;
                case TN -> Kernel.MATMUL_TN;
            };
        }

        String what() {
            return op + " m=" + m + " k=" + k + " n=" + n + " flags=" + flags;
        }
    }

    static float[] gaussian(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    static Problem problem(SplittableRandom rnd, Op op, int m, int k, int n, int flags) {
        int outOffset = rnd.nextInt(5);
        int aOffset = rnd.nextInt(7);
        int bOffset = rnd.nextInt(9);
        int biasOffset = rnd.nextInt(3);
        int outSize = op == Op.TN ? k * n : m * n;
        float[] out = gaussian(rnd, outOffset + outSize + rnd.nextInt(4));
        float[] a = gaussian(rnd, aOffset + m * k + rnd.nextInt(4));
        int bSize = switch (op) {
            case NN -> k * n;
            case NT -> n * k;
            case TN -> m * n;
        };
        float[] b = gaussian(rnd, bOffset + bSize + rnd.nextInt(4));
        float[] bias = gaussian(rnd, biasOffset + n + 2);
        int[] dims = MatmulKernels.dims(m, k, n, outOffset, aOffset, bOffset, biasOffset, flags);
        return new Problem(op, m, k, n, flags, out, a, b, bias, dims);
    }

    static void assertSameAsReference(Problem p, int[] cuts) {
        float[] expected = p.out().clone();
        p.reference(expected, 0, p.range());
        float[] actual = p.out().clone();
        for (int c = 0; c + 1 < cuts.length; c++) {
            p.fast(actual, cuts[c], cuts[c + 1] - cuts[c]);
        }
        assertBitIdentical(p.what(), actual, expected);
    }

    /** Cut points 0 = c0 < c1 < … = range at random places (mid-row starts included). */
    static int[] randomCuts(SplittableRandom rnd, int range, int pieces) {
        List<Integer> cuts = new ArrayList<>();
        cuts.add(0);
        for (int p = 1; p < pieces && range > 0; p++) {
            cuts.add(rnd.nextInt(range + 1));
        }
        cuts.add(range);
        return cuts.stream().sorted().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"NN", "NT", "TN"})
    void matchesReferenceOnManyShapesFlagsAndSplits(Op op) {
        SplittableRandom rnd = new SplittableRandom(op.ordinal() * 31 + 7);
        int[] sizes = {1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 23, 31, 32, 33, 47, 64, 65};
        for (int trial = 0; trial < 300; trial++) {
            int m = sizes[rnd.nextInt(sizes.length)];
            int k = sizes[rnd.nextInt(sizes.length)];
            int n = sizes[rnd.nextInt(sizes.length)];
            int flags = rnd.nextInt(4);
            Problem p = problem(rnd, op, m, k, n, flags);
            assertSameAsReference(p, new int[] {0, p.range()});
            assertSameAsReference(p, randomCuts(rnd, p.range(), 2 + rnd.nextInt(6)));
        }
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @CsvSource({
            "NN, 64, 256, 768", "NN, 37, 257, 101", "NN, 9, 1024, 256",
            "NT, 64, 256, 64", "NT, 33, 768, 256", "NT, 5, 129, 67",
            "TN, 1024, 256, 64", "TN, 131, 61, 97", "TN, 200, 7, 300",
            // reductions of several 512-step blocks, wider than one 64-panel slab, more than one 128-row block
            "NN, 6, 1100, 2100", "NT, 5, 1025, 2090", "TN, 1030, 9, 2077", "NN, 133, 600, 40", "NT, 130, 513, 33"})
    void matchesReferenceOnTrainerLikeShapesEveryFlag(Op op, int m, int k, int n) {
        SplittableRandom rnd = new SplittableRandom(m * 1_000_003L + k * 1009L + n);
        for (int flags = 0; flags < 4; flags++) {
            Problem p = problem(rnd, op, m, k, n, flags);
            assertSameAsReference(p, new int[] {0, p.range()});
            assertSameAsReference(p, randomCuts(rnd, p.range(), 5));
            // every chunk of a fixed size, as the JVM backend splits with a grain
            int chunk = 1 + rnd.nextInt(Math.max(1, p.range() / 3));
            int pieces = (p.range() + chunk - 1) / chunk;
            int[] cuts = new int[pieces + 1];
            for (int c = 0; c <= pieces; c++) {
                cuts[c] = Math.min(p.range(), c * chunk);
            }
            assertSameAsReference(p, cuts);
        }
    }

    @Test
    void emptyRangesAndZeroExtents() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (Op op : Op.values()) {
            Problem p = problem(rnd, op, 6, 5, 7, F_BIAS);
            float[] before = p.out().clone();
            p.fast(p.out(), 3, 0);
            assertBitIdentical("empty range " + op, p.out(), before);
            // K (or M for TN) = 0: the sum is empty, bias only
            Problem zero = op == Op.TN ? problem(rnd, op, 0, 5, 7, F_BIAS) : problem(rnd, op, 6, 0, 7, F_BIAS);
            assertSameAsReference(zero, new int[] {0, zero.range()});
        }
    }

    @Test
    void signedZerosFollowTheReference() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (Op op : Op.values()) {
            Problem p = problem(rnd, op, 5, 3, 19, 0);
            java.util.Arrays.fill(p.a(), -0f);
            // every product is -0 or +0 and the sum starts at +0: the reference gives +0 everywhere
            assertSameAsReference(p, new int[] {0, p.range()});
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"NN", "NT", "TN"})
    void nanAndInfinityPropagateAsInTheReference(Op op) {
        SplittableRandom rnd = new SplittableRandom(11 + op.ordinal());
        for (int trial = 0; trial < 40; trial++) {
            int m = 1 + rnd.nextInt(20);
            int k = 1 + rnd.nextInt(20);
            int n = 1 + rnd.nextInt(40);
            Problem p = problem(rnd, op, m, k, n, rnd.nextInt(4));
            // NaNs only (one payload) in one half of the trials, infinities only in the other: either way
            // every NaN that arises carries one payload, so the comparison can be bit for bit
            boolean nans = trial % 2 == 0;
            for (float[] x : new float[][] {p.a(), p.b()}) {
                for (int hits = 0; hits < 3; hits++) {
                    int at = rnd.nextInt(x.length);
                    x[at] = nans ? Float.NaN : (rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
                }
            }
            assertSameAsReference(p, randomCuts(rnd, p.range(), 3));
        }
    }

    @Test
    void columnSumMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (int trial = 0; trial < 300; trial++) {
            int m = rnd.nextInt(40);
            int n = 1 + rnd.nextInt(150);
            int aOffset = rnd.nextInt(5);
            int outOffset = rnd.nextInt(5);
            int flags = rnd.nextBoolean() ? F_ACCUMULATE : 0;
            float[] a = gaussian(rnd, aOffset + m * n + 3);
            if (trial % 10 == 0 && a.length > 0) {
                a[rnd.nextInt(a.length)] = Float.NaN;
            }
            float[] out = gaussian(rnd, outOffset + n + 2);
            int[] dims = MatmulKernels.dims(m, 0, n, outOffset, aOffset, 0, 0, flags);
            float[] expected = out.clone();
            MatmulKernels.columnSum(expected, a, dims, 0, n);
            float[] actual = out.clone();
            int[] cuts = randomCuts(rnd, n, 1 + rnd.nextInt(4));
            for (int c = 0; c + 1 < cuts.length; c++) {
                VectorMatmulKernels.columnSum(actual, a, dims, cuts[c], cuts[c + 1] - cuts[c]);
            }
            assertBitIdentical("columnSum m=" + m + " n=" + n, actual, expected);
        }
    }

    @ParameterizedTest(name = "threads={0} grain={1}")
    @CsvSource({"1, 0", "2, 0", "2, 1", "3, 77", "4, 256", "2, 1000"})
    void throughTheJvmBackendTheResultDoesNotDependOnThreadsOrGrain(int threads, int grain) {
        SplittableRandom rnd = new SplittableRandom(9);
        for (Op op : Op.values()) {
            for (int flags = 0; flags < 4; flags++) {
                Problem p = problem(rnd, op, 70, 45, 53, flags);
                float[] expected = p.out().clone();
                p.reference(expected, 0, p.range());
                float[] out = p.out().clone();
                RangeKernel fast = (offset, count) -> p.fast(out, offset, count);
                KernelCall call = KernelCall.builder("train.matmul", p.kernel())
                        .output(out).input(p.a()).input(p.b()).input(p.bias()).constant(p.dims())
                        .jvmFastPath(fast).grain(grain).over(p.range());
                try (JvmBackend backend = new JvmBackend(threads, 97)) {
                    backend.prepare(call).launch();
                }
                assertBitIdentical(p.what() + " threads " + threads, out, expected);
            }
        }
        // the column sums the same way
        float[] a = gaussian(rnd, 33 * 300);
        int[] dims = MatmulKernels.dims(33, 0, 300, 0, 0, 0, 0, 0);
        float[] expected = new float[300];
        MatmulKernels.columnSum(expected, a, dims, 0, 300);
        float[] out = new float[300];
        KernelCall call = KernelCall.builder("train.column_sum", Kernel.COLUMN_SUM).output(out).input(a).constant(dims)
                .jvmFastPath((offset, count) -> VectorMatmulKernels.columnSum(out, a, dims, offset, count))
                .grain(grain).over(300);
        try (JvmBackend backend = new JvmBackend(threads, 41)) {
            backend.prepare(call).launch();
        }
        assertBitIdentical("columnSum threads " + threads, out, expected);
    }

    @Test
    void lanesIsAPowerOfTwo() {
        assertThat(Integer.bitCount(VectorMatmulKernels.lanes())).isEqualTo(1);
    }
}
