package org.rlcasino.io.data;

/**
 * One row of a preference dataset (DPO): a prompt and a chosen and a rejected completion, each a
 * plain string or a conversation (TRL's "standard" and "conversational" formats; an implicit prompt
 * — chosen and rejected as whole conversations sharing their first messages — is split into prompt
 * and completions when read).
 *
 * @param where where it came from, for messages: {@code file:line} (JSON Lines) or {@code file:row N} (Parquet)
 */
public record PreferenceExample(String where, DatasetText prompt, DatasetText chosen, DatasetText rejected) {}
