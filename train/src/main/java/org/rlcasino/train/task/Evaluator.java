package org.rlcasino.train.task;

import java.util.List;

import org.rlcasino.train.model.LanguageModel;
import org.rlcasino.train.model.SamplingOptions;
import org.rlcasino.train.model.TokenGenerator;
import org.rlcasino.train.rng.SplitMix64;

/** Greedy exact-match accuracy and mean reward of a model on a list of problems. */
public final class Evaluator {
    /** Rows generated at once. */
    public static final int BATCH = 256;

    /**
     * What the greedy completions of a list of problems scored.
     *
     * @param accuracy fraction of exactly correct completions
     * @param reward   mean of the task's reward (equal to the accuracy for an exact-match reward)
     */
    public record Evaluation(double accuracy, double reward) {
        static final Evaluation EMPTY = new Evaluation(0, 0);
    }

    private Evaluator() {}

    /** Fraction of {@code problems} whose greedy completion is correct. */
    public static double accuracy(LanguageModel model, RlTask task, List<Problem> problems) {
        return evaluate(model, task, problems).accuracy();
    }

    /** Greedy accuracy and mean reward on {@code problems}. */
    public static Evaluation evaluate(LanguageModel model, RlTask task, List<Problem> problems) {
        if (problems.isEmpty()) {
            return Evaluation.EMPTY;
        }
        try (TokenGenerator generator = model.generator(Math.min(BATCH, problems.size()),
                Math.min(model.architecture().maxSeqLen(), task.maxPromptLength() + task.maxCompletionTokens()))) {
            return evaluate(generator, task, problems);
        }
    }

    /**
     * As above with a generator the caller keeps (a trainer evaluating every few steps reuses its
     * prepared programs; on a device backend that avoids compiling them again).
     */
    public static Evaluation evaluate(TokenGenerator generator, RlTask task, List<Problem> problems) {
        if (problems.isEmpty()) {
            return Evaluation.EMPTY;
        }
        int batch = Math.min(BATCH, generator.maxBatch());
        double correct = 0;
        double reward = 0;
        for (int from = 0; from < problems.size(); from += batch) {
            List<Problem> chunk = problems.subList(from, Math.min(problems.size(), from + batch));
            int[][] prompts = chunk.stream().map(task::promptTokens).toArray(int[][]::new);
            int[][] out = generator.generate(prompts, task.maxCompletionTokens(), task.stopToken(), SamplingOptions.GREEDY,
                    new SplitMix64(0));
            for (int i = 0; i < chunk.size(); i++) {
                correct += task.correct(chunk.get(i), out[i]) ? 1 : 0;
                reward += task.reward(chunk.get(i), out[i]);
            }
        }
        return new Evaluation(correct / problems.size(), reward / problems.size());
    }
}
