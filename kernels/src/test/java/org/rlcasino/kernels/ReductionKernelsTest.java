package org.rlcasino.kernels;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/** The partial-sum kernels against a double oracle, exactly on integer data, and against each other. */
class ReductionKernelsTest {

    static float[] gaussian(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    /** Σ x[i]² per block, in double. */
    static float[] oraclePartials(float[] x, int[] indices, int n, int blockSize) {
        int blocks = (n + blockSize - 1) / blockSize;
        float[] out = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            double s = 0;
            for (int j = b * blockSize; j < Math.min(n, (b + 1) * blockSize); j++) {
                double xj = indices == null ? x[j] : x[indices[j]];
                s += xj * xj;
            }
            out[b] = (float) s;
        }
        return out;
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @ParameterizedTest(name = "n={0} blockSize={1}")
    @CsvSource({"1, 1", "1, 4", "3, 4", "4, 4", "5, 4", "7, 3", "100, 16", "1000, 64", "4097, 4096", "10000, 333"})
    void sumOfSquaresPartialsMatchTheOracle(int n, int blockSize) {
        float[] x = gaussian(new SplittableRandom(n * 31L + blockSize), n + 5); // values past n are ignored
        int blocks = (n + blockSize - 1) / blockSize;
        float[] partials = new float[blocks];
        ReductionKernels.sumOfSquaresPartials(partials, x, n, blockSize, 0, blocks);
        assertClose("partials", partials, oraclePartials(x, null, n, blockSize), 0, 1e-5);
    }

    @Test
    void sumsOfSmallIntegersAreExact() {
        int n = 1003;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i % 17) - 8;
        }
        int blockSize = 100;
        int blocks = 11;
        float[] partials = new float[blocks];
        ReductionKernels.sumOfSquaresPartials(partials, x, n, blockSize, 0, blocks);
        assertBitIdentical("partials", partials, oraclePartials(x, null, n, blockSize));
        float[] gathered = new float[blocks];
        ReductionKernels.gatheredSumOfSquaresPartials(gathered, x, identity(n), n, blockSize, 0, blocks);
        assertBitIdentical("gathered partials", gathered, partials);
    }

    @ParameterizedTest(name = "n={0} blockSize={1}")
    @CsvSource({"1, 1", "3, 4", "9, 4", "500, 7", "2000, 256", "5000, 4096"})
    void gatheredPartialsMatchTheOracle(int n, int blockSize) {
        SplittableRandom rnd = new SplittableRandom(n);
        float[] x = gaussian(rnd, 3 * n);
        int[] indices = new int[n];
        for (int j = 0; j < n; j++) {
            indices[j] = rnd.nextInt(x.length);
        }
        int blocks = (n + blockSize - 1) / blockSize;
        float[] partials = new float[blocks];
        ReductionKernels.gatheredSumOfSquaresPartials(partials, x, indices, n, blockSize, 0, blocks);
        assertClose("partials", partials, oraclePartials(x, indices, n, blockSize), 0, 1e-5);
    }

    @Test
    void gatheredWithIdentityIndicesGivesTheSameBitsAsPlain() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : new int[] {1, 2, 3, 5, 17, 1000, 4099}) {
            for (int blockSize : new int[] {1, 3, 4, 64, 4096}) {
                float[] x = gaussian(rnd, n);
                int blocks = (n + blockSize - 1) / blockSize;
                float[] plain = new float[blocks];
                float[] gathered = new float[blocks];
                ReductionKernels.sumOfSquaresPartials(plain, x, n, blockSize, 0, blocks);
                ReductionKernels.gatheredSumOfSquaresPartials(gathered, x, identity(n), n, blockSize, 0, blocks);
                assertBitIdentical("n=" + n + " blockSize=" + blockSize, gathered, plain);
            }
        }
    }

    @Test
    void gatheredEqualsPlainOverTheGatheredValues() {
        SplittableRandom rnd = new SplittableRandom(4);
        float[] x = gaussian(rnd, 5000);
        int[] indices = rnd.ints(1234, 0, x.length).sorted().toArray();
        float[] compact = new float[indices.length];
        for (int j = 0; j < indices.length; j++) {
            compact[j] = x[indices[j]];
        }
        int blockSize = 100;
        int blocks = (indices.length + blockSize - 1) / blockSize;
        float[] plain = new float[blocks];
        float[] gathered = new float[blocks];
        ReductionKernels.sumOfSquaresPartials(plain, compact, compact.length, blockSize, 0, blocks);
        ReductionKernels.gatheredSumOfSquaresPartials(gathered, x, indices, indices.length, blockSize, 0, blocks);
        assertBitIdentical("gathered vs compacted", gathered, plain);
    }

    @Test
    void writesOnlyTheBlocksOfItsRange() {
        float[] x = gaussian(new SplittableRandom(5), 100);
        float[] partials = new float[10];
        Arrays.fill(partials, -1f);
        ReductionKernels.sumOfSquaresPartials(partials, x, 100, 10, 3, 4);
        float[] gathered = new float[10];
        Arrays.fill(gathered, -1f);
        ReductionKernels.gatheredSumOfSquaresPartials(gathered, x, identity(100), 100, 10, 3, 4);
        for (int b = 0; b < 10; b++) {
            boolean inside = b >= 3 && b < 7;
            assertThat(partials[b] != -1f).as("block %d", b).isEqualTo(inside);
            assertThat(gathered[b] != -1f).as("gathered block %d", b).isEqualTo(inside);
        }
    }

    @Test
    void partialsDoNotDependOnThreadsOrChunking() {
        SplittableRandom rnd = new SplittableRandom(6);
        int n = 100_000;
        int blockSize = 1000;
        int blocks = 100;
        float[] x = gaussian(rnd, n);
        int[] indices = rnd.ints(60_000, 0, n).toArray();
        int gatheredBlocks = 60;
        float[] refPlain = null;
        float[] refGathered = null;
        for (JvmBackend backend : List.of(new JvmBackend(1, 1 << 14), new JvmBackend(2, 7), new JvmBackend(4, 1),
                new JvmBackend(3, 1 << 14))) {
            try (backend) {
                float[] plain = new float[blocks];
                float[] gathered = new float[gatheredBlocks];
                backend.run("test.sum_sq", blocks,
                        (o, c) -> ReductionKernels.sumOfSquaresPartials(plain, x, n, blockSize, o, c));
                backend.run("test.gathered_sum_sq", gatheredBlocks, (o, c) ->
                        ReductionKernels.gatheredSumOfSquaresPartials(gathered, x, indices, 60_000, blockSize, o, c));
                if (refPlain == null) {
                    refPlain = plain;
                    refGathered = gathered;
                } else {
                    assertBitIdentical(backend.name() + " plain", plain, refPlain);
                    assertBitIdentical(backend.name() + " gathered", gathered, refGathered);
                }
            }
        }
    }
}
