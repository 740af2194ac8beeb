package org.rlcasino.train.task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What a training phase draws its prompts from and how it scores completions: the synthetic
 * {@link VerifiableTask}s with their character tokenizer, or a prompt dataset with the model's own
 * tokenizer ({@code org.rlcasino.train.data.DatasetTask}). Token ids are the model's; a completion
 * ends with {@link #stopToken()}.
 */
public interface RlTask {
    /** The prompt's token ids (at most {@link #maxPromptLength()}). */
    int[] promptTokens(Problem problem);

    /** The reference answer's token ids followed by the stop token (an SFT target). */
    int[] answerTokens(Problem problem);

    /** The token that ends a completion. */
    int stopToken();

    /** The smallest vocabulary the model needs for this task's token ids. */
    int vocabSize();

    /** Longest prompt in tokens. */
    int maxPromptLength();

    /** Completion tokens a sampler may produce, the stop token included. */
    int maxCompletionTokens();

    /** A training problem drawn uniformly from those not held out. */
    Problem nextTraining(RandomGenerator rng);

    /** The held-out problems, in split order. */
    List<Problem> heldOut();

    /** The first {@code count} held-out problems (all when count exceeds them). */
    default List<Problem> heldOut(int count) {
        List<Problem> all = heldOut();
        return all.subList(0, Math.min(count, all.size()));
    }

    /** Whether {@code completion} earns the full reward. */
    boolean correct(Problem problem, int[] completion);

    /** The reward of {@code completion}, in [0, 1]. */
    double reward(Problem problem, int[] completion);

    /** The trainer's character tokenizer, to save beside the weights; null when the task uses the model's own. */
    CharTokenizer charTokenizer();

    /** Writes the task's tokenizer files into a model directory (the character tokenizer, or the model's own copied). */
    void writeTokenizer(Path modelDirectory) throws IOException;

    /**
     * A preference pair of token ids: the prompt, and the chosen and the rejected completion, each
     * ending with the stop token.
     */
    record PreferencePair(int[] prompt, int[] chosen, int[] rejected) {}

    /** Whether the task holds preference pairs (a DPO phase then trains offline on them, without sampling). */
    default boolean hasPreferences() {
        return false;
    }

    /** Every training pair, in a fixed order ({@link #hasPreferences()} tasks only). */
    default java.util.List<PreferencePair> trainingPreferences() {
        throw new UnsupportedOperationException("this task has no preference pairs");
    }

    /** A training pair drawn uniformly ({@link #hasPreferences()} tasks only). */
    default PreferencePair nextPreference(RandomGenerator rng) {
        throw new UnsupportedOperationException("this task has no preference pairs");
    }
}
