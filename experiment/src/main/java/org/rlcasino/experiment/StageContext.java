package org.rlcasino.experiment;

import java.io.PrintWriter;
import java.nio.file.Path;

import org.rlcasino.io.Progress;
import org.rlcasino.kernels.Backend;
import org.rlcasino.train.phase.PhaseListener;

/**
 * What a running stage may use.
 *
 * @param runDir   the run directory {@code runs/<name>/}
 * @param backend  where kernels run
 * @param progress progress bars (silent when not on a terminal)
 * @param log      one-line messages
 * @param phases   where training phases report their steps
 */
public record StageContext(Path runDir, Backend backend, Progress progress, PrintWriter log, PhaseListener phases) {
    /** A context whose training phases report nothing per step. */
    public StageContext(Path runDir, Backend backend, Progress progress, PrintWriter log) {
        this(runDir, backend, progress, log, PhaseListener.NONE);
    }
}
