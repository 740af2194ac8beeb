package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.rlcasino.experiment.ExperimentPlan;
import org.rlcasino.experiment.PhaseExecutor;
import org.rlcasino.experiment.StageContext;
import org.rlcasino.experiment.StageFailedException;
import org.rlcasino.experiment.StageRunner;
import org.rlcasino.io.AtomicFileWriter;
import org.rlcasino.io.PathGuard;
import org.rlcasino.io.RunDirectory;
import org.rlcasino.io.RunDirectoryLock;
import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.kernels.Backend;
import org.rlcasino.train.PhaseSummary;
import org.rlcasino.train.checkpoint.TrainingCheckpoint;
import org.rlcasino.train.phase.PhaseListener;
import org.rlcasino.train.phase.StepMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code casino train CONFIG}: runs the training phases of a run-config (SFT, DPO, GRPO; dense or sparse). */
@Command(name = "train",
        header = "Train a GPT-2 through the phases of a run-config (SFT, DPO, GRPO; AdamW or BSR-AdamW).",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Runs every phase of CONFIG in order under the run directory (default runs/<config name>/): per phase",
                "metrics.csv, summary.json, final/ (Hugging Face GPT-2 directory), checkpoints/, and deltas.arrow /",
                "mask.arrow where the phase logs deltas or builds a mask. A finished run is never overwritten",
                "without --force; --resume DIR continues an interrupted run bit for bit. The run directory is marked by",
                "run-manifest.json; a non-empty directory without it is refused unless --force (which then deletes",
                "nothing but the phase directories), and a directory another run is writing (its run.lock) is refused."})
