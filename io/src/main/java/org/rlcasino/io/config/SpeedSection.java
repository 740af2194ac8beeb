package org.rlcasino.io.config;

import java.util.List;

/**
 * The speed comparison (the paper's Figure 1): dense AdamW vs BSR-AdamW step times at each
 * sparsity, measured side by side in one process, interleaved, after warm-up.
 *
 * @param sparsities percentages, each in (0, 100) (default 90, 95, 97.5, 99)
 * @param warmup     warm-up rounds, {@code >= 0} (default 3)
 * @param repeats    timed rounds, {@code >= 1} (default 10)
 * @param csv        a speed CSV measured elsewhere to report instead of measuring (columns as
 *                   {@code speed.csv}; relative paths are resolved against the run-config's directory)
 * @param params     parameters of the optimizer-only measurement (used when no whole-step benchmark
 *                   is available; default 4194304)
 * @param maskShape  mask shape of the BSR arm: {@code block16x16}, {@code row1x64} or {@code random} (default block16x16)
 * @param batch      sequences per step of the whole-step measurement on the run's model, {@code >= 1} (default 16)
 */
public record SpeedSection(List<Double> sparsities, Integer warmup, Integer repeats, String csv, Long params,
                           String maskShape, Integer batch) {
    public SpeedSection {
        sparsities = Sections.sparsities("sparsities", sparsities, MaskQualitySection.PAPER_SPARSITIES);
        warmup = warmup == null ? 3 : warmup;
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
        }
        repeats = repeats == null ? 10 : repeats;
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        if (csv != null && csv.isBlank()) {
            throw new IllegalArgumentException("csv must name a file, got an empty string");
        }
        params = params == null ? 4_194_304L : params;
        if (params < 1024 || params > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("params must be in [1024, 2147483639], got " + params);
        }
        maskShape = maskShape == null ? "block16x16" : maskShape;
        if (!List.of("block16x16", "row1x64", "random").contains(maskShape)) {
            throw new IllegalArgumentException("maskShape must be block16x16, row1x64 or random, got '" + maskShape + "'");
        }
        batch = batch == null ? 16 : batch;
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
    }
}
