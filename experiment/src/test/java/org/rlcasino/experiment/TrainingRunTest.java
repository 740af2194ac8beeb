package org.rlcasino.experiment;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.experiment.report.CsvTable;
import org.rlcasino.experiment.report.QualityReport;
import org.rlcasino.experiment.report.SpeedReport;
import org.rlcasino.io.Progress;
import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.deltas.CheckpointSeries;
import org.rlcasino.io.deltas.DeltaExtractor;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.train.PhaseSummary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The training path with a stand-in trainer (the real one is the train module's PhaseTrainer): the
 * phases as stages, mask quality from the deltas phase, the quality arms' masks and phases, the
 * quality table and curves, and the speed stage from a CSV and from the optimizer benchmark.
 */
class TrainingRunTest {
    @TempDir
    Path dir;

    private Path deltas;
    private final List<String> trained = new CopyOnWriteArrayList<>();

    @BeforeEach
    void deltas() throws Exception {
        Path ckpts = RlLikeCheckpoints.write(dir.resolve("ckpts"), 10, 11);
        deltas = dir.resolve("fixture-deltas.arrow");
        DeltaExtractor.extract(CheckpointSeries.scan(ckpts), deltas, DeltaExtractor.Options.defaults(), Progress.NONE);
    }

    /** Writes what PhaseTrainer writes: metrics.csv, summary.json, and deltas.arrow for the GRPO warm start. */
    private final PhaseExecutor fakeTrainer = (config, phase, runDir, backend, resume, listener) -> {
        PhaseSection p = config.phases().stream().filter(x -> x.name().equals(phase)).findFirst().orElseThrow();
        Path out = runDir.resolve(phase);
        Files.createDirectories(out);
        trained.add(phase);
        double accuracy = phase.startsWith("q-dense") ? 0.60 : phase.startsWith("q-bsr") ? 0.62 : phase.startsWith("q-random") ? 0.40
                : 0.30;
        long seed = phase.contains("-s") ? Long.parseLong(phase.substring(phase.lastIndexOf("-s") + 2)) : config.seed();
        accuracy += seed * 0.01;
        StringBuilder metrics = new StringBuilder("step,phase,loss,reward,accuracy,kl,tokens_per_s,sample_ms,fwdbwd_ms,optimizer_ms\n");
        for (int s = 1; s <= p.steps(); s++) {
            metrics.append(s).append(',').append(phase).append(",1.0,").append(accuracy * s / p.steps()).append(',')
                    .append(accuracy * s / p.steps()).append(",0,100,1,2,3\n");
        }
        Files.writeString(out.resolve("metrics.csv"), metrics);
        if (phase.equals("grpo")) {
            Files.copy(deltas, out.resolve("deltas.arrow"));
        }
        if (phase.equals("sft") || phase.equals("grpo")) { // the warm start's start and final weights
            Files.createDirectories(out.resolve("final"));
            Files.copy(dir.resolve("ckpts/checkpoint-" + (phase.equals("sft") ? 0 : 90) + "/model.safetensors"),
                    out.resolve("final/model.safetensors"));
        }
        PhaseSummary summary = PhaseSummary.builder(phase, p.kind(), p.optimizer()).seed(seed).steps(p.steps())
                .heldOut(64, 0.3, accuracy, accuracy).stepMillis(5, 1, 2, 3).parameters(1000, 1000).build();
        summary.write(out);
        return summary;
    };

    private Path config(String experiment) throws Exception {
        Path file = dir.resolve("train.json");
        Files.writeString(file, """
                {"name": "train", "seed": 1, "backend": {"threads": 2}, "model": {}, "task": {"kind": "addition"},
                 "phases": [{"name": "sft", "kind": "sft", "steps": 4}, {"name": "grpo", "kind": "grpo", "steps": 9, "logDeltas": {}}],
                 "experiment": %s}
                """.formatted(experiment));
        return file;
    }

    private ExperimentRunner.Result run(Path config, Set<String> force) throws Exception {
        return new ExperimentRunner(Progress.NONE, new PrintWriter(new StringWriter()), fakeTrainer)
                .run(config, dir.resolve("run"), force, "test");
    }

    @Test
    void allThreeSectionsFromTrainingPhases() throws Exception {
        Path speed = dir.resolve("speed-in.csv");
        Files.writeString(speed, String.join(",", SpeedReport.COLUMNS) + "\n"
                + "90,dense,100,98,103,10,9.5,10.5,60,30,test\n90,bsr,88,87,90,1.5,1.4,1.6,57,30,test\n"
                + "99,dense,101,99,104,10,9.5,10.5,60,30,test\n99,bsr,86,85,88,0.5,0.4,0.6,56,30,test\n");
        Path config = config("""
                {"deltasPhase": "grpo",
                 "maskQuality": {"firstSteps": 3, "sparsities": [90, 95]},
                 "quality": {"from": "grpo", "base": "sft", "steps": 5, "sparsities": [90, 95],
                             "maskMethods": ["magnitude", "fisher"], "maskFirstSteps": 3, "seeds": [0, 1]},
                 "speed": {"csv": "speed-in.csv"}}
                """);
        ExperimentRunner.Result r = run(config, Set.of());
        List<String> stages = r.outcomes().stream().map(StageRunner.Outcome::stage).toList();
        assertThat(stages).startsWith("sft", "grpo", "mask-quality", "masks").endsWith("quality", "speed");
        // per seed: dense + 2 sparsities × (2 methods + random)
        assertThat(stages.stream().filter(s -> s.startsWith("q-")).count()).isEqualTo(2 * (1 + 2 * 3));
        CsvTable maskQuality = CsvTable.read(dir.resolve("run/mask-quality/mask-quality.csv"), List.of("truth", "jaccard"));
        assertThat(maskQuality.text(maskQuality.rows().getFirst(), "truth")).isEqualTo("checkpoints");
        assertThat(maskQuality.number(maskQuality.rows().getFirst(), "jaccard")).isGreaterThan(0.5);
        Path masks = dir.resolve("run/masks");
        assertThat(masks.resolve("magnitude-90.arrow")).exists();
        assertThat(masks.resolve("random-95-s1.arrow")).doesNotExist(); // the trainer draws random masks from the seed
        try (var allocator = new org.apache.arrow.memory.RootAllocator();
             MaskFileReader m = MaskFileReader.open(masks.resolve("fisher-95.arrow"), allocator)) {
            assertThat(m.summary().totalKept()).isEqualTo((long) Math.floor(0.05 * (48 * 64 + 256)));
        }
        PhaseSection bsrArm = r.outcomes().isEmpty() ? null : org.rlcasino.io.config.RunConfigLoader.load(config).phases().isEmpty() ? null
                : ExperimentPlan.of(org.rlcasino.io.config.RunConfigLoader.load(config), dir, dir.resolve("run"), fakeTrainer).config()
                .phases().stream().filter(x -> x.name().equals("q-bsr-fisher-95-s1")).findFirst().orElseThrow();
        assertThat(bsrArm.optimizer()).isEqualTo("bsr-adamw");
        assertThat(bsrArm.seed()).isEqualTo(1L);
        assertThat(bsrArm.from()).isEqualTo("grpo");
        assertThat(bsrArm.mask().file()).isEqualTo(dir.resolve("run/masks/fisher-95.arrow").toString());
        CsvTable quality = CsvTable.read(dir.resolve("run/quality/quality.csv"), QualityReport.COLUMNS);
        assertThat(quality.rows()).hasSize(1 + 14);
        QualityReport q = QualityReport.read(dir.resolve("run/quality"));
        assertThat(q.groups()).containsExactly("base", "dense", "bsr magnitude 90", "bsr fisher 90", "random 90",
                "bsr magnitude 95", "bsr fisher 95", "random 95");
        String md = Files.readString(r.report().markdown());
        assertThat(md).contains("## Mask quality", "## Speed (the paper's Figure 1)", "## Quality (the paper's Figure 2)",
                "| dense | adamw | 2 | 0.605 ± 0.007 |", "ours **agrees**", "90 %: 12.0 %", "plots/training-curves.png",
                "plots/speed-split.png");
        for (String plot : List.of("mask-quality", "speed", "speed-split", "quality", "training-curves")) {
            assertThat(dir.resolve("run/plots/" + plot + ".png")).isNotEmptyFile();
            assertThat(dir.resolve("run/plots/" + plot + ".svg")).isNotEmptyFile();
        }

        trained.clear();
        ExperimentRunner.Result again = run(config, Set.of());
        assertThat(again.outcomes()).allMatch(StageRunner.Outcome::skipped);
        assertThat(trained).isEmpty();

        // Redoing the warm start invalidates everything that read it, but not the SFT phase or the speed CSV.
        ExperimentRunner.Result forced = run(config, Set.of("grpo"));
        List<String> ran = forced.outcomes().stream().filter(o -> !o.skipped()).map(StageRunner.Outcome::stage).toList();
        assertThat(ran).contains("grpo", "mask-quality", "masks", "q-dense-s0", "quality").doesNotContain("sft", "speed");
    }

    @Test
    void speedWithoutACsvTimesWholeTrainingStepsOfTheRunsModel() throws Exception {
        Path config = config("""
                {"speed": {"sparsities": [90, 99], "warmup": 1, "repeats": 2, "params": 65536}}
                """);
        ExperimentRunner.Result r = run(config, Set.of());
        SpeedReport speed = SpeedReport.read(dir.resolve("run/speed/speed.csv"));
        assertThat(speed.sparsities()).containsExactly(90.0, 99.0);
        assertThat(speed.optimizerRatio(99)).isPositive();
        assertThat(speed.stepRatio(99)).isPositive();
        assertThat(Files.readString(r.report().markdown())).contains("whole training step of the policy").contains("TrainStepBenchmark")
                .doesNotContain("**not checked**");
    }

    @Test
    void sectionsNamingMissingPhasesAreBadInput() throws Exception {
        assertThatThrownBy(() -> run(config("""
                {"maskQuality": {}}
                """), Set.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("experiment.deltasPhase is required");
        assertThatThrownBy(() -> run(config("""
                {"deltasPhase": "ppo", "maskQuality": {}}
                """), Set.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("experiment.deltasPhase: 'ppo'");
        assertThatThrownBy(() -> run(config("""
                {"deltasPhase": "grpo", "quality": {"from": "warm", "steps": 2}}
                """), Set.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("experiment.quality.from: 'warm'");
    }

    @Test
    void aFailingPhaseNamesItselfAndKeepsTheFinishedOnes() throws Exception {
        Path config = config("""
                {"speed": {"csv": "nope.csv"}}
                """);
        PhaseExecutor failing = (c, phase, runDir, backend, resume, listener) -> {
            if (phase.equals("grpo")) {
                throw new IllegalStateException("diverged");
            }
            return fakeTrainer.run(c, phase, runDir, backend, resume, listener);
        };
        assertThatThrownBy(() -> new ExperimentRunner(Progress.NONE, new PrintWriter(new StringWriter()), failing)
                .run(config, dir.resolve("run"), Set.of(), "test"))
                .isInstanceOfSatisfying(StageFailedException.class, e -> {
                    assertThat(e.stage()).isEqualTo("grpo");
                    assertThat(e.badInput()).isFalse();
                }).hasMessageContaining("diverged");
        assertThat(dir.resolve("run/sft/manifest.json")).exists();
        assertThat(new ArrayList<>(trained)).containsExactly("sft");
        assertThat(dir.resolve("run/run.lock")).as("the lock is released when a stage fails").doesNotExist();
        assertThat(dir.resolve("run/run-manifest.json")).isRegularFile();
    }
}
