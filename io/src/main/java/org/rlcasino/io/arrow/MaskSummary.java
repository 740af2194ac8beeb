package org.rlcasino.io.arrow;

import java.util.Map;

/**
 * Counts of a finished mask, also stored in the file's footer.
 *
 * @param kept              tensor name → active entries, in table order
 * @param achievedSparsity  1 − (active entries / all entries); 0 for a file without elements
 */
public record MaskSummary(Map<String, Long> kept, double achievedSparsity) {
    public MaskSummary {
        kept = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kept));
    }

    public long totalKept() {
        return kept.values().stream().mapToLong(Long::longValue).sum();
    }
}
