package org.rlcasino.eval.experiment;

import java.io.PrintWriter;
import java.nio.file.Path;

import org.rlcasino.tasks.Backend;

/**
 * What a running stage may use.
 *
 * @param runDir   the run directory {@code runs/<name>/}
 * @param backend  where kernels run
 * @param progress progress bars (silent when not on a terminal)
 * @param log      one-line messages
 */
public record StageContext(Path runDir, Backend backend, ProgressFactory progress, PrintWriter log) {
    /** Progress display for long stages. */
    public interface ProgressFactory {
        /** A progress display for a task of {@code units} units named {@code task}. */
        Progress begin(String task, long units);

        ProgressFactory NONE = (task, units) -> Progress.NONE;
    }

    /** One progress display. */
    public interface Progress extends AutoCloseable {
        void advance(long units);

        @Override
        void close();

        Progress NONE = new Progress() {
            @Override
            public void advance(long units) {}

            @Override
            public void close() {}
        };
    }
}
