package org.rlcasino.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The PyTorch-comparison options shared by the bench commands that time torch beside Java. */
final class TorchOptions {
    @Option(names = "--no-torch", description = "Do not time PyTorch.")
    boolean noTorch;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "PATH",
            description = "Python with torch. Default: ${DEFAULT-VALUE}.")
    Path python;

    /** The Python to run torch with, or null when torch is not to be timed. */
    Path pythonOrNull() {
        return noTorch ? null : python;
    }
}
