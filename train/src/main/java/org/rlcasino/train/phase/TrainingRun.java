package org.rlcasino.train.phase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.tasks.Backend;
import org.rlcasino.train.PhaseSummary;

/**
 * All phases of a run-config, in order, under one run directory. A phase with a {@code summary.json}
 * is finished; resuming skips finished phases and continues the first unfinished one from its latest
 * checkpoint.
 */
public final class TrainingRun {
    /** The copy of the run-config kept in the run directory. */
    public static final String CONFIG_COPY = "run-config.json";

    private TrainingRun() {}

    /** Whether every phase of {@code config} has finished in {@code runDir}. */
    public static boolean finished(RunConfig config, Path runDir) {
        return !config.phases().isEmpty()
                && config.phases().stream().allMatch(p -> PhaseSummary.exists(runDir.resolve(p.name())));
    }

    /** Runs (or, with {@code resume}, continues) every phase; returns their summaries. */
    public static List<PhaseSummary> run(RunConfig config, Path runDir, Backend backend, boolean resume,
                                         PhaseListener listener) throws IOException {
        if (config.phases().isEmpty()) {
            throw new IllegalArgumentException("run-config " + config.name() + " has no phases to train");
        }
        Files.createDirectories(runDir);
        List<PhaseSummary> out = new ArrayList<>();
        for (PhaseSection p : config.phases()) {
            Path dir = runDir.resolve(p.name());
            if (resume && PhaseSummary.exists(dir)) {
                listener.note(p.name() + ": finished before, skipped");
                out.add(PhaseSummary.read(dir));
                continue;
            }
            out.add(PhaseTrainer.run(config, p.name(), runDir, backend, resume, listener));
        }
        return out;
    }
}
