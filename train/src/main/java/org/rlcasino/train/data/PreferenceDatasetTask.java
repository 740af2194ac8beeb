package org.rlcasino.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

import org.rlcasino.io.config.TaskSection;
import org.rlcasino.io.data.DatasetReader;
import org.rlcasino.io.data.DatasetText;
import org.rlcasino.io.data.PreferenceExample;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.train.task.Problem;

/**
 * A preference dataset ({@link DatasetReader#preferences}: prompt, chosen, rejected) as a task: DPO
 * phases train offline on its pairs (TRL's DPOTrainer: no sampling), SFT on prompt + chosen; a
 * completion earns reward 1 when its text is the chosen completion's (trimmed), so held-out accuracy
 * is the share of held-out prompts whose greedy completion is the chosen one.
 */
public final class PreferenceDatasetTask extends DatasetTask {
    private final List<PreferencePair> pairs;

    private PreferenceDatasetTask(Tokenizer tokenizer, Path directory, TaskSection section, DatasetEncoder encoder,
                                  List<Problem> problems, List<PreferencePair> pairs, DatasetReader.Result<PreferenceExample> rows) {
        super(tokenizer, directory, section, encoder, problems, rows.skipped(), rows.problems());
        List<PreferencePair> train = new ArrayList<>(trainingIndices.length);
        for (int i : trainingIndices) {
            train.add(pairs.get(i));
        }
        this.pairs = List.copyOf(train);
    }

    /** Reads {@code section}'s file with the tokenizer of {@code modelDirectory}. */
    public static PreferenceDatasetTask open(TaskSection section, Path modelDirectory) throws IOException {
        if (!section.kind().equals(TaskSection.PREFERENCES)) {
            throw new IllegalArgumentException("task kind '" + section.kind() + "' is not a preferences dataset");
        }
        Tokenizer tokenizer = modelTokenizer(section, modelDirectory);
        DatasetReader.Result<PreferenceExample> rows = DatasetReader.preferences(Path.of(section.file()),
                new DatasetReader.Columns(section.promptColumn(), section.chosenColumn(), section.rejectedColumn(), null),
                DatasetReader.BadRows.parse(section.badRows()));
        DatasetEncoder encoder = DatasetEncoder.open(tokenizer, modelDirectory, section, rows.examples().stream()
                .anyMatch(row -> row.prompt().conversational() || row.chosen().conversational() || row.rejected().conversational()));
        List<Problem> problems = new ArrayList<>(rows.examples().size());
        List<PreferencePair> pairs = new ArrayList<>(rows.examples().size());
        for (PreferenceExample row : rows.examples()) {
            String where = row.where();
            int[] prompt = encoder.prompt(row.prompt(), section.maxPromptTokens(), where);
            int[] chosen = encoder.completion(row.prompt(), row.chosen(), section.maxCompletionTokens(), where);
            int[] rejected = encoder.completion(row.prompt(), row.rejected(), section.maxCompletionTokens(), where);
            problems.add(new Problem(DatasetTask.describe(row.prompt()), replyText(row.chosen()), prompt, chosen));
            pairs.add(new PreferencePair(prompt, chosen, rejected));
        }
        return new PreferenceDatasetTask(tokenizer, modelDirectory, section, encoder, problems, pairs, rows);
    }

    /** The text of a completion column: the string, or the content of its last message. */
    private static String replyText(DatasetText completion) {
        return switch (completion) {
            case DatasetText.Plain p -> p.text();
            case DatasetText.Conversation c -> c.messages().getLast().content();
        };
    }

    @Override
    public boolean hasPreferences() {
        return true;
    }

    @Override
    public List<PreferencePair> trainingPreferences() {
        return pairs;
    }

    @Override
    public PreferencePair nextPreference(RandomGenerator rng) {
        return pairs.get(rng.nextInt(pairs.size()));
    }

    /** 1 when the completion's text is the chosen completion's (both trimmed), else 0. */
    @Override
    public double reward(Problem problem, int[] completion) {
        return completionText(completion).strip().equals(problem.answer().strip()) ? 1 : 0;
    }
}
