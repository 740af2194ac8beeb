package org.rlcasino.io.data;

/**
 * One row of a prompt dataset (GRPO): a prompt, a plain string or a conversation, and the reference
 * answer the reward checks, if the dataset has one.
 *
 * @param row    the 1-based row (line) of the file it came from
 * @param answer the answer column's value as text, or null
 */
public record PromptExample(long row, DatasetText prompt, String answer) {}
