package org.rlcasino.io.config;

import java.util.List;
import java.util.Set;

/**
 * The quality comparison (the paper's Figure 2): RL arms that all start from the final checkpoint
 * of phase {@code from} and run {@code steps} steps each, one arm per (optimizer, mask, sparsity,
 * seed): dense AdamW, BSR-AdamW with a predicted mask at each sparsity × mask method, and
 * BSR-AdamW with a random mask of the same density. The runner generates one phase per arm.
 *
 * @param from          phase whose final checkpoint every arm starts from (required)
 * @param base          phase whose held-out accuracy is reported as the base model (default: {@code from})
 * @param kind          RL objective of the arms: {@code grpo} or {@code dpo} (default grpo)
 * @param steps         optimizer steps per arm, {@code >= 1} (required)
 * @param sparsities    percentages for the sparse arms, each in (0, 100) (default 97.5)
 * @param maskMethods   predictors of the sparse arms' masks (default magnitude)
 * @param maskFirstSteps logged steps of {@code experiment.deltasPhase} the masks use (default 100; 0: all)
 * @param seeds         seeds; every arm runs once per seed (default 0, 1, 2)
 * @param dense         include the dense AdamW arm (default true)
 * @param random        include the random-mask arm at each sparsity (default true)
 * @param maskBlocks    structures of the sparse arms' masks, each {@code element} (exact top-k of the entries) or
 *                      {@code RxC} (top-k of R×C blocks — 16x16, 32x32, stripes 1x64, 64x1 — scored by the sum of their entries' scores, as
 *                      {@code casino mask --builder block}); every method × sparsity runs once per structure
 *                      (default {@code element})
 */
public record QualitySection(String from, String base, String kind, Integer steps, List<Double> sparsities,
                             List<String> maskMethods, Integer maskFirstSteps, List<Long> seeds, Boolean dense,
                             Boolean random, List<String> maskBlocks) {
    public QualitySection {
        if (from == null || from.isBlank()) {
            throw new IllegalArgumentException("from is required: the phase whose final checkpoint the arms start from");
        }
        base = base == null ? from : base;
        kind = kind == null ? "grpo" : kind;
        if (!kind.equals("grpo") && !kind.equals("dpo")) {
            throw new IllegalArgumentException("kind must be grpo or dpo, got '" + kind + "'");
        }
        if (steps == null || steps < 1) {
            throw new IllegalArgumentException("steps is required and must be >= 1, got " + steps);
        }
        sparsities = Sections.sparsities("sparsities", sparsities, List.of(97.5));
        maskMethods = maskMethods == null ? List.of(ScorerName.MAGNITUDE.label()) : List.copyOf(maskMethods);
        for (String m : maskMethods) {
            ScorerName.parse("maskMethods", m, ScorerName.PREDICTORS);
        }
        if (Set.copyOf(maskMethods).size() != maskMethods.size()) {
            throw new IllegalArgumentException("maskMethods lists a method twice: " + maskMethods);
        }
        maskFirstSteps = maskFirstSteps == null ? 100 : maskFirstSteps;
        if (maskFirstSteps < 0) {
            throw new IllegalArgumentException("maskFirstSteps must be >= 0 (0: all logged steps), got " + maskFirstSteps);
        }
        seeds = seeds == null ? List.of(0L, 1L, 2L) : List.copyOf(seeds);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("seeds must list at least one seed");
        }
        if (Set.copyOf(seeds).size() != seeds.size()) {
            throw new IllegalArgumentException("seeds lists a seed twice: " + seeds);
        }
        maskBlocks = Sections.maskStructures("maskBlocks", maskBlocks, List.of("element"), true);
        dense = dense == null || dense;
        random = random == null || random;
        if (maskMethods.isEmpty() && !dense && !random) {
            throw new IllegalArgumentException("quality has no arm: give maskMethods, or set dense or random to true");
        }
    }
}
