package org.rlcasino.experiment;

import java.nio.file.Path;

import org.rlcasino.io.config.RunConfig;
import org.rlcasino.tasks.Backend;
import org.rlcasino.train.PhaseRunner;
import org.rlcasino.train.PhaseSummary;

/** Runs one training phase of a run-config into {@code runDir/<phase>/}; the trainer's {@link PhaseRunner} by default. */
@FunctionalInterface
public interface PhaseExecutor {
    PhaseSummary run(RunConfig config, String phase, Path runDir, Backend backend) throws Exception;

    PhaseExecutor TRAINER = PhaseRunner::run;
}
