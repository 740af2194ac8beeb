package org.rlcasino.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.config.ExperimentSection;
import org.rlcasino.io.config.MaskQualitySection;
import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.QualitySection;
import org.rlcasino.io.config.RunConfig;

/**
 * The stages of a run-config, in order: the training phases; for external checkpoints the deltas;
 * then mask quality, the quality arms' masks, the arms (one phase each), the quality table, and
 * the speed measurement. Checks that every phase a section names exists.
 */
public final class ExperimentPlan {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY).build();
    /** Stage names no phase may take. */
    static final Set<String> RESERVED = Set.of(DeltasStage.NAME, MaskQualityStage.NAME, MasksStage.NAME, QualityStage.NAME,
            SpeedStage.NAME, "plots");

    private final RunConfig config;
    private final List<Stage> stages;

    private ExperimentPlan(RunConfig config, List<Stage> stages) {
        this.config = config;
        this.stages = List.copyOf(stages);
    }

    /** The run-config the trainer sees: the config's phases plus one generated phase per quality arm. */
    public RunConfig config() {
        return config;
    }

    public List<Stage> stages() {
        return stages;
    }

    public List<String> stageNames() {
        return stages.stream().map(Stage::name).toList();
    }

    /**
     * @param config    the run-config
     * @param configDir directory relative paths in the config are resolved against
     * @param runDir    the run directory
     * @param executor  runs training phases
     */
    public static ExperimentPlan of(RunConfig config, Path configDir, Path runDir, PhaseExecutor executor) {
        ExperimentSection exp = config.experiment();
        if (exp == null && config.phases().isEmpty()) {
            throw new IllegalArgumentException(config.name() + ": nothing to run: the run-config has neither phases nor an experiment section");
        }
        List<Stage> stages = new ArrayList<>();
        if (exp != null && exp.checkpoints() != null) {
            if (!config.phases().isEmpty()) {
                throw new IllegalArgumentException("experiment.checkpoints: a run on external checkpoints trains nothing; remove phases");
            }
            Path checkpoints = configDir.resolve(exp.checkpoints());
            stages.add(new DeltasStage(checkpoints, exp.maskQuality()));
            if (exp.maskQuality().seedBaseline() != null) {
                throw new IllegalArgumentException("experiment.maskQuality.seedBaseline: a run on external checkpoints trains "
                        + "nothing, so there is no second seed to train; remove seedBaseline");
            }
            stages.add(new MaskQualityStage(exp.maskQuality(), DeltasStage.NAME,
                    runDir.resolve(DeltasStage.NAME).resolve(DeltasStage.OUTPUT), checkpoints, null, null, null,
                    seedOf(exp.maskQuality(), config)));
            addSpeed(stages, config, exp, configDir);
            return new ExperimentPlan(config, stages);
        }

        List<PhaseSection> phases = new ArrayList<>(config.phases());
        Set<String> names = new HashSet<>();
        for (PhaseSection p : phases) {
            requirePhaseName(p.name(), names);
        }
        List<QualityArm> arms = exp != null && exp.quality() != null ? QualityArm.of(exp.quality()) : List.of();
        List<PhaseSection> armPhases = new ArrayList<>();
        PhaseSection seedBaseline = seedBaselinePhase(config, exp);
        if (seedBaseline != null) {
            requirePhaseName(seedBaseline.name(), names);
            phases.add(seedBaseline);
        }
        if (!arms.isEmpty()) {
            QualitySection q = exp.quality();
            PhaseSection from = config.phases().stream().filter(p -> p.name().equals(q.from())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("experiment.quality.from: '" + q.from() + "' is not a phase (phases: "
                            + config.phases().stream().map(PhaseSection::name).toList() + ")"));
            for (QualityArm arm : arms) {
                requirePhaseName(arm.name(), names);
                PhaseSection p = QualityArmPhases.phase(arm, q, from, runDir);
                armPhases.add(p);
                phases.add(p);
            }
        }
        RunConfig derived = new RunConfig(config.name(), config.description(), config.seed(), config.backend(), config.optimizer(),
                config.model(), config.task(), phases, exp);

        stages.addAll(phaseStages(derived, config.phases().size(), executor));
        List<String> order = config.phases().stream().map(PhaseSection::name).toList();
        java.util.Map<String, String> fromOf = new java.util.HashMap<>();
        for (int i = 0; i < config.phases().size(); i++) {
            String from = PhaseSection.startOf(config.phases(), i);
            if (from != null) {
                fromOf.put(config.phases().get(i).name(), from);
            }
        }
        if (exp == null) {
            return new ExperimentPlan(derived, stages);
        }
        boolean needsDeltas = exp.maskQuality() != null
                || !arms.stream().filter(a -> a.mask() != null).toList().isEmpty();
        if (needsDeltas) {
            if (exp.deltasPhase() == null) {
                throw new IllegalArgumentException("experiment.deltasPhase is required: the phase whose deltas.arrow feeds "
                        + "maskQuality and the quality arms' masks (phases: " + order + ")");
            }
            if (!order.contains(exp.deltasPhase())) {
                throw new IllegalArgumentException("experiment.deltasPhase: '" + exp.deltasPhase() + "' is not a phase (phases: " + order + ")");
            }
        }
        Path deltas = exp.deltasPhase() == null ? null : runDir.resolve(exp.deltasPhase()).resolve("deltas.arrow");
        if (exp.maskQuality() != null) {
            String start = fromOf.get(exp.deltasPhase());
            if (seedBaseline != null) {
                stages.add(new PhaseStage(derived, seedBaseline, seedBaseline.from(), List.of(), executor));
            }
            stages.add(new MaskQualityStage(exp.maskQuality(), exp.deltasPhase(), deltas, null,
                    start == null ? null : runDir.resolve(start).resolve("final"), runDir.resolve(exp.deltasPhase()).resolve("final"),
                    seedBaseline == null ? null : seedBaseline.name(), seedOf(exp.maskQuality(), config)));
        }
        if (exp.quality() != null) {
            QualitySection q = exp.quality();
            for (String field : List.of("from", "base")) {
                String phase = field.equals("from") ? q.from() : q.base();
                if (!order.contains(phase)) {
                    throw new IllegalArgumentException("experiment.quality." + field + ": '" + phase + "' is not a phase (phases: " + order + ")");
                }
            }
            boolean masks = arms.stream().anyMatch(a -> a.mask() != null);
            if (masks) {
                MaskQualitySection mq = exp.maskQuality();
                stages.add(new MasksStage(q, exp.deltasPhase(), deltas, mq == null ? 5 : mq.window(), mq == null ? 1e-8 : mq.eps(),
                        mq == null ? DeltaBasis.START : mq.bases().getFirst()));
            }
            for (int i = 0; i < arms.size(); i++) {
                stages.add(new PhaseStage(derived, armPhases.get(i), q.from(),
                        arms.get(i).mask() == null ? List.of() : List.of(MasksStage.NAME), executor));
            }
            stages.add(new QualityStage(q, QualityArm.ofPhases(config.phases(), q, config.seed())));
        }
        addSpeed(stages, derived, exp, configDir);
        return new ExperimentPlan(derived, stages);
    }

    /**
     * The rerun of the deltas phase with {@code maskQuality.seedBaseline} as its seed, named
     * {@code <deltasPhase>-seed<seed>}, starting where the deltas phase starts; null when not asked for.
     */
    private static PhaseSection seedBaselinePhase(RunConfig config, ExperimentSection exp) {
        if (exp == null || exp.maskQuality() == null || exp.maskQuality().seedBaseline() == null) {
            return null;
        }
        long seed = exp.maskQuality().seedBaseline();
        List<PhaseSection> phases = config.phases();
        for (int i = 0; i < phases.size(); i++) {
            PhaseSection p = phases.get(i);
            if (!p.name().equals(exp.deltasPhase())) {
                continue;
            }
            String start = PhaseSection.startOf(phases, i);
            if (start == null) {
                throw new IllegalArgumentException("experiment.maskQuality.seedBaseline: the deltas phase '" + p.name()
                        + "' is the first phase (it starts from the model section); a seed baseline reruns it from an earlier "
                        + "phase's final checkpoint, so put a phase before it or remove seedBaseline");
            }
            long own = p.seed() != null ? p.seed() : config.seed();
            if (seed == own) {
                throw new IllegalArgumentException("experiment.maskQuality.seedBaseline: " + seed + " is the deltas phase's own "
                        + "seed; give another seed");
            }
            return p.rerun(p.name() + "-seed" + seed, seed, start);
        }
        return null; // the missing deltas phase is reported below
    }

    private static void addSpeed(List<Stage> stages, RunConfig config, ExperimentSection exp, Path configDir) {
        if (exp.speed() != null) {
            Path csv = exp.speed().csv() == null ? null : configDir.resolve(exp.speed().csv());
            stages.add(new SpeedStage(config, exp.speed(), csv));
        }
    }

    private static long seedOf(MaskQualitySection mq, RunConfig config) {
        return mq.randomSeed() != null ? mq.randomSeed() : config.seed();
    }

    /**
     * The training phases of {@code config} alone, in order, as stages ({@code casino train}): each
     * depends on the phase it starts from.
     */
    public static List<Stage> trainingStages(RunConfig config, PhaseExecutor executor) {
        if (config.phases().isEmpty()) {
            throw new IllegalArgumentException("run-config " + config.name() + " has no phases to train");
        }
        Set<String> names = new HashSet<>();
        for (PhaseSection p : config.phases()) {
            requirePhaseName(p.name(), names);
        }
        return phaseStages(config, config.phases().size(), executor);
    }

    /** The first {@code count} phases of {@code config} as stages, each depending on the phase it starts from. */
    private static List<Stage> phaseStages(RunConfig config, int count, PhaseExecutor executor) {
        List<Stage> stages = new ArrayList<>();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PhaseSection p = config.phases().get(i);
            String from = PhaseSection.startOf(config.phases(), i);
            if (from != null && !order.contains(from)) {
                throw new IllegalArgumentException("phases[" + i + "].from: '" + from + "' is not an earlier phase (phases: " + order + ")");
            }
            stages.add(new PhaseStage(config, p, from, List.of(), executor));
            order.add(p.name());
        }
        return stages;
    }

    private static void requirePhaseName(String name, Set<String> names) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("phases: a phase name must be 1-128 letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException("phases: '" + name + "' is the name of an experiment stage; rename the phase");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("phases: two phases named '" + name + "'");
        }
    }

    /** Canonical JSON (sorted keys) of a config section, for fingerprints. */
    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
