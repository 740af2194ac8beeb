package org.rlcasino.experiment;

import java.io.PrintWriter;
import java.nio.file.Path;

import org.rlcasino.io.Progress;
import org.rlcasino.tasks.Backend;

/**
 * What a running stage may use.
 *
 * @param runDir   the run directory {@code runs/<name>/}
 * @param backend  where kernels run
 * @param progress progress bars (silent when not on a terminal)
 * @param log      one-line messages
 */
public record StageContext(Path runDir, Backend backend, Progress progress, PrintWriter log) {
}
