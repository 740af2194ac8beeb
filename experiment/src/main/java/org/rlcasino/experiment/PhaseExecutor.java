package org.rlcasino.experiment;

import java.nio.file.Path;

import org.rlcasino.io.config.RunConfig;
import org.rlcasino.kernels.Backend;
import org.rlcasino.train.PhaseSummary;
import org.rlcasino.train.phase.PhaseListener;
import org.rlcasino.train.phase.PhaseTrainer;

/**
 * Runs one training phase of a run-config into {@code runDir/<phase>/} (afresh, or with
 * {@code resume} continuing from the phase's latest checkpoint); the trainer's
 * {@link PhaseTrainer} by default, a stand-in in tests.
 */
@FunctionalInterface
public interface PhaseExecutor {
    PhaseSummary run(RunConfig config, String phase, Path runDir, Backend backend, boolean resume, PhaseListener listener)
            throws Exception;

    PhaseExecutor TRAINER = PhaseTrainer::run;
}
