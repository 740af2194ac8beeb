package org.rlcasino.train.rl;

/**
 * Group Relative Policy Optimization (Shao et al. 2024, DeepSeek-R1). Rows are samples; each group
 * of G consecutive rows answers one prompt. Per counted token of row i, with r = exp(logp − logp_old),
 * <pre>
 *   ℓ = −min(r·A_i, clip(r, 1−ε_low, 1+ε_high)·A_i) + κ·k3,   k3 = exp(ref − logp) − (ref − logp) − 1
 *   L = (1/B) Σ_i (1/|o_i|) Σ_t ℓ_{i,t}                                        (default aggregation)
 *   dℓ/dlogp = −r·A_i where the unclipped term is the minimum (else 0) + κ·(1 − exp(ref − logp))
 * </pre>
 * {@link Options} selects TRL's other formulations: how token losses are aggregated
 * ({@link Aggregation}) and whether the KL term is weighted by the ratio (TRL's
 * {@code use_bias_correction_kl}: κ·r·k3, whose gradient is κ·r·(logp − ref)). The
 * {@code compute(..., clip, klCoef)} overload is {@link Options#project}: TRL 1.13's
 * {@code loss_type="grpo"}, {@code use_bias_correction_kl=False}, {@code epsilon_high = epsilon}.
 * {@code TrlLossOracleTest} checks every combination against TRL 1.13's {@code GRPOTrainer._compute_loss}.
 */
public final class GrpoLoss {
    /** Added to the group's standard deviation, as TRL does. */
    public static final double STD_EPS = 1e-4;

    private GrpoLoss() {}

    /** How per-token losses become the batch loss (TRL's {@code loss_type}). */
    public enum Aggregation {
        /** TRL {@code "grpo"}: mean over each row's counted tokens, then mean over all B rows (a row with none adds 0). This project's default. */
        SEQUENCE_MEAN,
        /**
         * Sum over all counted tokens / their number: TRL {@code "bnpo"}, and TRL 1.13's default {@code "dapo"}
         * when the batch is the whole generation batch on one process (TRL divides by the generation batch's token
         * count, rescaled for gradient accumulation).
         */
        TOKEN_MEAN,
        /** TRL {@code "dr_grpo"}: sum over all counted tokens / (B · {@code maxCompletionLength}). */
        CONSTANT_LENGTH
    }

    /** How group-centred rewards are scaled (TRL's {@code scale_rewards}). */
    public enum RewardScaling {
        /** (R − mean_g) / (std_g + 1e-4), std over the group: TRL's default {@code "group"} and this project's. */
        GROUP,
        /** (R − mean_g) / (std_batch + 1e-4), std over the whole batch: TRL {@code "batch"}. */
        BATCH,
        /** R − mean_g: TRL {@code "none"} (Dr. GRPO). */
        NONE
    }

    /**
     * @param epsilonLow          ratio clipped below at 1 − epsilonLow (TRL {@code epsilon})
     * @param epsilonHigh         ratio clipped above at 1 + epsilonHigh (TRL {@code epsilon_high}, default = epsilon)
     * @param klCoef              κ, weight of the k3 KL term (TRL {@code beta}); 0 = none
     * @param aggregation         TRL {@code loss_type}
     * @param maxCompletionLength the constant of {@link Aggregation#CONSTANT_LENGTH} (TRL {@code max_completion_length}); else unused
     * @param klRatioWeighted     multiply k3 by the ratio r, gradient included (TRL {@code use_bias_correction_kl})
     */
    public record Options(double epsilonLow, double epsilonHigh, double klCoef, Aggregation aggregation,
                          int maxCompletionLength, boolean klRatioWeighted) {
        public Options {
            if (!(epsilonLow >= 0 && epsilonLow <= 1) || !(epsilonHigh >= 0)) {
                throw new IllegalArgumentException("need 0 <= epsilonLow <= 1 and epsilonHigh >= 0, got " + epsilonLow + ", " + epsilonHigh);
            }
            if (!(klCoef >= 0)) {
                throw new IllegalArgumentException("klCoef must be >= 0, got " + klCoef);
            }
            if (aggregation == null) {
                throw new IllegalArgumentException("aggregation is required");
            }
            if (aggregation == Aggregation.CONSTANT_LENGTH && maxCompletionLength < 1) {
                throw new IllegalArgumentException("CONSTANT_LENGTH needs maxCompletionLength >= 1, got " + maxCompletionLength);
            }
        }

        /** This project's formulation (what run-configs train with): symmetric ε, per-sequence mean, unweighted k3. */
        public static Options project(double clip, double klCoef) {
            return new Options(clip, clip, klCoef, Aggregation.SEQUENCE_MEAN, 0, false);
        }

        /**
         * TRL 1.13's {@code GRPOConfig} defaults for a given {@code epsilon} and {@code beta}: {@code loss_type="dapo"}
         * (= {@link Aggregation#TOKEN_MEAN} for one process and one micro-batch per generation batch),
         * {@code epsilon_high = epsilon}, {@code use_bias_correction_kl=True}.
         */
        public static Options trlDefaults(double epsilon, double beta) {
            return new Options(epsilon, epsilon, beta, Aggregation.TOKEN_MEAN, 0, true);
        }
    }

