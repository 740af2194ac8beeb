package org.rlcasino.io.data;

/**
 * One row of a prompt dataset (GRPO): a prompt, a plain string or a conversation, and the reference
 * answer the reward checks, if the dataset has one.
 *
 * @param where  where it came from, for messages: {@code file:line} (JSON Lines) or {@code file:row N} (Parquet)
 * @param answer the answer column's value as text, or null
 */
public record PromptExample(String where, DatasetText prompt, String answer) {}
