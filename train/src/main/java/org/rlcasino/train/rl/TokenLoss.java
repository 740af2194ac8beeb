package org.rlcasino.train.rl;

/**
 * A loss over per-token log-probabilities and its gradient with respect to each of them.
 *
 * @param loss       the scalar loss
 * @param dLogProbs  dLoss / d log p(target) per position (0 where the position does not count)
 * @param kl         mean k3 estimate of KL(π‖π_ref) per counted token (GRPO with a reference; else 0)
 * @param clipFraction fraction of counted tokens whose ratio was clipped (GRPO; else 0)
 */
public record TokenLoss(double loss, float[] dLogProbs, double kl, double clipFraction) {
}
