package org.rlcasino.io.config;

import java.util.Locale;

/**
 * The task of a run-config: where prompts come from and how completions are rewarded. Either a
 * synthetic verifiable task (answers checked exactly, character tokenizer), or {@code prompts}: a
 * TRL-style prompt dataset (JSON Lines, a prompt column — string or conversation — and an answer
 * column) read with the model's own tokenizer ({@code model.init}'s tokenizer.json) and rewarded by
 * exact match of the final answer or a format pattern. Held-out accuracy is the fraction of held-out
 * prompts whose greedy completion earns the full reward.
 *
 * @param kind           {@code addition} ("37+45=" → "82"), {@code reverse} ("r1234=" → "4321"),
 *                       {@code sort} ("s3141=" → "1134"), {@code prompts} (a dataset of prompts and answers) or
 *                       {@code preferences} (a dataset of prompt, chosen and rejected: offline DPO) (required)
 * @param digits         addition: digits of each operand (exactly that many: uniform in [10^(d-1), 10^d), [0, 10) for 1); reverse/sort:
 *                       length of the digit string; in [1, 9] (default 2 for addition, 4 otherwise; not for prompts)
 * @param heldOutPrompts prompts in the held-out split, {@code >= 1} (default 256; for prompts: at most half the rows,
 *                       default min(256, rows / 10)); they never appear in training
 * @param splitSeed      seed of the train/held-out split (default 0), independent of the run seed so
 *                       runs with different seeds evaluate on the same held-out prompts
 * @param reward         synthetic tasks: {@code exact} (default: 1 for exactly the answer and the end token, else 0) or
 *                       {@code partial} (the fraction of the answer's characters and the end token
 *                       that the completion has at their positions: partial credit, 1 only when exact);
 *                       prompts: {@code exact-match} (default: the final answer — last \boxed{}, else last number —
 *                       equals the answer column) or {@code format} (the whole completion matches {@code pattern})
 * @param file           datasets: the JSON Lines or Parquet ({@code .parquet}) file, or a directory of its shards (required)
 * @param promptColumn   prompts: the prompt column (default {@code prompt})
 * @param answerColumn   prompts: the answer column (default {@code answer})
 * @param maxPromptTokens     prompts: prompts longer than this keep their last tokens (default 256)
 * @param maxCompletionTokens prompts: the most tokens sampled per completion, end token included (default 64)
 * @param pattern        prompts with the {@code format} reward: the regular expression (Java syntax, DOTALL)
 * @param badRows        datasets: {@code fail} (default) or {@code skip} rows that do not fit (counted, reported)
 * @param chosenColumn   preferences: the chosen completion's column (default {@code chosen})
 * @param rejectedColumn preferences: the rejected completion's column (default {@code rejected})
 * @param chatTemplate   datasets: {@code auto} (default: conversations — lists of messages — are rendered with the model's
 *                       chat template, strings are used as they are, as TRL does) or {@code always} (a string prompt is
 *                       also rendered, as one user message, and a string completion or answer as the assistant's reply)
 */
