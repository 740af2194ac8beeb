package org.rlcasino.io.arrow;

/**
 * How a delta stream is written.
 *
 * @param tolerance nonzero deltas with |δ| below it are written as exactly 0 and counted; 0 keeps every value; finite, ≥ 0
 * @param batching  rows and record-batch bounds
 */
public record DeltaStreamOptions(double tolerance, Batching batching) {
    /** No tolerance, {@link Batching#DEFAULTS}. */
    public static final DeltaStreamOptions DEFAULTS = new DeltaStreamOptions(0.0, Batching.DEFAULTS);

    public DeltaStreamOptions {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
        }
        if (batching == null) {
            throw new IllegalArgumentException("batching must not be null");
        }
    }

    public DeltaStreamOptions withTolerance(double tolerance) {
        return new DeltaStreamOptions(tolerance, batching);
    }

    public DeltaStreamOptions withBatching(Batching batching) {
        return new DeltaStreamOptions(tolerance, batching);
    }
}
