package org.rlcasino.experiment;

import java.nio.file.Path;

import org.rlcasino.io.config.MaskSection;
import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.QualitySection;

/**
 * Turns a quality arm into the trainer's {@link PhaseSection}: kind and steps from the quality
 * section, the arm's optimizer, seed and mask, and everything else (batch size, AdamW
 * hyperparameters, evaluation, sampling settings) inherited from the phase the arms start from, so
 * that the arms differ from each other only in the optimizer and the seed. Sampling fields are
 * inherited only from an RL phase, and kind-specific ones (DPO's β; GRPO's clip, KL weight,
 * updates per batch) only from a phase of the same kind.
 */
final class QualityArmPhases {
    private QualityArmPhases() {}

    /**
     * @param from   the phase the arms start from ({@code quality.from})
     * @param runDir the run directory (mask files are given to the trainer under it)
     */
    static PhaseSection phase(QualityArm arm, QualitySection quality, PhaseSection from, Path runDir) {
        MaskSection mask = switch (arm.optimizer()) {
            case "adamw" -> null;
            // a block mask's gradient blocks are its own blocks; an element mask's the default cover
            case "bsr-adamw" -> new MaskSection(runDir.resolve(arm.mask()).toString(), null, null, null, null, null, null, null,
                    null, "element".equals(arm.maskBlock()) ? null : arm.maskBlock());
            case "random-mask" -> new MaskSection(null, null, null, null, null, arm.sparsity(), null, arm.seed(), null, null);
            default -> throw new IllegalStateException("unknown arm optimizer " + arm.optimizer());
        };
        boolean rl = from.reinforcement();
        boolean sameKind = from.kind().equals(quality.kind());
        boolean grpo = sameKind && quality.kind().equals("grpo");
        boolean dpo = sameKind && quality.kind().equals("dpo");
        return new PhaseSection(arm.name(), quality.kind(), quality.from(), quality.steps(), from.batchSize(), arm.seed(),
                arm.optimizer(), from.adamw(), mask, null, from.evalEvery(), from.evalPrompts(), 0,
                rl ? from.temperature() : null, rl ? from.topK() : null, rl ? from.groupSize() : null,
                dpo ? from.beta() : null, grpo ? from.clip() : null, grpo ? from.klCoef() : null,
                grpo ? from.updatesPerBatch() : null, dpo ? from.precomputeReference() : null);
    }
}
