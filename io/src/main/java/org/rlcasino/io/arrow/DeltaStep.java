package org.rlcasino.io.arrow;

/**
 * One step of a delta stream, as recorded in the footer's {@code rlcasino.steps}.
 *
 * @param step   training step t of δ_t = θ_t − θ_{t−1}, ≥ 0
 * @param source where θ_t came from (a checkpoint path, "trainer"…), or null if not given
 * @param zeroed nonzero deltas written as 0 because |δ| was below the tolerance
 */
public record DeltaStep(int step, String source, long zeroed) {
    public DeltaStep {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (zeroed < 0) {
            throw new IllegalArgumentException("zeroed must be >= 0, got " + zeroed);
        }
    }
}
