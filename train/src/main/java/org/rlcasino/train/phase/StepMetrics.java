package org.rlcasino.train.phase;

/**
 * One row of {@code metrics.csv}. NaN fields are written empty (e.g. accuracy on steps without an evaluation).
 *
 * @param step         optimizer step, from 1
 * @param phase        phase name
 * @param loss         the phase's loss on this step's batch
 * @param reward       mean reward of the step's samples (RL phases; NaN for SFT)
 * @param accuracy     greedy exact-match accuracy on the held-out batch (evaluation steps only)
 * @param kl           GRPO: mean k3 KL to the reference per token (with klCoef &gt; 0); DPO: mean implicit reward margin
 * @param tokensPerS   positions processed (sampled + trained) per second of the whole step
 * @param sampleMs     time sampling completions (RL phases)
 * @param fwdbwdMs     time in forward + backward (including the reference / old-policy forwards)
 * @param optimizerMs  time in the optimizer step
 * @param deltaMs      time logging this step's weight deltas (0 outside the logging range)
 * @param lr           learning rate applied
 * @param gradNorm     global gradient norm before clipping (over the active entries for sparse optimizers)
 */
public record StepMetrics(int step, String phase, double loss, double reward, double accuracy, double kl,
                          double tokensPerS, double sampleMs, double fwdbwdMs, double optimizerMs, double deltaMs,
                          double lr, double gradNorm) {
    public static final String HEADER =
            "step,phase,loss,reward,accuracy,kl,tokens_per_s,sample_ms,fwdbwd_ms,optimizer_ms,delta_ms,lr,grad_norm";

    public StepMetrics withAccuracy(double value) {
        return new StepMetrics(step, phase, loss, reward, value, kl, tokensPerS, sampleMs, fwdbwdMs, optimizerMs, deltaMs,
                lr, gradNorm);
    }

    /** The CSV line (no newline). */
    public String csv() {
        return step + "," + phase + "," + f(loss) + "," + f(reward) + "," + f(accuracy) + "," + f(kl) + ","
                + f(tokensPerS) + "," + f(sampleMs) + "," + f(fwdbwdMs) + "," + f(optimizerMs) + "," + f(deltaMs) + ","
                + f(lr) + "," + f(gradNorm);
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
