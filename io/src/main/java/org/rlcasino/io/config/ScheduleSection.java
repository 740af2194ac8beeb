package org.rlcasino.io.config;

import java.util.Locale;

/**
 * Learning-rate schedule of a run-config.
 *
 * @param kind        {@code constant} (default), {@code linear-warmup} or {@code cosine}
 * @param warmupSteps linear warm-up steps, {@code >= 0} (default 0)
 * @param totalSteps  steps of the cosine decay, {@code >= max(1, warmupSteps)}; required for cosine
 * @param minFactor   cosine floor as a fraction of lr, in {@code [0, 1]} (default 0)
 */
public record ScheduleSection(String kind, Integer warmupSteps, Integer totalSteps, Double minFactor) {
    static final ScheduleSection CONSTANT = new ScheduleSection(null, null, null, null);

    public ScheduleSection {
        kind = kind == null ? "constant" : kind.toLowerCase(Locale.ROOT);
        warmupSteps = warmupSteps == null ? 0 : warmupSteps;
        minFactor = minFactor == null ? 0.0 : minFactor;
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        }
        if (!(minFactor >= 0 && minFactor <= 1)) {
            throw new IllegalArgumentException("minFactor must be in [0, 1], got " + minFactor);
        }
        switch (kind) {
            case "constant", "linear-warmup" -> {
                if (totalSteps != null) {
                    throw new IllegalArgumentException("totalSteps applies only to kind 'cosine'");
                }
            }
            case "cosine" -> {
                if (totalSteps == null || totalSteps < Math.max(1, warmupSteps)) {
                    throw new IllegalArgumentException("totalSteps is required for 'cosine' and must be >= max(1, warmupSteps="
                            + warmupSteps + "), got " + totalSteps);
                }
            }
            default -> throw new IllegalArgumentException(
                    "kind must be 'constant', 'linear-warmup' or 'cosine', got '" + kind + "'");
        }
    }
}
