package org.rlcasino.experiment;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.train.PhaseSummary;

/**
 * One training phase as a stage: {@link PhaseExecutor} writes {@code metrics.csv},
 * {@code summary.json}, {@code final/} and, when the phase logs them, {@code deltas.arrow} into
 * {@code runs/<name>/<phase>/}. Its fingerprint holds the run's seed, model, task and optimizer
 * sections, the phase itself, and the result of the phase it starts from.
 */
final class PhaseStage implements Stage {
    static final String METRICS = "metrics.csv";
    static final String SUMMARY = "summary.json";

    private final RunConfig config;
    private final PhaseSection phase;
    private final List<String> dependencies;
    private final List<String> extraInputs;
    private final PhaseExecutor executor;

    /**
     * @param config       the run-config the trainer sees (with generated phases appended)
     * @param from         the phase it starts from, or null
     * @param extraInputs  further stages it reads (e.g. the mask stage)
     */
    PhaseStage(RunConfig config, PhaseSection phase, String from, List<String> extraInputs, PhaseExecutor executor) {
        this.config = config;
        this.phase = phase;
        java.util.ArrayList<String> deps = new java.util.ArrayList<>();
        if (from != null) {
            deps.add(from);
        }
        deps.addAll(extraInputs);
        this.dependencies = List.copyOf(deps);
        this.extraInputs = extraInputs;
        this.executor = executor;
    }

    @Override
    public String name() {
        return phase.name();
    }

    @Override
    public List<String> dependencies() {
        return dependencies;
    }

    @Override
    public String inputs() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("seed", config.seed());
        in.put("model", config.model());
        in.put("task", config.task());
        in.put("optimizer", config.optimizer());
        in.put("phase", phase);
        return ExperimentPlan.json(in);
    }

    @Override
    public List<String> outputs() {
        return List.of(METRICS, SUMMARY);
    }

    @Override
    public void run(Path dir, StageContext context) throws Exception {
        executor.run(config, phase.name(), context.runDir(), context.backend(), false, context.phases());
    }

    /** A phase continues from its latest periodic checkpoint, giving the bits of an uninterrupted run. */
    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public void resume(Path dir, StageContext context) throws Exception {
        if (PhaseSummary.exists(dir)) {
            context.phases().note(phase.name() + ": finished before, kept");
            return;
        }
        executor.run(config, phase.name(), context.runDir(), context.backend(), true, context.phases());
    }
}
