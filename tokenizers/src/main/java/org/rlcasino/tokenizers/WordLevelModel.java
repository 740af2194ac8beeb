package org.rlcasino.tokenizers;

import java.util.Map;

/** WordLevel: each pre-token is one vocabulary entry, or the unknown token. */
final class WordLevelModel implements Model {
    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final int unkId;
    private final String unkToken;

    /** {@code unkToken} may be null; then a pre-token outside the vocabulary is an error. */
    WordLevelModel(Map<String, Integer> vocab, String unkToken) {
        this.vocab = Map.copyOf(vocab);
        this.tokens = BpeModel.inverse(vocab);
        this.unkToken = unkToken;
        Integer unk = unkToken == null ? null : vocab.get(unkToken);
        if (unkToken != null && unk == null) {
            throw new IllegalArgumentException("model.unk_token '" + unkToken + "' is not in model.vocab");
        }
        this.unkId = unk == null ? -1 : unk;
    }

    @Override
    public void tokenize(String preToken, IdBuffer out) {
        Integer id = vocab.get(preToken);
        if (id != null) {
            out.add(id);
        } else if (unkId >= 0) {
            out.add(unkId);
        } else {
            throw new IllegalArgumentException("WordLevel: '" + preToken + "' is not in the vocabulary and the model has no unk_token");
        }
    }

    @Override
    public int tokenId(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    @Override
    public int size() {
        return vocab.size();
    }

    @Override
    public int idLimit() {
        return tokens.length;
    }

    String unkToken() {
        return unkToken;
    }
}
