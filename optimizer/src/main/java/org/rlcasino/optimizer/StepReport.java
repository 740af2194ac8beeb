package org.rlcasino.optimizer;

/**
 * What one call to {@link Optimizer#step} did.
 *
 * @param step      the optimizer's step count after the call (unchanged when skipped)
 * @param lr        learning rate used (scheduled), or that would have been used when skipped
 * @param gradNorm  global L2 norm of the gradient before clipping (over the active entries for
 *                  BSR-AdamW); NaN when neither clipping nor a non-finite check needed it
 * @param gradScale factor applied to the gradient by clipping (1 when not clipped)
 * @param skipped   true when the step was skipped for a non-finite gradient
 */
public record StepReport(long step, double lr, double gradNorm, double gradScale, boolean skipped) {}
