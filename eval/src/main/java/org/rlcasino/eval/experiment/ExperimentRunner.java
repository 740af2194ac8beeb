package org.rlcasino.eval.experiment;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.rlcasino.eval.report.ReportWriter;
import org.rlcasino.eval.report.RunInfo;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.tasks.Backend;
import org.rlcasino.tasks.BackendProvider;

/**
 * {@code casino run CONFIG}: loads the run-config, runs its stages into {@code runs/<name>/} (or
 * the given directory), skipping those that are up to date, and writes the report. A failing stage
 * leaves the finished ones and the run-info; the report is then not rewritten.
 */
public final class ExperimentRunner {
    /** What a run did. */
    public record Result(Path runDir, List<StageRunner.Outcome> outcomes, ReportWriter.Result report) {}

    private final StageContext.ProgressFactory progress;
    private final PrintWriter log;
    private final PhaseExecutor executor;

    public ExperimentRunner(StageContext.ProgressFactory progress, PrintWriter log, PhaseExecutor executor) {
        this.progress = progress;
        this.log = log;
        this.executor = executor;
    }

    /** The default run directory of a config: {@code runs/<name>/}. */
    public static Path defaultRunDir(RunConfig config) {
        return Path.of("runs", config.name());
    }

    public Result run(Path configFile, Path runDir, Set<String> force, String command) throws IOException {
        RunConfig config = RunConfigLoader.load(configFile);
        return run(config, configFile, runDir, force, command, stages -> stages);
    }

    /** As {@link #run(Path, Path, Set, String)}, with a hook that may wrap the plan's stages (tests inject failures). */
    public Result run(RunConfig config, Path configFile, Path runDir, Set<String> force, String command,
                      java.util.function.UnaryOperator<List<Stage>> hook) throws IOException {
        Path dir = runDir != null ? runDir : defaultRunDir(config);
        Path configDir = configFile.toAbsolutePath().getParent();
        ExperimentPlan plan = ExperimentPlan.of(config, configDir, dir, executor);
        Files.createDirectories(dir);
        try (Backend backend = BackendProvider.of(config.backend().kind()).create(config.backend().threads(), config.backend().device())) {
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
