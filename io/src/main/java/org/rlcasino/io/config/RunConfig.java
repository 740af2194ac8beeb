package org.rlcasino.io.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A run-config: one experiment, as a JSON file under {@code run-configs/}. Loaded by
 * {@link RunConfigLoader}, which rejects unknown keys; every section validates itself and missing
 * optional fields take the defaults documented here and in docs/formats.md. Later stages add their
 * own sections.
 *
 * @param name        run name, used for {@code runs/<name>/}: letters, digits, {@code . _ -}
 * @param description free text (optional)
 * @param seed        master seed (default 0)
 * @param backend     where kernels run (default: JVM on all processors)
 * @param optimizer   AdamW hyperparameters (default: PyTorch's); phases may override them
 * @param model       the GPT-2 model to train (absent: the config trains nothing)
 * @param task        the verifiable task the phases train and evaluate on
 * @param phases      training phases in order ({@code casino train}); empty when absent
 * @param experiment  what {@code casino run} measures and reports beyond training (absent: training only)
 */
public record RunConfig(String name, String description, Long seed, BackendSection backend,
                        OptimizerSection optimizer, ModelSection model, TaskSection task,
                        List<PhaseSection> phases, ExperimentSection experiment) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public RunConfig {
        if (name == null) {
            throw new IllegalArgumentException("name is required (letters, digits, '.', '_' or '-')");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1-128 letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        description = description == null ? "" : description;
        seed = seed == null ? 0L : seed;
        backend = backend == null ? BackendSection.DEFAULTS : backend;
        optimizer = optimizer == null ? OptimizerSection.DEFAULTS : optimizer;
        phases = phases == null ? List.of() : List.copyOf(phases);
        checkPhases(phases, model, task);
        checkDeltasPhase(phases, experiment);
    }

    /**
     * {@code experiment.deltasPhase} names a phase that logs deltas: caught here, when the config is
     * loaded, rather than by the mask-quality stage after training.
     */
    private static void checkDeltasPhase(List<PhaseSection> phases, ExperimentSection experiment) {
        if (experiment == null || experiment.deltasPhase() == null) {
            return;
        }
        String name = experiment.deltasPhase();
        for (int i = 0; i < phases.size(); i++) {
            PhaseSection p = phases.get(i);
            if (p.name().equals(name)) {
                if (p.logDeltas() == null) {
                    throw new IllegalArgumentException("experiment.deltasPhase: phase '" + name + "' (phases[" + i
                            + "]) logs no deltas; give it a logDeltas section (e.g. \"logDeltas\": {}) or name a phase that has one");
                }
                return;
            }
        }
        throw new IllegalArgumentException("experiment.deltasPhase: '" + name + "' is not a phase (phases: "
                + phases.stream().map(PhaseSection::name).toList() + ")");
    }

    /** Cross-phase rules: unique names, {@code from} and {@code mask.fromPhase} name earlier phases. */
    private static void checkPhases(List<PhaseSection> phases, ModelSection model, TaskSection task) {
        if (phases.isEmpty()) {
            return;
        }
        if (task == null) {
            throw new IllegalArgumentException("task is required when phases are given");
        }
        if (model == null) {
            throw new IllegalArgumentException("model is required when phases are given (e.g. \"model\": {\"layers\": 2})");
        }
        java.util.Map<String, PhaseSection> earlier = new java.util.HashMap<>();
        for (int i = 0; i < phases.size(); i++) {
            PhaseSection p = phases.get(i);
            if (p == null) {
                throw new IllegalArgumentException("phases[" + i + "] must be an object, got null");
            }
            String at = "phases[" + i + "] ('" + p.name() + "')";
            if (earlier.containsKey(p.name())) {
                throw new IllegalArgumentException(at + ": phase name '" + p.name() + "' is used twice");
            }
            if (p.precomputeReference() && !task.kind().equals(TaskSection.PREFERENCES)) {
                throw new IllegalArgumentException(at + ": precomputeReference needs a fixed set of pairs, a task of kind '"
                        + TaskSection.PREFERENCES + "'; with task kind '" + task.kind() + "' DPO samples new pairs every step");
            }
            if (p.from() != null && !earlier.containsKey(p.from())) {
                throw new IllegalArgumentException(at + ": from '" + p.from() + "' is not an earlier phase (earlier: "
                        + String.join(", ", new java.util.TreeSet<>(earlier.keySet())) + ")");
            }
            MaskSection mask = p.mask();
            if (mask != null && mask.fromPhase() != null) {
                PhaseSection source = earlier.get(mask.fromPhase());
                if (source == null) {
                    throw new IllegalArgumentException(at + ": mask.fromPhase '" + mask.fromPhase() + "' is not an earlier phase");
                }
                if (source.logDeltas() == null) {
                    throw new IllegalArgumentException(at + ": mask.fromPhase '" + mask.fromPhase()
                            + "' logs no deltas; give that phase a logDeltas section");
                }
            }
            earlier.put(p.name(), p);
        }
    }
}
