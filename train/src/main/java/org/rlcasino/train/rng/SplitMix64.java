package org.rlcasino.train.rng;

import java.util.random.RandomGenerator;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a 64-bit state advanced by the golden-ratio increment and
 * mixed by a bijective finaliser. Its whole state is one {@code long} ({@link #state()}), so a
 * checkpoint saves it and a resumed run draws exactly the numbers the uninterrupted run would.
 */
public final class SplitMix64 implements RandomGenerator {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private long state;

    /** A generator whose next draws are determined by {@code state} (a seed or a saved {@link #state()}). */
    public SplitMix64(long state) {
        this.state = state;
    }

    /** The current state; {@code new SplitMix64(state())} continues with the same numbers. */
    public long state() {
        return state;
    }

    @Override
    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** An independent stream for {@code purpose} derived from {@code seed} (e.g. sampling vs. batches). */
    public static SplitMix64 derive(long seed, String purpose) {
        SplitMix64 mix = new SplitMix64(seed ^ purpose.hashCode() * 0x632be59bd9b4e019L);
        return new SplitMix64(mix.nextLong());
    }
}
