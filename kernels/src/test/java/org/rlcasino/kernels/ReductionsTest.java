package org.rlcasino.kernels;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ReductionsTest {

    static float[] gaussian(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    static double oracle(float[] x, int[] indices, int n) {
        double s = 0;
        for (int j = 0; j < n; j++) {
            double v = indices == null ? x[j] : x[indices[j]];
            s += v * v;
        }
        return s;
    }

    @Test
    void sumOfSquaresMatchesTheOracle() {
        SplittableRandom rnd = new SplittableRandom(1);
        try (JvmBackend backend = new JvmBackend(2, 3)) {
            Reductions reductions = new Reductions(backend);
            for (int n : new int[] {1, 3, 4, 4095, 4096, 4097, 9000, 100_000}) {
                float[] x = gaussian(rnd, n);
                double expected = oracle(x, null, n);
                assertThat(reductions.sumOfSquares("test.sum_sq", x, n)).as("n=%d", n)
                        .isCloseTo(expected, within(1e-6 * expected));
            }
        }
    }

    @Test
    void reducesOnlyTheFirstNValues() {
        float[] x = {1, 2, 3, 4, 5, 6};
        try (JvmBackend backend = new JvmBackend(1, 8)) {
            Reductions reductions = new Reductions(backend);
            assertThat(reductions.sumOfSquares("test.sum_sq", x, 3)).isEqualTo(14.0);
            assertThat(reductions.sumOfSquares("test.sum_sq", x, 0)).isEqualTo(0.0);
            assertThat(reductions.gatheredSumOfSquares("test.sum_sq", x, new int[] {5, 0, 2, 1}, 2)).isEqualTo(37.0);
            assertThat(reductions.gatheredSumOfSquares("test.sum_sq", x, new int[] {5}, 0)).isEqualTo(0.0);
            assertThat(reductions.gatheredSumOfSquares("test.sum_sq", x, new int[0], 0)).isEqualTo(0.0);
        }
    }

    @Test
    void reusedPartialsBufferGivesCorrectResultsForShrinkingSizes() {
        SplittableRandom rnd = new SplittableRandom(2);
        try (JvmBackend backend = new JvmBackend(2, 1)) {
            Reductions reductions = new Reductions(backend);
            float[] big = gaussian(rnd, 50_000);
            reductions.sumOfSquares("test.sum_sq", big, big.length);
            float[] small = {3, 4};
            assertThat(reductions.sumOfSquares("test.sum_sq", small, 2)).isEqualTo(25.0);
            assertThat(reductions.gatheredSumOfSquares("test.sum_sq", big, new int[] {0}, 1))
                    .isCloseTo((double) big[0] * big[0], within(1e-6));
        }
    }

    @Test
    void gatheredSumOfSquaresMatchesTheOracle() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = gaussian(rnd, 80_000);
        int[] indices = rnd.ints(30_000, 0, x.length).sorted().distinct().toArray();
        try (JvmBackend backend = new JvmBackend(3, 2)) {
            double expected = oracle(x, indices, indices.length);
            assertThat(new Reductions(backend).gatheredSumOfSquares("test.sum_sq", x, indices, indices.length))
                    .isCloseTo(expected, within(1e-6 * expected));
        }
    }

    @Test
    void identityGatherGivesTheSameDoubleAsThePlainSum() {
        SplittableRandom rnd = new SplittableRandom(4);
        int n = 70_001;
        float[] x = gaussian(rnd, n);
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) {
            identity[i] = i;
        }
        try (JvmBackend backend = new JvmBackend(2, 5)) {
            Reductions reductions = new Reductions(backend);
            assertThat(reductions.gatheredSumOfSquares("test.sum_sq", x, identity, n))
                    .isEqualTo(reductions.sumOfSquares("test.sum_sq", x, n));
        }
    }

    @Test
    void sumsDoNotDependOnThreadsOrChunking() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] x = gaussian(rnd, 100_000);
        int[] indices = rnd.ints(77_777, 0, x.length).toArray();
        Double plain = null;
        Double gathered = null;
        for (JvmBackend backend : List.of(new JvmBackend(1, 100_000), new JvmBackend(2, 7), new JvmBackend(4, 1),
                new JvmBackend(3, 1 << 14), new JvmBackend(2, 3))) {
            try (backend) {
                Reductions reductions = new Reductions(backend);
                double p = reductions.sumOfSquares("test.sum_sq", x, x.length);
                double g = reductions.gatheredSumOfSquares("test.sum_sq", x, indices, indices.length);
                if (plain == null) {
                    plain = p;
                    gathered = g;
                } else {
                    assertThat(Double.doubleToRawLongBits(p)).as(backend.name()).isEqualTo(Double.doubleToRawLongBits(plain));
                    assertThat(Double.doubleToRawLongBits(g)).as(backend.name()).isEqualTo(Double.doubleToRawLongBits(gathered));
                }
            }
        }
    }

    @Test
    void nonFiniteValuesPropagate() {
        try (JvmBackend backend = new JvmBackend(1, 8)) {
            Reductions reductions = new Reductions(backend);
            assertThat(reductions.sumOfSquares("test.sum_sq", new float[] {1, Float.NaN, 2}, 3)).isNaN();
            assertThat(reductions.sumOfSquares("test.sum_sq", new float[] {1, Float.NEGATIVE_INFINITY}, 2)).isInfinite();
            assertThat(reductions.gatheredSumOfSquares("test.sum_sq", new float[] {Float.NaN, 1}, new int[] {1}, 1)).isEqualTo(1.0);
        }
    }

    @Test
    void rejectsRangesOutsideTheArray() {
        try (JvmBackend backend = new JvmBackend(1, 8)) {
            Reductions reductions = new Reductions(backend);
            assertThatThrownBy(() -> reductions.sumOfSquares("test.sum_sq", new float[3], 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4").hasMessageContaining("3");
            assertThatThrownBy(() -> reductions.sumOfSquares("test.sum_sq", new float[3], -1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> reductions.gatheredSumOfSquares("test.sum_sq", new float[10], new int[2], 3))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
