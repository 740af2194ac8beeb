package org.rlcasino.train.rl;

/**
 * Group Relative Policy Optimization (Shao et al. 2024, DeepSeek-R1). Rows are samples; each group
 * of G consecutive rows answers one prompt. Per counted token of row i, with r = exp(logp − logp_old),
 * <pre>
 *   ℓ = −min(r·A_i, clip(r, 1−ε, 1+ε)·A_i) + κ·(exp(ref − logp) − (ref − logp) − 1)     (k3 KL estimator)
 *   L = (1/B) Σ_i (1/|o_i|) Σ_t ℓ_{i,t}
 *   dℓ/dlogp = −r·A_i where the unclipped term is the minimum (else 0) + κ·(1 − exp(ref − logp))
 * </pre>
 */
public final class GrpoLoss {
    /** Added to the group's standard deviation, as TRL does. */
    public static final double STD_EPS = 1e-4;

    private GrpoLoss() {}

    /**
     * Group-normalised advantages A_i = (R_i − mean_g) / (std_g + 1e-4), std unbiased (n − 1) as in
     * TRL; a group whose rewards are all equal gets 0.
     */
    public static double[] advantages(double[] rewards, int groupSize) {
        if (groupSize < 2 || rewards.length % groupSize != 0) {
            throw new IllegalArgumentException("rewards (" + rewards.length + ") must be whole groups of >= 2, got G=" + groupSize);
        }
        double[] a = new double[rewards.length];
        for (int g = 0; g < rewards.length; g += groupSize) {
            double mean = 0;
            for (int i = 0; i < groupSize; i++) {
                mean += rewards[g + i];
            }
            mean /= groupSize;
            double var = 0;
            for (int i = 0; i < groupSize; i++) {
                double x = rewards[g + i] - mean;
                var += x * x;
            }
            double std = Math.sqrt(var / (groupSize - 1));
            for (int i = 0; i < groupSize; i++) {
                a[g + i] = std == 0 ? 0 : (rewards[g + i] - mean) / (std + STD_EPS);
            }
        }
        return a;
    }

    /**
     * @param logProbs    (B·T) current policy log-probs per position
     * @param oldLogProbs (B·T) log-probs of the policy that sampled the rows
     * @param refLogProbs (B·T) reference log-probs, or null when {@code klCoef} is 0
     * @param targets     (B·T) targets, negative = not a completion token
     * @param advantages  (B) per row
     */
    public static TokenLoss compute(float[] logProbs, float[] oldLogProbs, float[] refLogProbs, int[] targets,
                                    double[] advantages, int rows, int seqLen, double clip, double klCoef) {
        if (klCoef > 0 && refLogProbs == null) {
            throw new IllegalArgumentException("klCoef > 0 needs reference log-probs");
        }
        int[] counts = SequenceLogProbs.counts(targets, rows, seqLen);
        float[] d = new float[logProbs.length];
        double loss = 0;
        double kl = 0;
        long tokens = 0;
        long clipped = 0;
        for (int b = 0; b < rows; b++) {
            if (counts[b] == 0) {
                continue;
            }
            double w = 1.0 / ((double) counts[b] * rows);
            double a = advantages[b];
            for (int t = 0; t < seqLen; t++) {
                int i = b * seqLen + t;
                if (targets[i] < 0) {
                    continue;
                }
                double r = Math.exp((double) logProbs[i] - oldLogProbs[i]);
                double rc = Math.min(Math.max(r, 1 - clip), 1 + clip);
                double unclipped = r * a;
                double clippedTerm = rc * a;
                double grad;
                double obj;
                if (unclipped <= clippedTerm) {
                    obj = unclipped;
                    grad = -r * a;
                } else {
                    obj = clippedTerm;
                    grad = 0;
                    clipped++;
                }
                double l = -obj;
                if (refLogProbs != null) {
                    double x = (double) refLogProbs[i] - logProbs[i];
                    double k3 = Math.exp(x) - x - 1;
                    kl += k3;
                    if (klCoef > 0) {
                        l += klCoef * k3;
                        grad += klCoef * (1 - Math.exp(x));
                    }
                }
                tokens++;
                loss += w * l;
                d[i] = (float) (w * grad);
            }
        }
        return new TokenLoss(loss, d, tokens == 0 ? 0 : kl / tokens, tokens == 0 ? 0 : (double) clipped / tokens);
    }
}
