package org.rlcasino.io.data;

/**
 * One row of a preference dataset (DPO): a prompt and a chosen and a rejected completion, each a
 * plain string or a conversation (TRL's "standard" and "conversational" formats; an implicit prompt
 * — chosen and rejected as whole conversations sharing their first messages — is split into prompt
 * and completions when read).
 *
 * @param row the 1-based row (line) of the file it came from
 */
public record PreferenceExample(long row, DatasetText prompt, DatasetText chosen, DatasetText rejected) {}
