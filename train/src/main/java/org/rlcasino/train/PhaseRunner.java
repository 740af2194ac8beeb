package org.rlcasino.train;

import java.nio.file.Path;

import org.rlcasino.io.config.RunConfig;
import org.rlcasino.tasks.Backend;

/**
 * Runs the training phases of a run-config. Phase {@code p} writes everything under
 * {@code runDir/p/}: {@code metrics.csv}, {@code summary.json} ({@link PhaseSummary}), the final
 * checkpoint {@code final/} (Hugging Face layout: model.safetensors, config.json, tokenizer.json),
 * periodic checkpoints, and {@code deltas.arrow} / {@code mask.arrow} when the phase logs deltas
 * or builds a mask. A phase's {@code from} is read from {@code runDir/<from>/final/}.
 *
 * SKELETON: the train issue fills in the body.
 */
public final class PhaseRunner {
    private PhaseRunner() {}

    /** Runs phase {@code phaseName} of {@code config} (its input phase must have finished). */
    public static PhaseSummary run(RunConfig config, String phaseName, Path runDir, Backend backend) {
        throw new UnsupportedOperationException("skeleton");
    }
}
