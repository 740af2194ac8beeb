package org.rlcasino.train.rl;

/**
 * Direct Preference Optimization (Rafailov et al. 2023). Rows come in pairs: row {@code 2i} holds
 * the chosen completion, row {@code 2i+1} the rejected one. With sequence log-probs π (policy) and
 * ρ (frozen reference) over the completion tokens,
 * <pre>
 *   z_i = β·((π_c − ρ_c) − (π_r − ρ_r)),   L = (1/P) Σ_i −log σ(z_i) = (1/P) Σ_i softplus(−z_i)
 *   dL/dπ_c = −β·σ(−z_i)/P,   dL/dπ_r = +β·σ(−z_i)/P
 * </pre>
 * and every counted token of a row gets its row's derivative (π is a sum over tokens). This is TRL 1.13's
 * {@code DPOTrainer} with {@code loss_type="sigmoid"} (its default), where TRL orders a batch as all chosen rows
 * then all rejected rows; TRL 1.13's sigmoid loss has no label smoothing ({@code label_smoothing} only enters its
 * "robust", "exo_pair" and "aot" losses). {@code TrlLossOracleTest} checks loss, gradient and {@link #metrics}
 * against TRL's {@code DPOTrainer._compute_loss}.
 */
public final class DpoLoss {
    private DpoLoss() {}

    /**
     * @param logProbs    (2P·T) policy log-probs per position
     * @param targets     (2P·T) targets, negative = not a completion token
     * @param refSequence (2P) reference sequence log-probs, same row order
     * @return the loss; {@code kl} holds the mean implicit reward margin z/β, {@code clipFraction} the
     *         fraction of pairs the policy already ranks right (z &gt; 0)
     */
    public static TokenLoss compute(float[] logProbs, int[] targets, double[] refSequence, int pairs, int seqLen,
                                    double beta) {
        double[] policy = SequenceLogProbs.of(logProbs, targets, 2 * pairs, seqLen);
        float[] d = new float[logProbs.length];
        double loss = 0;
        double margin = 0;
        int right = 0;
        for (int i = 0; i < pairs; i++) {
            double z = beta * ((policy[2 * i] - refSequence[2 * i]) - (policy[2 * i + 1] - refSequence[2 * i + 1]));
            loss += softplus(-z);
            margin += z / beta;
            right += z > 0 ? 1 : 0;
            double sig = sigmoid(-z);
            float gc = (float) (-beta * sig / pairs);
            for (int t = 0; t < seqLen; t++) {
                int c = 2 * i * seqLen + t;
                int r = (2 * i + 1) * seqLen + t;
                if (targets[c] >= 0) {
                    d[c] = gc;
                }
                if (targets[r] >= 0) {
                    d[r] = -gc;
                }
            }
        }
        return new TokenLoss(pairs == 0 ? 0 : loss / pairs, d, pairs == 0 ? 0 : margin / pairs,
                pairs == 0 ? 0 : (double) right / pairs);
    }

    /**
     * TRL's logged DPO metrics, each a mean over pairs.
     *
     * @param rewardsChosen   {@code rewards/chosen}: β·(π_c − ρ_c)
     * @param rewardsRejected {@code rewards/rejected}: β·(π_r − ρ_r)
     * @param margins         {@code rewards/margins}: z = β·((π_c − ρ_c) − (π_r − ρ_r)) (β times {@link TokenLoss#kl})
     * @param accuracy        {@code rewards/accuracies}: the fraction of pairs with chosen reward &gt; rejected reward
     *                        (ties count as wrong; {@link TokenLoss#clipFraction} of {@link #compute})
     */
    public record Metrics(double rewardsChosen, double rewardsRejected, double margins, double accuracy) {
    }

    /** TRL's DPO metrics for the same arguments as {@link #compute}; all 0 when there are no pairs. */
    public static Metrics metrics(float[] logProbs, int[] targets, double[] refSequence, int pairs, int seqLen,
                                  double beta) {
        if (pairs == 0) {
            return new Metrics(0, 0, 0, 0);
        }
        double[] policy = SequenceLogProbs.of(logProbs, targets, 2 * pairs, seqLen);
        double chosen = 0;
        double rejected = 0;
        double margins = 0;
        int right = 0;
        for (int i = 0; i < pairs; i++) {
            double c = beta * (policy[2 * i] - refSequence[2 * i]);
            double r = beta * (policy[2 * i + 1] - refSequence[2 * i + 1]);
            chosen += c;
            rejected += r;
            margins += c - r;
            right += c > r ? 1 : 0;
        }
        return new Metrics(chosen / pairs, rejected / pairs, margins / pairs, (double) right / pairs);
    }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
