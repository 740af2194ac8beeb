package org.rlcasino.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

import org.rlcasino.io.config.TaskSection;
import org.rlcasino.io.data.DatasetText;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.train.rng.SplitMix64;
import org.rlcasino.train.task.CharTokenizer;
import org.rlcasino.train.task.Problem;
import org.rlcasino.train.task.RlTask;

/**
 * A dataset as a training task, read with the model's own Hugging Face tokenizer and chat template:
 * the rows of a TRL-style JSON Lines file, encoded once ({@link DatasetEncoder}), split
 * into held-out and training rows by a seeded shuffle ({@code splitSeed}; the first
 * {@code heldOutPrompts} rows are held out). {@link PromptDatasetTask}: prompts and answers (GRPO,
 * online DPO, SFT on the answers); {@link PreferenceDatasetTask}: prompt, chosen and rejected (offline
 * DPO, SFT on the chosen).
 */
public abstract sealed class DatasetTask implements RlTask permits PromptDatasetTask, PreferenceDatasetTask {
    protected final Tokenizer tokenizer;
    private final Path tokenizerDirectory;
    protected final int stop;
    private final int maxPrompt;
    private final int maxCompletion;
    protected final List<Problem> training;
    private final List<Problem> heldOut;
    private final int skipped;
    private final List<String> skippedProblems;

    /** The rows, split; {@code problems} carry their encoded prompts. */
    protected DatasetTask(Tokenizer tokenizer, Path tokenizerDirectory, TaskSection section, DatasetEncoder encoder, List<Problem> problems,
                          int skipped, List<String> skippedProblems) {
        this.tokenizer = tokenizer;
        this.tokenizerDirectory = tokenizerDirectory;
        this.stop = encoder.endToken();
        this.maxCompletion = section.maxCompletionTokens();
        int longest = 1;
        for (Problem p : problems) {
            longest = Math.max(longest, p.promptIds().length);
        }
        this.maxPrompt = longest;
        int held = section.heldOutPrompts() != null ? section.heldOutPrompts() : Math.max(1, Math.min(256, problems.size() / 10));
        if (held > problems.size() / 2) {
            throw new IllegalArgumentException(section.file() + ": heldOutPrompts " + held + " is more than half of its "
                    + problems.size() + " rows; hold out fewer");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            order.add(i);
        }
        SplitMix64 rng = new SplitMix64(section.splitSeed());
        for (int i = order.size() - 1; i > 0; i--) {
            Collections.swap(order, i, rng.nextInt(i + 1));
        }
        this.heldOutIndices = order.subList(0, held).stream().mapToInt(Integer::intValue).toArray();
        this.trainingIndices = order.subList(held, order.size()).stream().mapToInt(Integer::intValue).toArray();
        this.heldOut = Arrays.stream(heldOutIndices).mapToObj(problems::get).toList();
        this.training = Arrays.stream(trainingIndices).mapToObj(problems::get).toList();
        this.skipped = skipped;
        this.skippedProblems = List.copyOf(skippedProblems);
    }

    /** Row indices (in file order of the rows read) of the held-out and training splits. */
    protected final int[] heldOutIndices;
    protected final int[] trainingIndices;

    /** The tokenizer of {@code modelDirectory}, which must name an eos token. */
    protected static Tokenizer modelTokenizer(TaskSection section, Path modelDirectory) throws IOException {
        if (modelDirectory == null || !Files.isRegularFile(modelDirectory.resolve("tokenizer.json"))) {
            throw new IllegalArgumentException("a " + section.kind() + " task is read with the model's own tokenizer: give model.init a "
                    + "Hugging Face directory with tokenizer.json" + (modelDirectory == null ? "" : " (" + modelDirectory + " has none)"));
        }
        Tokenizer tokenizer = Tokenizer.load(modelDirectory);
        if (tokenizer.eosId().isEmpty()) {
            throw new IllegalArgumentException(modelDirectory
                    + ": the tokenizer names no eos token (tokenizer_config.json eos_token): completions could not end");
        }
        return tokenizer;
    }

    /** A prompt column as one line of text (for logs and samples): the string, or the messages as {@code role: content}. */
    static String describe(DatasetText prompt) {
        return switch (prompt) {
            case DatasetText.Plain p -> p.text();
            case DatasetText.Conversation c -> String.join(" | ", c.messages().stream().map(m -> m.role() + ": " + m.content()).toList());
        };
    }

    /** The text of a completion: its tokens before the eos token, decoded without special tokens (unknown ids left out). */
    protected final String completionText(int[] completion) {
        int end = 0;
        while (end < completion.length && completion[end] != stop) {
            end++;
        }
        int[] known = Arrays.stream(completion, 0, end).filter(id -> tokenizer.token(id).isPresent()).toArray();
        return tokenizer.decode(known, true);
    }

    /** Rows left out as not fitting (with {@code badRows: skip}). */
    public int skipped() {
        return skipped;
    }

    /** The first problems of the rows left out, each {@code file:line: message}. */
    public List<String> skippedProblems() {
        return skippedProblems;
    }

    /** Training rows. */
    public int trainingRows() {
        return training.size();
    }

    @Override
    public int[] promptTokens(Problem problem) {
        return problem.promptIds().clone();
    }

    @Override
    public int[] answerTokens(Problem problem) {
        return problem.answerIds().clone();
    }

    @Override
    public int stopToken() {
        return stop;
    }

    @Override
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    @Override
    public int maxPromptLength() {
        return maxPrompt;
    }

    @Override
    public int maxCompletionTokens() {
        return maxCompletion;
    }

    @Override
    public Problem nextTraining(RandomGenerator rng) {
        return training.get(rng.nextInt(training.size()));
    }

    @Override
    public List<Problem> heldOut() {
        return heldOut;
    }

    @Override
    public boolean correct(Problem problem, int[] completion) {
        return reward(problem, completion) >= 1;
    }

    @Override
    public CharTokenizer charTokenizer() {
        return null;
    }

    /** Copies the model's tokenizer.json and tokenizer_config.json (and special_tokens_map.json) into {@code modelDirectory}. */
    @Override
    public void writeTokenizer(Path modelDirectory) throws IOException {
        for (String name : new String[] {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
            Path from = tokenizerDirectory.resolve(name);
            if (Files.isRegularFile(from)) {
                Path temp = modelDirectory.resolve("." + name + ".tmp");
                Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, modelDirectory.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }
}