final class TrainCommand implements Callable<Integer>, DeclaresFiles {
    /** The copy of the run-config kept in the run directory. */
    static final String CONFIG_COPY = "run-config.json";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "Run-config JSON file (see run-configs/).")
    Path configFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory. Default: runs/<config name>/.")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the interrupted run in DIR from its latest checkpoints.")
    Path resume;

    @Option(names = "--force", description = "Delete an existing run directory and start over; or train into a non-empty directory that is not a run directory.")
    boolean force;

    @Option(names = "--quiet", description = "No progress line.")
    boolean quiet;

    @Option(names = "--verbose", description = "On errors, also print the stack trace.")
    boolean verbose;

    @Mixin
    BackendOptions backendOptions = new BackendOptions();

    @Override
    public void declareFiles(PathGuard files) {
        files.inputFile("CONFIG", configFile).outputDirectory("--out", out);
    }

    @Override
    public Integer call() throws IOException {
        RunConfig config = RunConfigLoader.load(configFile);
        backendOptions.check(config.backend());
        if (config.phases().isEmpty()) {
            throw new IllegalArgumentException(configFile + ": the run-config has no phases to train (add a \"phases\" list)");
        }
        PrintWriter o = spec.commandLine().getOut();
        Path runDir;
        RunDirectory.State state;
        if (resume != null) {
            if (out != null && !out.equals(resume)) {
                throw new IllegalArgumentException("give either --out DIR or --resume DIR (the run directory to continue)");
            }
            if (force) {
                throw new IllegalArgumentException("--force starts over; it does not go with --resume");
            }
            runDir = resume;
            if (!Files.isDirectory(runDir)) {
                throw new IllegalArgumentException(runDir + ": no such run directory to resume");
            }
            state = new RunDirectory(runDir).state();
            if (state != RunDirectory.State.RUN) {
                throw new IllegalArgumentException(runDir + " is not a run directory (it has no " + RunDirectory.MARKER
                        + "); there is nothing to resume in it");
            }
        } else {
            runDir = out != null ? out : Path.of("runs", config.name());
            state = new RunDirectory(runDir).requireWritable(force,
                    "add --force to train into it anyway (only the directories named like its phases are replaced)");
        }
        String command = "casino train " + configFile + (resume != null ? " --resume " + resume : out != null ? " --out " + out : "")
                + (force ? " --force" : "");
        Files.createDirectories(runDir);
        // What the run directory holds is judged under the lock: another process may be writing it.
        try (RunDirectoryLock _ = RunDirectoryLock.acquire(runDir, command)) {
            if (resume != null) {
                Path copy = runDir.resolve(CONFIG_COPY);
                if (Files.isRegularFile(copy) && !RunConfigLoader.load(copy).equals(config)) {
                    throw new IllegalArgumentException(runDir + " was started from a different run-config than " + configFile
                            + " (see " + copy + "); resume with that config, or start over with --out");
                }
                if (finished(config, runDir)) {
                    o.println(runDir + ": every phase has finished already; nothing to resume");
                    return 0;
                }
            } else if (state == RunDirectory.State.RUN) {
                if (force) {
                    startOver(runDir);
                } else if (finished(config, runDir)) {
                    throw new IllegalArgumentException(runDir + " holds a finished run; use --force to overwrite it or --out DIR");
                } else {
                    throw new IllegalArgumentException(runDir + " holds an unfinished run; continue it with --resume " + runDir
                            + " or start over with --force");
                }
            }
            new RunDirectory(runDir).mark(command);
            return train(config, runDir, o);
        }
    }

    /** Trains every phase into {@code runDir} (locked and marked) and prints the summary table. */
    private int train(RunConfig config, Path runDir, PrintWriter o) throws IOException {
        byte[] bytes = Files.readAllBytes(configFile);
        AtomicFileWriter.write(runDir.resolve(CONFIG_COPY), s -> s.write(bytes));
        long t0 = System.nanoTime();
        List<PhaseSummary> summaries;
        // the run-config's backend section, with --backend/--device/--threads over it
        try (Backend backend = backendOptions.open(config.backend())) {
            o.printf(Locale.ROOT, "training %s into %s on %s (%d threads)%n", config.name(), runDir, backend.name(), backend.parallelism());
            o.flush();
            // the phases as stages of the one runner casino run uses: a finished phase is kept, an interrupted one
            // continues from its latest checkpoint on --resume
            StageContext context = new StageContext(runDir, backend, org.rlcasino.io.Progress.NONE, o, new Listener(o, quiet));
            try {
                new StageRunner(context).run(ExperimentPlan.trainingStages(config, PhaseExecutor.TRAINER), Set.of(),
                        resume != null);
            } catch (StageFailedException e) {
                // what the phase threw, as casino train reports it (bad input: exit 2)
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw e;
            }
            summaries = new ArrayList<>();
            for (PhaseSection p : config.phases()) {
                summaries.add(PhaseSummary.read(runDir.resolve(p.name())));
            }
        }
        o.printf(Locale.ROOT, "%-16s %-5s %-12s %9s %7s %11s %11s %10s%n", "phase", "kind", "optimizer", "sparsity", "steps",
                "acc start", "acc final", "ms/step");
        for (PhaseSummary s : summaries) {
            o.printf(Locale.ROOT, "%-16s %-5s %-12s %8.2f%% %7d %11.4f %11.4f %10.1f%n", s.phase(), s.kind(), s.optimizer(),
                    s.sparsity() * 100, s.steps(), s.startHeldOutAccuracy(), s.heldOutAccuracy(), s.meanStepMillis());
        }
        o.printf(Locale.ROOT, "done in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, runDir);
        o.flush();
        return 0;
    }

    /** Whether every phase of {@code config} has finished in {@code runDir} (holds its summary). */
    private static boolean finished(RunConfig config, Path runDir) {
        return config.phases().stream().allMatch(p -> PhaseSummary.exists(runDir.resolve(p.name())));
    }

    /** Deletes everything in the run directory {@code dir} but its lock file: --force on a run directory. */
    private static void startOver(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                if (!entry.getFileName().toString().equals(RunDirectoryLock.FILE)) {
                    TrainingCheckpoint.deleteTree(entry);
                }
            }
        }
    }

    /** Notes and phase results on standard output; a live progress line on standard error when it is a terminal. */
    private static final class Listener implements PhaseListener {
        private final PrintWriter out;
        private final boolean live;
        private long lastDraw;

        Listener(PrintWriter out, boolean quiet) {
            this.out = out;
            java.io.Console console = System.console();
            this.live = !quiet && console != null && console.isTerminal();
        }

        @Override
        public void begin(String phase, int firstStep, int steps) {
            out.printf(Locale.ROOT, "phase %s: steps %d..%d%n", phase, firstStep, steps);
            out.flush();
        }

        @Override
        public void step(StepMetrics m, int steps) {
            long now = System.nanoTime();
            if (live && (now - lastDraw > 200_000_000L || m.step() == steps)) {
                lastDraw = now;
                System.err.printf(Locale.ROOT, "\r%-12s step %5d/%-5d loss %8.4f reward %6.3f acc %6s %7.1f ms/step ",
                        m.phase(), m.step(), steps, m.loss(), Double.isNaN(m.reward()) ? 0 : m.reward(),
                        Double.isNaN(m.accuracy()) ? "-" : String.format(Locale.ROOT, "%.3f", m.accuracy()),
                        m.sampleMs() + m.fwdbwdMs() + m.optimizerMs() + m.deltaMs());
                if (m.step() == steps) {
                    System.err.println();
                }
                System.err.flush();
            }
        }

        @Override
        public void end(String phase) {
            out.printf(Locale.ROOT, "phase %s: done%n", phase);
            out.flush();
        }

        @Override
        public void note(String message) {
            out.println(message);
            out.flush();
        }
    }
}
