package org.rlcasino.cli;

import java.nio.file.Path;

import org.rlcasino.io.PathGuard;
import picocli.CommandLine.Option;

/** {@code --json} and {@code --quiet}: where every {@code casino bench} command also writes its figures, and its progress bar. */
final class BenchOutputOptions {
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
    Path json;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    /** Declares {@code --json} as an output file. */
    void declareFiles(PathGuard files) {
        files.outputFile("--json", json);
    }
}
