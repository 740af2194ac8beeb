package org.rlcasino.train;

import java.nio.file.Path;

import org.rlcasino.io.config.RunConfig;
import org.rlcasino.tasks.Backend;
import org.rlcasino.train.phase.PhaseListener;
import org.rlcasino.train.phase.PhaseTrainer;

/**
 * Runs the training phases of a run-config. Phase {@code p} writes everything under
 * {@code runDir/p/}: {@code metrics.csv}, {@code summary.json} ({@link PhaseSummary}), the final
 * checkpoint {@code final/} (Hugging Face layout: model.safetensors, config.json, tokenizer.json),
 * periodic checkpoints ({@code checkpoints/step-N/}), and {@code deltas.arrow} / {@code mask.arrow}
 * (+ {@code scores.arrow}) when the phase logs deltas or builds a mask. A phase's {@code from} is
 * read from {@code runDir/<from>/final/}.
 */
public final class PhaseRunner {
    private PhaseRunner() {}

    /** Runs phase {@code phaseName} of {@code config} afresh (its input phase must have finished). */
    public static PhaseSummary run(RunConfig config, String phaseName, Path runDir, Backend backend) {
        return PhaseTrainer.run(config, phaseName, runDir, backend, false, PhaseListener.NONE);
    }

    /**
     * Runs phase {@code phaseName}; with {@code resume} it continues from the phase's latest
     * checkpoint, giving the same final weights as an uninterrupted run.
     */
    public static PhaseSummary run(RunConfig config, String phaseName, Path runDir, Backend backend, boolean resume,
                                   PhaseListener listener) {
        return PhaseTrainer.run(config, phaseName, runDir, backend, resume, listener);
    }
}
