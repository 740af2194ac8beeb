package org.rlcasino.experiment;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.rlcasino.experiment.report.ReportWriter;
import org.rlcasino.io.Progress;
import org.rlcasino.experiment.report.RunInfo;
import org.rlcasino.io.Progress;
import org.rlcasino.io.RunDirectory;
import org.rlcasino.io.RunDirectoryLock;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.BackendProvider;

/**
 * {@code casino run CONFIG}: loads the run-config, runs its stages into {@code runs/<name>/} (or
 * the given directory), skipping those that are up to date, and writes the report. A failing stage
 * leaves the finished ones and the run-info; the report is then not rewritten. The run directory is
 * marked as one ({@link RunDirectory}) and locked for the run's duration ({@link RunDirectoryLock}).
 */
public final class ExperimentRunner {
    /** What a run did. */
    public record Result(Path runDir, List<StageRunner.Outcome> outcomes, ReportWriter.Result report) {}

    private final Progress progress;
    private final PrintWriter log;
    private final PhaseExecutor executor;
    private java.util.function.UnaryOperator<org.rlcasino.io.config.BackendSection> backendOverride = b -> b;

    public ExperimentRunner(Progress progress, PrintWriter log, PhaseExecutor executor) {
        this.progress = progress;
        this.log = log;
        this.executor = executor;
    }

    /** Runs on the backend {@code override} makes of the run-config's backend section (command-line options over it). */
    public ExperimentRunner withBackend(java.util.function.UnaryOperator<org.rlcasino.io.config.BackendSection> override) {
        this.backendOverride = override;
        return this;
    }

    /** The default run directory of a config: {@code runs/<name>/}. */
    public static Path defaultRunDir(RunConfig config) {
        return Path.of("runs", config.name());
    }

    public Result run(Path configFile, Path runDir, Set<String> force, String command) throws IOException {
        return run(configFile, runDir, force, false, command);
    }

    /**
     * As {@link #run(Path, Path, Set, String)}; {@code forceDirectory} lets it write into a non-empty
     * directory that is not a run directory (otherwise refused).
     */
    public Result run(Path configFile, Path runDir, Set<String> force, boolean forceDirectory, String command) throws IOException {
        RunConfig config = RunConfigLoader.load(configFile);
        return run(config, configFile, runDir, force, forceDirectory, command, stages -> stages);
    }

    /** As {@link #run(Path, Path, Set, String)}, with a hook that may wrap the plan's stages (tests inject failures). */
    public Result run(RunConfig config, Path configFile, Path runDir, Set<String> force, String command,
                      java.util.function.UnaryOperator<List<Stage>> hook) throws IOException {
        return run(config, configFile, runDir, force, false, command, hook);
    }

    /**
     * The run itself. The run directory must be absent, empty or a run directory (its marker,
     * {@link RunDirectory#MARKER}), or {@code forceDirectory} given; the run holds the directory's
     * {@link RunDirectoryLock} from before anything is written until the report is written or a
     * stage fails, so a second run into the same directory is refused.
     */
    private Result run(RunConfig config, Path configFile, Path runDir, Set<String> force, boolean forceDirectory, String command,
                       java.util.function.UnaryOperator<List<Stage>> hook) throws IOException {
        Path dir = runDir != null ? runDir : defaultRunDir(config);
        Path configDir = configFile.toAbsolutePath().getParent();
        ExperimentPlan plan = ExperimentPlan.of(config, configDir, dir, executor);
        // the backend is checked before anything is written: a TornadoVM config outside the tornado launcher fails here
        org.rlcasino.io.config.BackendSection on = backendOverride.apply(config.backend());
        BackendProvider provider = BackendProvider.of(on.kind());
        RunDirectory runDirectory = new RunDirectory(dir);
        runDirectory.requireWritable(forceDirectory, "add --force-dir to run into it anyway (stage directories of the "
                + "same names are replaced)");
        Files.createDirectories(dir);
        try (RunDirectoryLock _ = runDirectory.lock(command);
             Backend backend = provider.create(on.threads(), on.device())) {
            runDirectory.mark(command);
            List<Long> seeds = new ArrayList<>();
            seeds.add(config.seed());
            if (config.experiment() != null && config.experiment().quality() != null) {
                for (long s : config.experiment().quality().seeds()) {
                    if (!seeds.contains(s)) {
                        seeds.add(s);
                    }
                }
            }
            new RunInfo(config.name(), configFile.toString(), Files.readString(configFile, StandardCharsets.UTF_8), seeds,
                    backend.name(), RunInfo.thisMachine(), RunInfo.thisJvm(),
                    Instant.now().toString(), command).write(dir);
            log.println("run " + config.name() + " → " + dir + " (stages: " + String.join(", ", plan.stageNames()) + ")");
            StageContext context = new StageContext(dir, backend, progress, log);
            List<StageRunner.Outcome> outcomes = new StageRunner(context).run(hook.apply(plan.stages()), force);
            ReportWriter.Result report = ReportWriter.write(dir);
            return new Result(dir, outcomes, report);
        }
    }
}
