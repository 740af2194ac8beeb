package org.rlcasino.tokenizers;

/** A tokenizer.json {@code model}: the vocabulary, and how one pre-token becomes ids. */
sealed interface Model permits BpeModel, WordLevelModel {
    /** Appends the ids of {@code preToken} (non-empty) to {@code out}. */
    void tokenize(String preToken, IdBuffer out);

    /** The id of vocabulary entry {@code token}, or -1. */
    int tokenId(String token);

    /** The vocabulary entry of {@code id}, or null. */
    String token(int id);

    /** The number of vocabulary entries (Hugging Face's {@code get_vocab_size}), which numbers added tokens. */
    int size();

    /** One more than the largest id of the vocabulary. */
    int idLimit();
}
