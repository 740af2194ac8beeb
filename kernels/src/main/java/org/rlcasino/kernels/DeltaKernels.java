package org.rlcasino.kernels;

/**
 * Weight deltas on the device for delta logging: the trainer keeps a reference copy of the
 * parameters next to them on the backend and brings back only the delta δ of each logged step, on
 * the start basis {@code δ_t = θ_t − θ_0} or the step basis {@code δ_t = θ_t − θ_(t−1)} (see
 * {@code io.arrow.DeltaBasis}). The subtraction is the host's float32 {@code after − before}, so the
 * delta is bit-identical wherever it is computed. Iterations: the parameters.
 */
public final class DeltaKernels {
    private DeltaKernels() {}

    /** {@code reference[i] = theta[i]}: remembers θ before the first logged step. Shapes: reference, theta (n). */
    public static void captureReference(float[] reference, float[] theta, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int i = offset + k;
            reference[i] = theta[i];
        }
    }

    /** {@code delta[i] = theta[i] − origin[i]} (start basis; the origin stays). Shapes: delta, theta, origin (n). */
    public static void startDelta(float[] delta, float[] theta, float[] origin, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int i = offset + k;
            delta[i] = theta[i] - origin[i];
        }
    }

    /**
     * {@code delta[i] = theta[i] − previous[i]; previous[i] = theta[i]} (step basis: the reference
     * moves on to θ_t for the next logged step). Shapes: delta, previous, theta (n).
     */
    public static void stepDelta(float[] delta, float[] previous, float[] theta, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int i = offset + k;
            float t = theta[i];
            delta[i] = t - previous[i];
            previous[i] = t;
        }
    }
}
