package org.rlcasino.io.arrow;

/**
 * How a delta stream is written.
 *
 * @param tolerance nonzero deltas with |δ| below it are written as exactly 0 and counted; 0 keeps every value; finite, ≥ 0
 * @param batching  rows and record-batch bounds
 * @param basis     what the deltas are measured against, recorded in the file
 */
public record DeltaStreamOptions(double tolerance, Batching batching, DeltaBasis basis) {
    /** No tolerance, {@link Batching#DEFAULTS}, step deltas. */
    public static final DeltaStreamOptions DEFAULTS = new DeltaStreamOptions(0.0, Batching.DEFAULTS, DeltaBasis.STEP);

    public DeltaStreamOptions {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
        }
        if (batching == null) {
            throw new IllegalArgumentException("batching must not be null");
        }
        if (basis == null) {
            throw new IllegalArgumentException("basis must be step or start, got null");
        }
    }

    public DeltaStreamOptions withTolerance(double tolerance) {
        return new DeltaStreamOptions(tolerance, batching, basis);
    }

    public DeltaStreamOptions withBatching(Batching batching) {
        return new DeltaStreamOptions(tolerance, batching, basis);
    }

    public DeltaStreamOptions withBasis(DeltaBasis basis) {
        return new DeltaStreamOptions(tolerance, batching, basis);
    }
}