public record TaskSection(String kind, Integer digits, Integer heldOutPrompts, Long splitSeed, String reward, String file,
                          String promptColumn, String answerColumn, Integer maxPromptTokens, Integer maxCompletionTokens,
                          String pattern, String badRows, String chosenColumn, String rejectedColumn, String chatTemplate) {
    /** The kind of a dataset of prompts. */
    public static final String PROMPTS = "prompts";
    /** The kind of a dataset of preference pairs. */
    public static final String PREFERENCES = "preferences";
    /** chatTemplate: conversations rendered, strings as they are. */
    public static final String TEMPLATE_AUTO = "auto";
    /** chatTemplate: strings rendered too, as a user message and the assistant's reply. */
    public static final String TEMPLATE_ALWAYS = "always";

    public TaskSection {
        if (kind == null) {
            throw new IllegalArgumentException("kind is required: 'addition', 'reverse', 'sort', 'prompts' or 'preferences'");
        }
        kind = kind.toLowerCase(Locale.ROOT);
        if (kind.equals(PROMPTS) || kind.equals(PREFERENCES)) {
            if (file == null || file.isBlank()) {
                throw new IllegalArgumentException("a " + kind + " task needs file: a JSON Lines file of " + (kind.equals(PROMPTS)
                        ? "prompts (and answers)" : "prompt, chosen and rejected rows"));
            }
            if (kind.equals(PREFERENCES) && (reward != null || pattern != null || answerColumn != null)) {
                throw new IllegalArgumentException("a preferences task has no reward, pattern or answerColumn: completions "
                        + "are scored by exact match of the chosen one");
            }
            if (kind.equals(PROMPTS) && (chosenColumn != null || rejectedColumn != null)) {
                throw new IllegalArgumentException("chosenColumn and rejectedColumn are for kind 'preferences'");
            }
            chosenColumn = chosenColumn == null ? "chosen" : chosenColumn;
            rejectedColumn = rejectedColumn == null ? "rejected" : rejectedColumn;
            if (digits != null) {
                throw new IllegalArgumentException("digits is for the synthetic tasks, not for prompts");
            }
            if (heldOutPrompts != null && heldOutPrompts < 1) {
                throw new IllegalArgumentException("heldOutPrompts must be >= 1, got " + heldOutPrompts);
            }
            splitSeed = splitSeed == null ? 0L : splitSeed;
            reward = reward == null ? "exact-match" : reward.toLowerCase(Locale.ROOT);
            if (kind.equals(PREFERENCES)) {
                reward = "chosen";
            }
            if (!reward.equals("exact-match") && !reward.equals("format") && !reward.equals("chosen")) {
                throw new IllegalArgumentException("a prompts task's reward must be 'exact-match' or 'format', got '" + reward + "'");
            }
            if (reward.equals("format") != (pattern != null)) {
                throw new IllegalArgumentException("pattern goes with reward 'format' (and 'format' needs a pattern)");
            }
            promptColumn = promptColumn == null ? "prompt" : promptColumn;
            answerColumn = answerColumn == null ? "answer" : answerColumn;
            maxPromptTokens = ModelSection.atLeast("maxPromptTokens", maxPromptTokens, 256, 1);
            maxCompletionTokens = ModelSection.atLeast("maxCompletionTokens", maxCompletionTokens, 64, 1);
            chatTemplate = chatTemplate == null ? TEMPLATE_AUTO : chatTemplate.toLowerCase(Locale.ROOT);
            if (!chatTemplate.equals(TEMPLATE_AUTO) && !chatTemplate.equals(TEMPLATE_ALWAYS)) {
                throw new IllegalArgumentException("chatTemplate must be 'auto' (conversations use the model's chat template) or "
                        + "'always' (strings too), got '" + chatTemplate + "'");
            }
            badRows = badRows == null ? "fail" : badRows.toLowerCase(Locale.ROOT);
            if (!badRows.equals("fail") && !badRows.equals("skip")) {
                throw new IllegalArgumentException("badRows must be 'fail' or 'skip', got '" + badRows + "'");
            }
        } else {
            if (!kind.equals("addition") && !kind.equals("reverse") && !kind.equals("sort")) {
                throw new IllegalArgumentException("kind must be 'addition', 'reverse', 'sort', 'prompts' or 'preferences', got '" + kind + "'");
            }
            if (file != null || promptColumn != null || answerColumn != null || maxPromptTokens != null || maxCompletionTokens != null
                    || pattern != null || badRows != null || chosenColumn != null || rejectedColumn != null || chatTemplate != null) {
                throw new IllegalArgumentException("file, promptColumn, answerColumn, chosenColumn, rejectedColumn, maxPromptTokens, "
                        + "maxCompletionTokens, pattern, badRows and chatTemplate are for the dataset kinds 'prompts' and 'preferences', not '"
                        + kind + "'");
            }
            digits = digits == null ? (kind.equals("addition") ? 2 : 4) : digits;
            if (digits < 1 || digits > 9) {
                throw new IllegalArgumentException("digits must be in [1, 9], got " + digits);
            }
            heldOutPrompts = ModelSection.atLeast("heldOutPrompts", heldOutPrompts, 256, 1);
            splitSeed = splitSeed == null ? 0L : splitSeed;
            reward = reward == null ? "exact" : reward.toLowerCase(Locale.ROOT);
            if (!reward.equals("exact") && !reward.equals("partial")) {
                throw new IllegalArgumentException("reward must be 'exact' or 'partial', got '" + reward + "'");
            }
        }
    }

    /** Whether this is a dataset (prompts or preferences) rather than a synthetic task. */
    public boolean dataset() {
        return kind.equals(PROMPTS) || kind.equals(PREFERENCES);
    }
}
