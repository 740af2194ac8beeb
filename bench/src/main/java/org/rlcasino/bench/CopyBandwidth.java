package org.rlcasino.bench;

import java.util.Arrays;

import org.rlcasino.kernels.JvmBackend;

/**
 * This machine's sustainable memory bandwidth, measured as the STREAM triad
 * {@code a[i] = b[i] + s·c[i]} over float arrays far larger than the caches, on the same backend
 * threads as the JVM kernels. STREAM's byte model: 12 bytes per element (two reads, one write).
 */
public final class CopyBandwidth {
    private CopyBandwidth() {}

    /** Result: best and median GB/s over the repeats. */
    public record Result(long elements, int repeats, double bestGBps, double medianGBps) {}

    /** Runs the triad {@code repeats} times (after one warm-up) over arrays of {@code elements} floats. */
    public static Result measure(JvmBackend backend, int elements, int repeats) {
        if (elements < 1 || repeats < 1) {
            throw new IllegalArgumentException("elements and repeats must be >= 1");
        }
        float[] a = new float[elements];
        float[] b = new float[elements];
        float[] c = new float[elements];
        Arrays.fill(b, 1f);
        Arrays.fill(c, 2f);
        float[] scalar = {3f};
        double[] gbps = new double[repeats];
        for (int r = -1; r < repeats; r++) {
            long t0 = System.nanoTime();
            backend.run("bench.triad", elements, (offset, count) -> triad(a, b, c, scalar, offset, count));
            long t1 = System.nanoTime();
            if (r >= 0) {
                gbps[r] = 12.0 * elements / (t1 - t0);
            }
        }
        Arrays.sort(gbps);
        return new Result(elements, repeats, gbps[repeats - 1], gbps[repeats / 2]);
    }

    /** {@code a[i] = b[i] + s[0]·c[i]}. */
    static void triad(float[] a, float[] b, float[] c, float[] s, int offset, int count) {
        float scalar = s[0];
        for (int k = 0; k < count; k++) {
            int i = offset + k;
            a[i] = b[i] + scalar * c[i];
        }
    }
}