    /**
     * Group-normalised advantages A_i = (R_i − mean_g) / (std_g + 1e-4), std unbiased (n − 1) as in
     * TRL; a group whose rewards are all equal gets 0.
     */
    public static double[] advantages(double[] rewards, int groupSize) {
        return advantages(rewards, groupSize, RewardScaling.GROUP);
    }

    /**
     * Group-centred advantages R_i − mean_g, scaled as {@code scaling} says (std unbiased, n − 1, as TRL's
     * {@code nanstd}, plus 1e-4). Computed in double; TRL computes them in float32 (its reward tensor), so the two
     * differ by float32 rounding (≤ 1e-6 on the fixtures). A group whose rewards are all equal gets exactly 0
     * (TRL: (R − mean)/1e-4 of its float32 rounding error, 0 for the rewards tested).
     */
    public static double[] advantages(double[] rewards, int groupSize, RewardScaling scaling) {
        if (groupSize < 2 || rewards.length % groupSize != 0) {
            throw new IllegalArgumentException("rewards (" + rewards.length + ") must be whole groups of >= 2, got G=" + groupSize);
        }
        double[] a = new double[rewards.length];
        double batchStd = scaling == RewardScaling.BATCH ? std(rewards, 0, rewards.length) : 0;
        for (int g = 0; g < rewards.length; g += groupSize) {
            double mean = mean(rewards, g, groupSize);
            double std = switch (scaling) {
                case GROUP -> std(rewards, g, groupSize);
                case BATCH -> batchStd;
                case NONE -> 1;
            };
            for (int i = 0; i < groupSize; i++) {
                double centred = rewards[g + i] - mean;
                a[g + i] = scaling == RewardScaling.NONE ? centred : std == 0 ? 0 : centred / (std + STD_EPS);
            }
        }
        return a;
    }

    private static double mean(double[] x, int from, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[from + i];
        }
        return s / n;
    }

    private static double std(double[] x, int from, int n) {
        double mean = mean(x, from, n);
        double var = 0;
        for (int i = 0; i < n; i++) {
            double d = x[from + i] - mean;
            var += d * d;
        }
        return Math.sqrt(var / (n - 1));
    }

    /**
     * This project's GRPO loss ({@link Options#project}).
     *
     * @param logProbs    (B·T) current policy log-probs per position
     * @param oldLogProbs (B·T) log-probs of the policy that sampled the rows
     * @param refLogProbs (B·T) reference log-probs, or null when {@code klCoef} is 0
     * @param targets     (B·T) targets, negative = not a completion token
     * @param advantages  (B) per row
     */
    public static TokenLoss compute(float[] logProbs, float[] oldLogProbs, float[] refLogProbs, int[] targets,
                                    double[] advantages, int rows, int seqLen, double clip, double klCoef) {
        return compute(logProbs, oldLogProbs, refLogProbs, targets, advantages, rows, seqLen, Options.project(clip, klCoef));
    }

    /**
     * The GRPO loss with the given options. {@code kl} is the mean per counted token of the KL term without κ
     * (k3, or r·k3 when {@code klRatioWeighted}; TRL's {@code kl} metric), computed whenever reference
     * log-probs are given; {@code clipFraction} the fraction of counted tokens whose clipped term is the minimum
     * (TRL's {@code clip_ratio/region_mean}: r &lt; 1 − ε_low with A &lt; 0, or r &gt; 1 + ε_high with A &gt; 0).
     */
    public static TokenLoss compute(float[] logProbs, float[] oldLogProbs, float[] refLogProbs, int[] targets,
                                    double[] advantages, int rows, int seqLen, Options options) {
        double klCoef = options.klCoef();
        if (klCoef > 0 && refLogProbs == null) {
            throw new IllegalArgumentException("klCoef > 0 needs reference log-probs");
        }
        int[] counts = SequenceLogProbs.counts(targets, rows, seqLen);
        long totalTokens = 0;
        for (int c : counts) {
            totalTokens += c;
        }
        double lo = 1 - options.epsilonLow();
        double hi = 1 + options.epsilonHigh();
        float[] d = new float[logProbs.length];
        double loss = 0;
        double kl = 0;
        long tokens = 0;
        long clipped = 0;
        for (int b = 0; b < rows; b++) {
            if (counts[b] == 0) {
                continue;
            }
            double w = switch (options.aggregation()) {
                case SEQUENCE_MEAN -> 1.0 / ((double) counts[b] * rows);
                case TOKEN_MEAN -> 1.0 / totalTokens;
                case CONSTANT_LENGTH -> 1.0 / ((double) rows * options.maxCompletionLength());
            };
            double a = advantages[b];
            for (int t = 0; t < seqLen; t++) {
                int i = b * seqLen + t;
                if (targets[i] < 0) {
                    continue;
                }
                double r = Math.exp((double) logProbs[i] - oldLogProbs[i]);
                double rc = Math.min(Math.max(r, lo), hi);
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
                    double term = options.klRatioWeighted() ? r * k3 : k3;
                    kl += term;
                    if (klCoef > 0) {
                        l += klCoef * term;
                        // d(k3)/dlogp = 1 − e^x;  d(r·k3)/dlogp = r·k3 + r·(1 − e^x) = −r·x
                        grad += klCoef * (options.klRatioWeighted() ? -r * x : 1 - Math.exp(x));
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
