package org.rlcasino.scoring;

import org.rlcasino.io.arrow.BlockShape;

/**
 * What mask to build.
 *
 * @param builder      which builder
 * @param sparsity     target fraction of inactive entries ρ, in [0, 1)
 * @param floor        per-tensor floor F in [0, 1] (exact builder only; 0 = off): tensor t reserves its ⌊F·n_t⌋
 *                     best entries inside the global budget k (the reference code's rule, e.g. 0.0025)
 * @param seed         seed of the random builder and of the sampled builder's sampling and noise
 * @param block        the block builder's blocks of 2-D tensors (rows × columns; 1-D tensors get 1 × rows·columns):
 *                     16×16, 32×32, or stripes such as 1×64 (rows) and 64×1 (columns)
 * @param blockMax     block score = max of the entry scores (true) or their sum (false)
 * @param samples      sampled builder: samples per tensor at most (the paper: 100 000), in [1, {@link #MAX_SAMPLES}]
 */
public record MaskOptions(MaskBuilder.Method builder, double sparsity, double floor, long seed, BlockShape block, boolean blockMax,
                          int samples) {
    /** The paper's cap on samples per tensor. */
    public static final int DEFAULT_SAMPLES = 100_000;
    /** The sampled builder falls back to per-tensor top-k beyond this achieved-vs-target error. */
    public static final double FALLBACK_ERROR = 0.05;
    /** The largest cap on samples per tensor (2^26: the sampling table then holds up to 2^28 longs). */
    public static final int MAX_SAMPLES = 1 << 26;

    public MaskOptions {
        if (builder == null) {
            throw new IllegalArgumentException("builder must not be null");
        }
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 100) percent, got " + sparsity * 100);
        }
        if (!(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("floor must be a fraction in [0, 1], got " + floor);
        }
        if (floor > 0 && builder != MaskBuilder.Method.EXACT) {
            throw new IllegalArgumentException("--floor applies to the exact builder only");
        }
        if (block == null || block.rows() > BlockShape.MAX_SIDE || block.columns() > BlockShape.MAX_SIDE) {
            throw new IllegalArgumentException("block must be RxC with sides in [1, " + BlockShape.MAX_SIDE + "], got " + block);
        }
        if (samples < 1 || samples > MAX_SAMPLES) {
            throw new IllegalArgumentException("samples must be in [1, " + MAX_SAMPLES + "], got " + samples);
        }
    }

    /** Exact global top-k at {@code sparsity}, no floor. */
    public static MaskOptions exact(double sparsity) {
        return new MaskOptions(MaskBuilder.Method.EXACT, sparsity, 0, 0, BlockShape.DEFAULT, false, DEFAULT_SAMPLES);
    }

    public MaskOptions withBuilder(MaskBuilder.Method b) {
        return new MaskOptions(b, sparsity, floor, seed, block, blockMax, samples);
    }

    public MaskOptions withFloor(double f) {
        return new MaskOptions(builder, sparsity, f, seed, block, blockMax, samples);
    }

    public MaskOptions withSeed(long s) {
        return new MaskOptions(builder, sparsity, floor, s, block, blockMax, samples);
    }

    public MaskOptions withBlock(BlockShape b, boolean max) {
        return new MaskOptions(builder, sparsity, floor, seed, b, max, samples);
    }

    public MaskOptions withSamples(int n) {
        return new MaskOptions(builder, sparsity, floor, seed, block, blockMax, n);
    }
}
