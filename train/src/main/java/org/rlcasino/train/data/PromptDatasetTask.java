package org.rlcasino.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.rlcasino.io.config.TaskSection;
import org.rlcasino.io.data.ChatMessage;
import org.rlcasino.io.data.DatasetReader;
import org.rlcasino.io.data.DatasetText;
import org.rlcasino.io.data.PromptExample;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.train.task.Problem;

/**
 * A prompt dataset ({@link DatasetReader#prompts}: prompt + answer) as a task for GRPO, online DPO
 * and SFT on the answers, rewarded by a {@link TextReward} of the decoded completion. A conversation
 * prompt is rendered with the chat template; its SFT target is the answer as the assistant's reply.
 */
public final class PromptDatasetTask extends DatasetTask {
    private final TextReward reward;

    private PromptDatasetTask(Tokenizer tokenizer, Path directory, TaskSection section, DatasetEncoder encoder, List<Problem> problems,
                              DatasetReader.Result<PromptExample> rows) {
        super(tokenizer, directory, section, encoder, problems, rows.skipped(), rows.problems());
        this.reward = TextReward.parse(section.reward(), section.pattern());
    }

    /** Reads {@code section}'s file with the tokenizer of {@code modelDirectory}. */
    public static PromptDatasetTask open(TaskSection section, Path modelDirectory) throws IOException {
        if (!section.kind().equals(TaskSection.PROMPTS)) {
            throw new IllegalArgumentException("task kind '" + section.kind() + "' is not a prompts dataset");
        }
        Tokenizer tokenizer = modelTokenizer(section, modelDirectory);
        TextReward.parse(section.reward(), section.pattern()); // a bad pattern fails before the file is read
        DatasetReader.Result<PromptExample> rows = DatasetReader.prompts(Path.of(section.file()),
                new DatasetReader.Columns(section.promptColumn(), null, null, section.answerColumn()),
                DatasetReader.BadRows.parse(section.badRows()));
        DatasetEncoder encoder = DatasetEncoder.open(tokenizer, modelDirectory, section,
                rows.examples().stream().anyMatch(row -> row.prompt().conversational()));
        List<Problem> problems = new ArrayList<>(rows.examples().size());
        for (PromptExample row : rows.examples()) {
            String where = row.where();
            if (section.reward().equals("exact-match") && row.answer() == null) {
                throw new IllegalArgumentException(where + ": no '" + section.answerColumn()
                        + "' column, which the exact-match reward compares with");
            }
            String answer = row.answer() == null ? "" : row.answer();
            int[] ids = encoder.prompt(row.prompt(), section.maxPromptTokens(), where);
            // the SFT target: the answer as the completion (for a conversation, the assistant's reply)
            DatasetText reply = row.prompt().conversational()
                    ? new DatasetText.Conversation(List.of(new ChatMessage("assistant", answer))) : new DatasetText.Plain(answer);
            int[] answerIds = encoder.completion(row.prompt(), reply, section.maxCompletionTokens(), where);
            problems.add(new Problem(DatasetTask.describe(row.prompt()), answer, ids, answerIds));
        }
        return new PromptDatasetTask(tokenizer, modelDirectory, section, encoder, problems, rows);
    }

    /** The reward of the completion's text (tokens up to the eos token, special tokens skipped). */
    @Override
    public double reward(Problem problem, int[] completion) {
        return reward.score(completionText(completion), problem.answer().isEmpty() ? null : problem.answer());
    }
}
