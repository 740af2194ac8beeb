package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.rlcasino.io.PathGuard;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.config.ScorerName;
import org.rlcasino.io.deltas.TensorSelection;
import org.rlcasino.scoring.MomentumFormula;
import org.rlcasino.scoring.ScoringOptions;
import org.rlcasino.scoring.ScoringResult;
import org.rlcasino.scoring.StepRange;
import org.rlcasino.scoring.StreamingScorer;
import org.rlcasino.kernels.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino score}: one score per parameter from a delta stream, read once. */
@Command(name = "score",
        header = "Score every parameter (magnitude, momentum, Fisher) from a delta stream.", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Scores every parameter of the selected tensors from a delta stream (casino deltas), reading it once:",
                "  magnitude  s = Σ_t |δ_t|                                      (1 float of state per parameter)",
                "  momentum   over the velocities v_t = δ_t − δ_(t−1) of the last W+1 deltas of the range,",
                "             paper: |mean v|² / (std v + eps), reference: |mean v|·(1 + |mean v|/(std v + eps))",
                "             (unbiased n−1 std for both, as torch.std; a single velocity scores |δ_last|;",
                "             W+1 floats of state per parameter)",
                "  fisher     s = Var[δ] + |E[δ]| over the steps (population variance, Welford; 2 floats per parameter)",
                "δ_t is on the --basis chosen: start (θ_t − θ_0, the default, as the paper's reference code logs; the",
                "velocity is then the per-step update) or step (θ_t − θ_(t−1)). A file of the other basis is converted",
                "while streaming (step→start: 8 more bytes per parameter, start→step: 4).",
                "Writes a score file (scores.arrow) for the mask builders."})
final class ScoreCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = "--deltas", required = true, paramLabel = "FILE", description = "Delta stream to read (deltas.arrow).")
    Path deltas;

    @Option(names = "--method", required = true, paramLabel = "M", description = "magnitude, momentum or fisher.")
    String method;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Score file to write (scores.arrow).")
    Path out;

    @Option(names = "--basis", defaultValue = "start", paramLabel = "B",
            description = "Delta basis the scores are computed on: start (θ_t − θ_0) or step (θ_t − θ_(t−1)). Default: ${DEFAULT-VALUE}.")
    String basis;

    @Option(names = "--momentum-formula", defaultValue = "paper", paramLabel = "F",
            description = "Momentum only: paper (the paper's |mean v|²/(std v+eps)) or reference (its public code's). Default: ${DEFAULT-VALUE}.")
    String momentumFormula;

    @Option(names = "--window", defaultValue = "5", paramLabel = "W",
            description = "Momentum only: velocities in the window, >= 2. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--eps", defaultValue = "1e-8", paramLabel = "E", description = "Momentum only: added to std v. Default: ${DEFAULT-VALUE}.")
    double eps;

    @Option(names = "--steps", defaultValue = ":", paramLabel = "A:B",
            description = "Step numbers used, both ends inclusive: 10:40, :100 (up to step 100), 50: (from step 50). Default: all.")
    String steps;

    @Option(names = "--first-steps", defaultValue = "0", paramLabel = "N",
            description = "Only the first N steps of that range (0: all), e.g. --first-steps 100.")
    int firstSteps;

    @Option(names = "--include", paramLabel = "GLOB", description = "Only tensors matching GLOB (repeatable; * matches dots too).")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "Skip tensors matching GLOB (repeatable), e.g. '*.ln_*'.")
    List<String> exclude = new ArrayList<>();

    @Mixin
    BackendOptions backendOptions = new BackendOptions();

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--verbose", description = "On errors, also print the stack trace.")
    boolean verbose;

    @Override
    public void declareFiles(PathGuard files) {
        files.inputFile("--deltas", deltas).outputFile("-o", out);
    }

    @Override
    public Integer call() throws IOException {
        return run(); // errors: Casino reports them (exit 2 for bad input; --verbose adds the trace)
    }

    private int run() throws IOException {
        if (firstSteps < 0) {
            throw new IllegalArgumentException("--first-steps must be >= 0 (0: all steps in range), got " + firstSteps);
        }
        ScoringOptions options = new ScoringOptions(StepRange.parse(steps), firstSteps, new TensorSelection(include, exclude),
                DeltaBasis.of(basis));
        try (Backend backend = backendOptions.open()) {
            ScorerName name = ScorerName.parse("--method", method, ScorerName.SCORERS);
            // --momentum-formula is read (and checked) for momentum only
            MomentumFormula formula = name == ScorerName.MOMENTUM ? MomentumFormula.of(momentumFormula) : MomentumFormula.PAPER;
            StreamingScorer scorer = StreamingScorer.of(name, backend, formula, window, eps);
            ScoringResult r = scorer.score(deltas, out, options, new ConsoleProgress(quiet));
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "wrote %s: %s scores %s of %d tensors × %,d entries%n", out, r.method(), scorer.parameters(),
                    r.tensors(), r.entries());
            o.printf(Locale.ROOT, "steps: %d in range (%d..%d), %d used (%s)%n", r.stepsInRange().size(),
                    r.stepsInRange().getFirst(), r.stepsInRange().getLast(), r.sourceSteps().size(), describe(r.sourceSteps()));
            o.printf(Locale.ROOT, "basis: %s%s%n", r.basis(), r.fileBasis() == r.basis() ? " (as the file)"
                    : " (converted from the file's " + r.fileBasis() + " deltas)");
            long stateBytes = scorer.stateBytesPerParameter(r.fileBasis(), r.basis());
            o.printf(Locale.ROOT, "state: %.1f MB (%d bytes per entry); read %.3f GB of deltas in %.2f s (%.2f GB/s) on %s%n",
                    stateBytes * (double) r.entries() / 1e6, stateBytes,
                    r.bytesRead() / 1e9, r.seconds(), r.gigabytesPerSecond(), r.backend());
            o.flush();
            return 0;
        }
    }

    private static String describe(List<Integer> steps) {
        if (steps.size() <= 8) {
            return String.join(",", steps.stream().map(String::valueOf).toList());
        }
        return steps.getFirst() + "," + steps.get(1) + ",…," + steps.getLast();
    }
}
