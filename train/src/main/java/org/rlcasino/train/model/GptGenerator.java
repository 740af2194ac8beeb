package org.rlcasino.train.model;

import java.util.random.RandomGenerator;

/**
 * Batched autoregressive generation with a KV cache: each prompt is run once, then one position
 * per step per row, attending over the cached keys and values.
 *
 * <p>SKELETON: the public API the trainer codes against; the model issue fills in the bodies.
 */
public final class GptGenerator {
    private final GptModel model;
    private final int maxBatch;

    /** A generator for up to {@code maxBatch} rows at once over {@code model}'s live parameters. */
    public GptGenerator(GptModel model, int maxBatch) {
        this.model = model;
        this.maxBatch = maxBatch;
    }

    /**
     * Continues every prompt by up to {@code maxNew} tokens; a row stops after emitting
     * {@code stopToken} (included in its output; {@code -1}: never). Prompts may differ in length;
     * prompt plus output never exceeds the model's maxSeqLen. Sampling draws from {@code rng} in
     * row order, so the same rng state gives the same outputs for any thread count.
     *
     * @return the generated tokens of each row (without the prompt)
     */
    public int[][] generate(int[][] prompts, int maxNew, int stopToken, SamplingOptions options, RandomGenerator rng) {
        throw new UnsupportedOperationException("skeleton");
    }
}
