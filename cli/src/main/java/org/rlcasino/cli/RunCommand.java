package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.rlcasino.experiment.ExperimentRunner;
import org.rlcasino.experiment.PhaseExecutor;
import org.rlcasino.experiment.StageFailedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code casino run CONFIG}: a whole experiment (training, mask quality, speed, quality) and its report. */
@Command(name = "run",
        header = "Run a whole experiment from a run-config and write its report.", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Runs the stages of a run-config into runs/<name>/<stage>/: the training phases, then the mask-quality",
                "table (Table 2), the quality arms (Figure 2) and the speed comparison (Figure 1) its experiment section",
                "asks for, or, with experiment.checkpoints, the deltas of external checkpoints and their mask-quality table.",
                "A stage whose outputs exist and whose inputs are unchanged is skipped (manifest.json records a hash), so a",
                "re-run after a crash or an edit redoes only what changed. Writes runs/<name>/report.md and report.html.",
                "The run directory is marked by run-manifest.json; a non-empty directory without it is refused unless",
                "--force-dir, and a directory another run is writing (its run.lock) is refused."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "Run-config (JSON), e.g. run-configs/quickstart.json.")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory. Default: runs/<config name>/.")
    Path out;

    @Option(names = "--force", paramLabel = "STAGE", description = "Redo STAGE even if it is up to date (repeatable); later stages that read it redo too.")
    List<String> force = new ArrayList<>();

    @Option(names = "--force-dir", description = "Run into DIR even though it is a non-empty directory that is not a run directory.")
    boolean forceDir;

    @Option(names = "--quiet", description = "No progress bars.")
    boolean quiet;

    @Option(names = "--verbose", description = "On errors, also print the stack trace.")
    boolean verbose;

    @picocli.CommandLine.Mixin
    BackendOptions backendOptions = new BackendOptions();

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        backendOptions.check();
        ExperimentRunner runner = new ExperimentRunner(new ConsoleProgress(quiet), o, PhaseExecutor.TRAINER).withBackend(backendOptions::over);
        String command = "casino run " + config + (out == null ? "" : " --out " + out)
                + String.join("", force.stream().map(f -> " --force " + f).toList()) + (forceDir ? " --force-dir" : "")
                + (backendOptions.kind == null ? "" : " --backend " + backendOptions.kind);
        try {
            ExperimentRunner.Result r = runner.run(config, out, new LinkedHashSet<>(force), forceDir, command);
            long ran = r.outcomes().stream().filter(x -> !x.skipped()).count();
            o.printf(Locale.ROOT, "%d stage(s) ran, %d up to date%n", ran, r.outcomes().size() - ran);
            o.println("wrote " + r.report().markdown() + " and " + r.report().html() + " (" + r.report().plots().size() + " plot files)");
            o.flush();
            return 0;
        } catch (StageFailedException e) {
            String why = Casino.badInput(e.getCause()); // file system conditions and memory, as every command says them
            boolean badInput = e.badInput() || why != null;
            err.println("error: " + (why != null ? "stage '" + e.stage() + "' failed: " + why : e.getMessage()));
            err.println("finished stages keep their outputs; fix the cause and run the same command again to resume");
            if (verbose || !badInput) {
                e.getCause().printStackTrace(err);
            }
            err.flush();
            return badInput ? Casino.EXIT_BAD_INPUT : Casino.EXIT_FAILURE;
        }
    }


}
