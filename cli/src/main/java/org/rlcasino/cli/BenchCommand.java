package org.rlcasino.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code casino bench …}: benchmarks that print ratios measured side by side in one run. */
@Command(name = "bench",
        header = "Benchmarks measured side by side in one process.",
        mixinStandardHelpOptions = true,
        description = "Benchmarks measured side by side in one process (see also: bin/casino jmh).",
        subcommands = {BenchOptimizerCommand.class, BenchDeltasCommand.class, BenchScoringCommand.class, BenchMaskCommand.class,
                BenchMatmulCommand.class, BenchTrainCommand.class, BenchFamilyCommand.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: which benchmark? (optimizer, deltas, scoring, mask, matmul, train, family)");
    }
}
