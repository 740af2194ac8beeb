package org.rlcasino.kernels;

import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/** Runs a kernel call on copies of the same data under several thread counts and chunk sizes. */
final class KernelRuns {
    /** (threads, chunk size) pairs: sequential, and parallel with tiny and odd chunks. */
    private static final int[][] SPLITS = {{1, 1 << 20}, {3, 1}, {2, 7}};

    private KernelRuns() {}

    /**
     * Launches {@code make(copy)} on a fresh copy of {@code data} under every split, asserts that all
     * arrays end bit-identical across splits, and returns the arrays of the first (sequential) run.
     */
    static Object[] runEverywhere(String what, Object[] data, Function<Object[], KernelCall> make) {
        Object[] first = null;
        for (int[] split : SPLITS) {
            Object[] copy = copy(data);
            try (JvmBackend backend = new JvmBackend(split[0], split[1])) {
                backend.prepare(make.apply(copy)).launch();
            }
            if (first == null) {
                first = copy;
                continue;
            }
            for (int i = 0; i < copy.length; i++) {
                if (copy[i] instanceof float[] f) {
                    assertBitIdentical(what + " argument " + i + " with " + split[0] + " threads, chunk " + split[1],
                            f, (float[]) first[i]);
                } else if (copy[i] instanceof int[] a) {
                    assertThat(a).isEqualTo((int[]) first[i]);
                }
            }
        }
        return first;
    }

    static Object[] copy(Object[] data) {
        Object[] c = new Object[data.length];
        for (int i = 0; i < data.length; i++) {
            c[i] = data[i] instanceof float[] f ? f.clone() : data[i] instanceof int[] a ? a.clone() : data[i];
        }
        return c;
    }

    static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        return x;
    }

    static int[] ints(SplittableRandom r, int n, int bound) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(bound);
        }
        return x;
    }
}
