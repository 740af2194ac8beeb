package org.rlcasino.scoring;

/** Stateless, seeded hashing (SplitMix64 finaliser): reproducible randomness independent of batching. */
final class Hash {
    private Hash() {}

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static long mix(long seed, int tensor, long index) {
        return mix(mix(mix(seed) + tensor) + index);
    }

    /** Uniform double in (0, 1]. */
    static double uniform(long h) {
        return ((h >>> 11) + 1) * 0x1.0p-53;
    }

    /** A standard normal variate from (seed, tensor, index) by Box–Muller. */
    static double gaussian(long seed, int tensor, long index) {
        long h1 = mix(seed, tensor, index);
        long h2 = mix(h1 ^ 0x5851f42d4c957f2dL);
        return Math.sqrt(-2 * Math.log(uniform(h1))) * Math.cos(2 * Math.PI * uniform(h2));
    }
}
