package org.rlcasino.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.rlcasino.io.Progress;

/**
 * Shows benchmark progress as a progress bar on standard error; nothing when {@code quiet} or when
 * standard error is not a terminal (a log file gets no carriage-return redraws).
 */
final class ConsoleProgress implements Progress {
    private final boolean quiet;
    private ProgressBar bar;

    ConsoleProgress(boolean quiet) {
        java.io.Console console = System.console();
        this.quiet = quiet || console == null || !console.isTerminal();
    }

    @Override
    public void begin(String task, long units) {
        end();
        if (!quiet) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format("%-8s", task))
                    .setInitialMax(units)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(200)
                    .continuousUpdate()
                    .build();
        }
    }

    @Override
    public void advance(long units) {
        if (bar != null) {
            bar.stepBy(units);
        }
    }

    @Override
    public void end() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
