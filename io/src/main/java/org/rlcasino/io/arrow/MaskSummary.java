package org.rlcasino.io.arrow;

import java.util.Map;
import java.util.OptionalLong;

/**
 * Counts of a finished mask, also stored in the file's footer.
 *
 * @param kept              tensor name → active entries, in table order
 * @param achievedSparsity  1 − (active entries / all entries); 0 for a file without elements
 * @param tiedAtCut         active entries whose score equals the cut the builder selected at (the
 *                          tie share's numerator, defined by the builder); empty for files written
 *                          without it (older files, complements)
 * @param tiedZeros         how many of the {@code tiedAtCut} entries score exactly zero; present iff
 *                          {@code tiedAtCut} is, in [0, tiedAtCut]
 */
public record MaskSummary(Map<String, Long> kept, double achievedSparsity, OptionalLong tiedAtCut, OptionalLong tiedZeros) {
    public MaskSummary {
        kept = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kept));
        if (tiedAtCut == null || tiedZeros == null) {
            throw new IllegalArgumentException("tiedAtCut and tiedZeros must not be null (use OptionalLong.empty())");
        }
        if (tiedAtCut.isPresent() != tiedZeros.isPresent()) {
            throw new IllegalArgumentException("tiedAtCut and tiedZeros must both be present or both be empty");
        }
        if (tiedAtCut.isPresent()) {
            long total = kept.values().stream().mapToLong(Long::longValue).sum();
            long tied = tiedAtCut.getAsLong();
            long zeros = tiedZeros.getAsLong();
            if (tied < 0 || tied > total) {
                throw new IllegalArgumentException("tiedAtCut must be in [0, " + total + "] (the kept entries), got " + tied);
            }
            if (zeros < 0 || zeros > tied) {
                throw new IllegalArgumentException("tiedZeros must be in [0, " + tied + "] (tiedAtCut), got " + zeros);
            }
        }
    }

    /** A summary without tie counts. */
    public MaskSummary(Map<String, Long> kept, double achievedSparsity) {
        this(kept, achievedSparsity, OptionalLong.empty(), OptionalLong.empty());
    }

    public long totalKept() {
        return kept.values().stream().mapToLong(Long::longValue).sum();
    }
}
