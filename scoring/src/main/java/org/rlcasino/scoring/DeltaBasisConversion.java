package org.rlcasino.scoring;

import org.rlcasino.io.arrow.DeltaBasis;

/**
 * Converts a delta stream from the basis its file records to the basis a scorer works on, in
 * place, run by run, while the stream is read in step order (unscored steps pass through as
 * {@link #needsEveryEarlierStep()} says):
 * <ul>
 *   <li>step → start: {@code D_t = Σ_(s ≤ t) δ_s}, a running sum from the file's first step kept in
 *       float64 (8 bytes per parameter) and rounded to float32 once per value; exact whenever the
 *       step deltas are differences of nearby float32 weights.</li>
 *   <li>start → step: {@code δ_t = D_t − D_(t−1)} (D before the file's first step = 0), keeping the
 *       previous start delta in float32 (4 bytes per parameter); each difference is one correctly
 *       rounded float32 subtraction. Only the step right before the first scored one needs to pass
 *       through besides the scored ones.</li>
 * </ul>
 * State is flat over the scorer's selected parameters, (n).
 */
abstract sealed class DeltaBasisConversion {

    /** The conversion from {@code file} to {@code scored}, or null when they are the same basis. */
    static DeltaBasisConversion between(DeltaBasis file, DeltaBasis scored, int n) {
        if (file == scored) {
            return null;
        }
        return scored == DeltaBasis.START ? new StepToStart(n) : new StartToStep(n);
    }

    /** Bytes of state per selected parameter the conversion from {@code file} to {@code scored} needs. */
    static long bytesPerParameter(DeltaBasis file, DeltaBasis scored) {
        if (file == scored) {
            return 0;
        }
        return scored == DeltaBasis.START ? Double.BYTES : Float.BYTES;
    }

    /**
     * Whether every step before the first scored one must pass through (a running sum), or only the
     * one right before it (a difference).
     */
    abstract boolean needsEveryEarlierStep();

    /** Converts {@code values[from, from+length)}, the deltas of parameters {@code [flat, flat+length)}, in place. */
    abstract void apply(float[] values, int from, int length, int flat);

    private static final class StepToStart extends DeltaBasisConversion {
        private final double[] sum;

        StepToStart(int n) {
            sum = new double[n];
        }

        @Override
        boolean needsEveryEarlierStep() {
            return true;
        }

        @Override
        void apply(float[] values, int from, int length, int flat) {
            for (int k = 0; k < length; k++) {
                int i = flat + k;
                double s = sum[i] + values[from + k];
                sum[i] = s;
                values[from + k] = (float) s;
            }
        }
    }

    private static final class StartToStep extends DeltaBasisConversion {
        private final float[] previous;

        StartToStep(int n) {
            previous = new float[n];
        }

        @Override
        boolean needsEveryEarlierStep() {
            return false;
        }

        @Override
        void apply(float[] values, int from, int length, int flat) {
            for (int k = 0; k < length; k++) {
                int i = flat + k;
                float d = values[from + k];
                values[from + k] = d - previous[i];
                previous[i] = d;
            }
        }
    }
}
