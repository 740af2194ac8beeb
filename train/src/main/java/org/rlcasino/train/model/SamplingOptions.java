package org.rlcasino.train.model;

/**
 * How a {@link TokenGenerator} picks the next token.
 *
 * @param greedy      take the most likely token (temperature and topK ignored)
 * @param temperature divide logits by this before the softmax, {@code > 0}
 * @param topK        sample only among the k most likely tokens; 0 = all
 */
public record SamplingOptions(boolean greedy, float temperature, int topK) {
    public static final SamplingOptions GREEDY = new SamplingOptions(true, 1f, 0);

    public SamplingOptions {
        if (!greedy && !(temperature > 0 && Float.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = all tokens), got " + topK);
        }
    }

    /** Sampling at {@code temperature} over all tokens. */
    public static SamplingOptions temperature(float temperature) {
        return new SamplingOptions(false, temperature, 0);
    }
}
