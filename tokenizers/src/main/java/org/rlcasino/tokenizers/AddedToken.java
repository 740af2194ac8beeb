package org.rlcasino.tokenizers;

/**
 * An entry of tokenizer.json's {@code added_tokens}: text matched in the input before the model
 * sees it and encoded as {@code id}.
 *
 * @param content    the text
 * @param id         its id
 * @param special    a special token (skipped by {@code decode(ids, true)})
 * @param singleWord matched only where it is not inside a word (no alphanumeric code point next to it)
 * @param lstrip     the whitespace before it belongs to it
 * @param rstrip     the whitespace after it belongs to it
 * @param normalized matched in the normalized text (its content normalized too), not in the raw text
 */
public record AddedToken(String content, int id, boolean special, boolean singleWord, boolean lstrip, boolean rstrip,
                         boolean normalized) {
    public AddedToken {
        if (content == null || content.isEmpty()) {
            throw new IllegalArgumentException("an added token's content must be non-empty");
        }
        if (id < 0) {
            throw new IllegalArgumentException("added token '" + content + "': id must be >= 0, got " + id);
        }
    }
}
