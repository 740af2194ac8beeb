package org.rlcasino.io.config;

/**
 * What {@code casino run} measures and reports beyond the training phases: the paper's mask-quality
 * table (Table 2), the dense vs BSR-AdamW speed comparison (Figure 1) and the quality comparison
 * of RL arms (Figure 2). At least one of them, or {@code checkpoints}, must be given.
 *
 * @param checkpoints directory of safetensors checkpoints from another framework ({@code checkpoint-<step>/}
 *                    directories as the Hugging Face Trainer writes them, or {@code step_<n>.safetensors});
 *                    the run then trains nothing and computes the mask-quality table from their deltas
 * @param deltasPhase training phase whose {@code deltas.arrow} feeds the mask-quality table and the
 *                    quality arms' masks (required with training and {@code maskQuality} or {@code quality})
 * @param maskQuality Table 2 (absent: not computed, except with {@code checkpoints}, where the defaults apply)
 * @param speed       Figure 1 (absent: not measured)
 * @param quality     Figure 2 (absent: not run)
 */
public record ExperimentSection(String checkpoints, String deltasPhase, MaskQualitySection maskQuality,
                                SpeedSection speed, QualitySection quality) {
    public ExperimentSection {
        if (checkpoints != null && checkpoints.isBlank()) {
            throw new IllegalArgumentException("checkpoints must name a directory of safetensors checkpoints, got an empty string");
        }
        if (checkpoints != null && maskQuality == null) {
            maskQuality = MaskQualitySection.DEFAULTS;
        }
        if (checkpoints != null && quality != null) {
            throw new IllegalArgumentException("quality trains RL arms and needs training phases; remove it or remove checkpoints");
        }
        if (checkpoints != null && deltasPhase != null) {
            throw new IllegalArgumentException("deltasPhase goes with training phases; with checkpoints the deltas come from the checkpoints");
        }
        if (checkpoints == null && maskQuality == null && speed == null && quality == null) {
            throw new IllegalArgumentException("experiment needs at least one of checkpoints, maskQuality, speed, quality");
        }
        if (deltasPhase != null && deltasPhase.isBlank()) {
            throw new IllegalArgumentException("deltasPhase must name a phase, got an empty string");
        }
    }
}
