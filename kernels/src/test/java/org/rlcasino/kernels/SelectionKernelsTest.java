package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The selection kernels against scalar oracles, under different chunkings of the block range. */
class SelectionKernelsTest {

    static int[] keys(SplittableRandom r, int n) {
        int[] k = new int[n];
        for (int i = 0; i < n; i++) {
            float x = switch (r.nextInt(4)) {
                case 0 -> 0.5f * r.nextInt(6);
                case 1 -> (float) -r.nextDouble();
                default -> (float) r.nextDouble() * 100;
            };
            k[i] = SelectionKernels.key(x);
        }
        return k;
    }

    @Test
    void keysOrderLikeTheFloatsAndRoundTrip() {
        float[] xs = {Float.NEGATIVE_INFINITY, -3e38f, -1f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1e-30f, 1f, 2f, 3e38f,
                Float.POSITIVE_INFINITY};
        for (int i = 0; i < xs.length; i++) {
            assertThat(Float.floatToRawIntBits(SelectionKernels.value(SelectionKernels.key(xs[i]))))
                    .isEqualTo(Float.floatToRawIntBits(xs[i]));
            for (int j = i + 1; j < xs.length; j++) {
                assertThat(Integer.compareUnsigned(SelectionKernels.key(xs[i]), SelectionKernels.key(xs[j]))).as(xs[i] + " < " + xs[j])
                        .isNegative();
            }
        }
    }

    @Test
    void digitHistogramsMatchAScalarOracle() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 10_007;
        int block = 1000;
        int radix = 2048;
        int blocks = (n + block - 1) / block;
        int[] keys = keys(r, n);
        int prefix = SelectionKernels.key(1f) >>> 21;
        for (int[] params : new int[][] {{n, 21, 2047, 0, 0, 0, -1}, {n, 10, 2047, 21, prefix, 1, 2047},
                {n - 3, 0, 1023, 10, SelectionKernels.key(1f) >>> 10, 1, (1 << 22) - 1}}) {
            int[] oracle = new int[blocks * radix];
            for (int i = 0; i < params[0]; i++) {
                int u = keys[i];
                boolean candidate = params[5] == 0 || (u >>> params[3]) == params[4];
                if (candidate) {
                    oracle[(i / block) * radix + ((u >>> params[1]) & params[2])]++;
                }
            }
            for (int chunk : new int[] {1, 3, blocks}) {
                int[] partials = new int[blocks * radix];
                java.util.Arrays.fill(partials, 99);
                for (int off = 0; off < blocks; off += chunk) {
                    SelectionKernels.digitHistogramPartials(partials, keys, params, radix, block, off, Math.min(chunk, blocks - off));
                }
                assertThat(partials).isEqualTo(oracle);
            }
        }
    }

    @Test
    void countAboveMatchesAScalarOracle() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 5_001;
        int block = 512;
        int blocks = (n + block - 1) / block;
        int[] keys = keys(r, n);
        for (float t : new float[] {-0.5f, 0f, 1f, 1.5f, 50f, Float.POSITIVE_INFINITY}) {
            int[] params = {n, SelectionKernels.key(t)};
            int[] oracle = new int[blocks];
            for (int i = 0; i < n; i++) {
                if (Integer.compareUnsigned(keys[i], params[1]) > 0) {
                    oracle[i / block]++;
                }
            }
            for (int chunk : new int[] {1, 4, blocks}) {
                int[] partials = new int[blocks];
                for (int off = 0; off < blocks; off += chunk) {
                    SelectionKernels.countAbovePartials(partials, keys, params, block, off, Math.min(chunk, blocks - off));
                }
                assertThat(partials).isEqualTo(oracle);
            }
        }
    }
}
