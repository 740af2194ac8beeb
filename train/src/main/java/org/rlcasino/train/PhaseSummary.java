package org.rlcasino.train;

/**
 * What one finished training phase reports, written as {@code summary.json} in the phase's
 * directory ({@code runs/<name>/<phase>/summary.json}) and read by {@code casino run}'s reports.
 *
 * SKELETON: the train issue fills in reading/writing and may add fields (never rename these).
 *
 * @param phase               phase name
 * @param kind                {@code sft}, {@code dpo} or {@code grpo}
 * @param optimizer           {@code adamw}, {@code bsr-adamw} or {@code random-mask}
 * @param sparsity            fraction of weights frozen (0 for dense)
 * @param seed                seed the phase ran with
 * @param steps               optimizer steps taken
 * @param heldOutAccuracy     exact-match accuracy on held-out prompts after the last step (greedy)
 * @param heldOutReward       mean reward on held-out prompts after the last step
 * @param meanStepMillis      mean wall time of a whole step
 * @param sampleMillis        mean time per step spent sampling (RL phases; 0 for SFT)
 * @param forwardBackwardMillis mean time per step in forward + backward
 * @param optimizerMillis     mean time per step in the optimizer
 */
public record PhaseSummary(String phase, String kind, String optimizer, double sparsity, long seed, int steps,
                           double heldOutAccuracy, double heldOutReward, double meanStepMillis,
                           double sampleMillis, double forwardBackwardMillis, double optimizerMillis) {
}
