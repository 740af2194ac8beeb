package org.rlcasino.cli;

import picocli.CommandLine.Option;

/** {@code --threads} of a command whose kernels run on the JVM backend only (no {@code --backend}). */
final class JvmThreadsOptions {
    @Option(names = "--threads", paramLabel = "T", description = "Threads of the JVM backend. Default: available processors.")
    Integer threads;

    /** The threads given, or the available processors. */
    int threads() {
        return resolve(threads);
    }

    /**
     * {@code threads}, or the available processors when null.
     *
     * @throws IllegalArgumentException when that is below 1
     */
    static int resolve(Integer threads) {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + t);
        }
        return t;
    }
}
