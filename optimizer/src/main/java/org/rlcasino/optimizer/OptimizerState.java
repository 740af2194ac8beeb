package org.rlcasino.optimizer;

/**
 * The complete state of an AdamW-family optimizer as plain arrays, enough to resume bit-exactly.
 *
 * @param optimizer        {@code "adamw"} or {@code "bsr-adamw"}
 * @param step             steps applied so far (the {@code t} of the bias corrections)
 * @param skippedSteps     steps skipped for non-finite gradients
 * @param activeSetDigest  digest of the active entries the state belongs to (0 for dense AdamW);
 *                         restoring into an optimizer with another mask is refused
 * @param m                first moments: one per parameter (dense) or per active entry (compact,
 *                         tensors in layout order, entries ascending)
 * @param v                second moments, same layout as {@code m}
 */
public record OptimizerState(String optimizer, long step, long skippedSteps, long activeSetDigest,
                             float[] m, float[] v) {
    public OptimizerState {
        if (optimizer == null || optimizer.isBlank()) {
            throw new IllegalArgumentException("optimizer name must not be blank");
        }
        if (step < 0 || skippedSteps < 0) {
            throw new IllegalArgumentException("step and skippedSteps must be >= 0, got " + step + ", " + skippedSteps);
        }
        if (m == null || v == null || m.length != v.length) {
            throw new IllegalArgumentException("m and v must be non-null and of equal length");
        }
    }
}
