package org.rlcasino.eval.experiment;

import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.QualitySection;

/**
 * ADAPTER to the trainer's run-config schema: turns a quality arm into the {@link PhaseSection}
 * the trainer runs. The integrator maps the arm's optimizer ({@code adamw}, {@code bsr-adamw},
 * {@code random-mask}), mask file (relative to the run directory), sparsity and seed onto the
 * trainer's phase fields here; with the skeleton PhaseSection only name, kind, start phase and
 * steps can be expressed.
 */
final class QualityArmPhases {
    private QualityArmPhases() {}

    static PhaseSection phase(QualityArm arm, QualitySection quality) {
        return new PhaseSection(arm.name(), quality.kind(), quality.from(), quality.steps());
    }
}
