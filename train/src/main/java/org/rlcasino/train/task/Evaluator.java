package org.rlcasino.train.task;

import java.util.List;

import org.rlcasino.train.model.GptGenerator;
import org.rlcasino.train.model.GptModel;
import org.rlcasino.train.model.SamplingOptions;
import org.rlcasino.train.rng.SplitMix64;

/** Greedy exact-match accuracy of a model on a list of problems. */
public final class Evaluator {
    /** Rows generated at once. */
    public static final int BATCH = 256;

    private Evaluator() {}

    /** Fraction of {@code problems} whose greedy completion earns reward 1. */
    public static double accuracy(GptModel model, VerifiableTask task, List<Problem> problems) {
        if (problems.isEmpty()) {
            return 0;
        }
        GptGenerator generator = new GptGenerator(model, Math.min(BATCH, problems.size()));
        try {
            return accuracy(generator, task, problems);
        } finally {
            generator.close();
        }
    }

    /**
     * As above with a generator the caller keeps (a trainer evaluating every few steps reuses its
     * prepared programs; on a device backend that avoids compiling them again).
     */
    public static double accuracy(GptGenerator generator, VerifiableTask task, List<Problem> problems) {
        if (problems.isEmpty()) {
            return 0;
        }
        CharTokenizer tok = task.tokenizer();
        int batch = Math.min(BATCH, generator.maxBatch());
        double correct = 0;
        for (int from = 0; from < problems.size(); from += batch) {
            List<Problem> chunk = problems.subList(from, Math.min(problems.size(), from + batch));
            int[][] prompts = chunk.stream().map(p -> tok.encode(p.prompt())).toArray(int[][]::new);
            int[][] out = generator.generate(prompts, task.maxCompletionTokens(), CharTokenizer.END, SamplingOptions.GREEDY,
                    new SplitMix64(0));
            for (int i = 0; i < chunk.size(); i++) {
                correct += task.reward(chunk.get(i), out[i]);
            }
        }
        return correct / problems.size();
    }
}
