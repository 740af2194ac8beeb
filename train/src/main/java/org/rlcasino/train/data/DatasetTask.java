package org.rlcasino.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

import org.rlcasino.io.config.TaskSection;
import org.rlcasino.io.data.DatasetReader;
import org.rlcasino.io.data.DatasetText;
import org.rlcasino.io.data.PromptExample;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.train.rng.SplitMix64;
import org.rlcasino.train.task.CharTokenizer;
import org.rlcasino.train.task.Problem;
import org.rlcasino.train.task.RlTask;

/**
 * A prompt dataset as a training task (GRPO, online DPO, SFT on the answers): the rows of a TRL-style
 * JSON Lines file ({@link DatasetReader#prompts}), encoded once with the model's own Hugging Face
 * tokenizer (its post-processor's special tokens, e.g. BOS; a prompt longer than
 * {@code maxPromptTokens} keeps its last tokens, as TRL's left truncation), split into held-out and
 * training rows by {@code splitSeed}, and rewarded by a {@link TextReward} of the decoded completion
 * (special tokens skipped). A completion ends with the tokenizer's eos token.
 */
public final class DatasetTask implements RlTask {
    private final Tokenizer tokenizer;
    private final Path tokenizerDirectory;
    private final TextReward reward;
    private final int stop;
    private final int maxPrompt;
    private final int maxCompletion;
    private final List<Problem> training;
    private final List<Problem> heldOut;
    private final int skipped;
    private final List<String> problems;

    private DatasetTask(Tokenizer tokenizer, Path tokenizerDirectory, TextReward reward, int stop, int maxPrompt, int maxCompletion,
                        List<Problem> training, List<Problem> heldOut, int skipped, List<String> problems) {
        this.tokenizer = tokenizer;
        this.tokenizerDirectory = tokenizerDirectory;
        this.reward = reward;
        this.stop = stop;
        this.maxPrompt = maxPrompt;
        this.maxCompletion = maxCompletion;
        this.training = training;
        this.heldOut = heldOut;
        this.skipped = skipped;
        this.problems = problems;
    }

    /**
     * Reads {@code section}'s file with the tokenizer of {@code modelDirectory} (its tokenizer.json and
     * tokenizer_config.json, which must name an eos token).
     */
    public static DatasetTask open(TaskSection section, Path modelDirectory) throws IOException {
        if (!section.dataset()) {
            throw new IllegalArgumentException("task kind '" + section.kind() + "' is not a prompts dataset");
        }
        if (modelDirectory == null || !Files.isRegularFile(modelDirectory.resolve("tokenizer.json"))) {
            throw new IllegalArgumentException("a prompts task is read with the model's own tokenizer: give model.init a Hugging Face "
                    + "directory with tokenizer.json" + (modelDirectory == null ? "" : " (" + modelDirectory + " has none)"));
        }
        Tokenizer tokenizer = Tokenizer.load(modelDirectory);
        int eos = tokenizer.eosId().orElseThrow(() -> new IllegalArgumentException(modelDirectory
                + ": the tokenizer names no eos token (tokenizer_config.json eos_token): completions could not end"));
        TextReward reward = TextReward.parse(section.reward(), section.pattern());
        DatasetReader.Result<PromptExample> rows = DatasetReader.prompts(Path.of(section.file()),
                new DatasetReader.Columns(section.promptColumn(), null, null, section.answerColumn()),
                DatasetReader.BadRows.parse(section.badRows()));
        List<Problem> all = new ArrayList<>(rows.examples().size());
        int longest = 1;
        for (PromptExample row : rows.examples()) {
            if (!(row.prompt() instanceof DatasetText.Plain plain)) {
                throw new IllegalArgumentException(section.file() + ":" + row.row() + ": a conversation prompt needs the model's chat "
                        + "template, which prompts tasks do not apply yet; give the prompt as a string");
            }
            if (section.reward().equals("exact-match") && row.answer() == null) {
                throw new IllegalArgumentException(section.file() + ":" + row.row() + ": no '" + section.answerColumn()
                        + "' column, which the exact-match reward compares with");
            }
            int[] ids = tokenizer.encode(plain.text(), true);
            if (ids.length > section.maxPromptTokens()) {
                ids = Arrays.copyOfRange(ids, ids.length - section.maxPromptTokens(), ids.length);
            }
            if (ids.length == 0) {
                throw new IllegalArgumentException(section.file() + ":" + row.row() + ": the prompt encodes to no token");
            }
            longest = Math.max(longest, ids.length);
            all.add(new Problem(plain.text(), row.answer() == null ? "" : row.answer(), ids));
        }
        int held = section.heldOutPrompts() != null ? section.heldOutPrompts() : Math.max(1, Math.min(256, all.size() / 10));
        if (held > all.size() / 2) {
            throw new IllegalArgumentException(section.file() + ": heldOutPrompts " + held + " is more than half of its " + all.size()
                    + " rows; hold out fewer");
        }
        // a seeded shuffle: the first rows are held out, the rest train
        List<Problem> order = new ArrayList<>(all);
        SplitMix64 rng = new SplitMix64(section.splitSeed());
        for (int i = order.size() - 1; i > 0; i--) {
            java.util.Collections.swap(order, i, rng.nextInt(i + 1));
        }
        return new DatasetTask(tokenizer, modelDirectory, reward, eos, longest, section.maxCompletionTokens(),
                List.copyOf(order.subList(held, order.size())), List.copyOf(order.subList(0, held)), rows.skipped(), rows.problems());
    }

    /** Rows left out as not fitting (with {@code badRows: skip}). */
    public int skipped() {
        return skipped;
    }

    /** The first problems of the rows left out, each {@code file:line: message}. */
    public List<String> skippedProblems() {
        return problems;
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
        int[] a = tokenizer.encode(problem.answer(), false);
        int keep = Math.min(a.length, maxCompletion - 1);
        int[] out = Arrays.copyOf(a, keep + 1);
        out[keep] = stop;
        return out;
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

    /** The reward of the completion's text: tokens up to the eos token, decoded without special tokens. */
    @Override
    public double reward(Problem problem, int[] completion) {
        int end = 0;
        while (end < completion.length && completion[end] != stop) {
            end++;
        }
        int[] known = Arrays.stream(completion, 0, end).filter(id -> tokenizer.token(id).isPresent()).toArray();
        return reward.score(tokenizer.decode(known, true), problem.answer().isEmpty() ? null : problem.answer());
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
