package org.rlcasino.train.phase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.kernels.Backend;
import org.rlcasino.train.PhaseSummary;

/**
 * The phases of a run-config one after the other through {@link PhaseTrainer}, for tests of the
 * trainer across phases (what {@code casino train}'s stage runner does, without its manifests):
 * with {@code resume}, a phase that holds a summary is read back and the others continue from
 * their latest checkpoint.
 */
final class Phases {
    private Phases() {}

    static List<PhaseSummary> runAll(RunConfig config, Path runDir, Backend backend, boolean resume, PhaseListener listener)
            throws IOException {
        Files.createDirectories(runDir);
        List<PhaseSummary> out = new ArrayList<>();
        for (PhaseSection p : config.phases()) {
            Path dir = runDir.resolve(p.name());
            out.add(resume && PhaseSummary.exists(dir) ? PhaseSummary.read(dir)
                    : PhaseTrainer.run(config, p.name(), runDir, backend, resume, listener));
        }
        return out;
    }

    static boolean finished(RunConfig config, Path runDir) {
        return config.phases().stream().allMatch(p -> PhaseSummary.exists(runDir.resolve(p.name())));
    }
}
