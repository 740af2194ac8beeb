package org.rlcasino.tornado;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.experiment.ExperimentPlan;
import org.rlcasino.experiment.PhaseExecutor;
import org.rlcasino.experiment.StageContext;
import org.rlcasino.experiment.StageRunner;
import org.rlcasino.io.Progress;
import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.PhaseSummary;
import org.rlcasino.train.checkpoint.ModelCheckpoint;
import org.rlcasino.train.checkpoint.ModelDirectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A whole tiny run — SFT with checkpoints and evaluations, then GRPO with a KL reference and delta
 * logging, a BSR-AdamW continuation on a mask, and DPO with a random mask — through TornadoVM's
 * device-resident programs and on the JVM: every phase's final weights agree within a float32
 * tolerance and the held-out accuracies within 0.01.
 */
@Tag("tornado")
class TrainingRunTornadoTest {
    static final String CONFIG = """
            {"name": "tiny", "seed": 3,
             "model": {"layers": 1, "heads": 2, "channels": 16, "maxSeqLen": 8},
             "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 20},
             "optimizer": {"lr": 1e-3, "weightDecay": 0.01},
             "phases": [
               {"name": "sft", "kind": "sft", "steps": 6, "batchSize": 8, "checkpointEvery": 2, "evalEvery": 3},
               {"name": "warm", "kind": "grpo", "steps": 4, "batchSize": 2, "groupSize": 4, "klCoef": 0.1, "updatesPerBatch": 2,
                "logDeltas": {"firstStep": 1, "lastStep": 2}},
               {"name": "bsr", "kind": "grpo", "from": "warm", "steps": 3, "batchSize": 2, "groupSize": 4, "optimizer": "bsr-adamw",
                "mask": {"fromPhase": "warm", "sparsity": 90}},
               {"name": "dpo", "kind": "dpo", "from": "warm", "steps": 3, "batchSize": 4, "groupSize": 4, "temperature": 2.0,
                "optimizer": "random-mask", "mask": {"sparsity": 90}}
             ]}
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void present() {
        assumeTrue(System.getenv("TORNADOVM_HOME") != null, "TORNADOVM_HOME is not set: TornadoVM parity tests skipped");
    }

    /** Every phase of {@code config} through the stage runner casino train uses; the phases' summaries. */
    static List<PhaseSummary> train(RunConfig config, Path runDir, Backend backend) throws Exception {
        StageContext context = new StageContext(runDir, backend, Progress.NONE, new PrintWriter(new StringWriter()));
        new StageRunner(context).run(ExperimentPlan.trainingStages(config, PhaseExecutor.TRAINER), Set.of());
        List<PhaseSummary> out = new ArrayList<>();
        for (PhaseSection p : config.phases()) {
            out.add(PhaseSummary.read(runDir.resolve(p.name())));
        }
        return out;
    }

    @Test
    void aWholeRunMatchesTheJvm() throws Exception {
        RunConfig config = RunConfigLoader.parse("tiny.json", CONFIG.getBytes(StandardCharsets.UTF_8));
        List<PhaseSummary> onJvm;
        try (JvmBackend jvm = new JvmBackend(2, 256)) {
            onJvm = train(config, dir.resolve("jvm"), jvm);
        }
        List<PhaseSummary> onDevice;
        try (TornadoBackend tornado = new TornadoBackend(-1, 0)) {
            long t0 = System.nanoTime();
            onDevice = train(config, dir.resolve("tornado"), tornado);
            System.out.printf("whole run on %s: %.1f s, %s, %d plans built%n", tornado.name(), (System.nanoTime() - t0) / 1e9,
                    tornado.transfers(), tornado.residentPlansBuilt());
            // one plan per phase: every program of a phase prepared before its first run (DPO pads its pairs,
            // generators their rows, delta logging prepares its programs up front), no recompilation mid-phase
            assertThat(tornado.residentPlansBuilt()).as("plans built").isLessThanOrEqualTo(onJvm.size());
        }
        for (int i = 0; i < onJvm.size(); i++) {
            String phase = onJvm.get(i).phase();
            float[] a = ModelCheckpoint.load(dir.resolve("jvm").resolve(phase).resolve("final")).params();
            float[] d = ModelCheckpoint.load(dir.resolve("tornado").resolve(phase).resolve("final")).params();
            // Where a gradient is ~0, Adam's step m/√v still has size ~lr and a float32 difference can flip its sign:
            // weights may drift apart by up to 2·lr per step at such entries; all others agree to 2e-4.
            int steps = onJvm.get(i).steps();
            double max = 0;
            int far = 0;
            for (int j = 0; j < a.length; j++) {
                double diff = Math.abs(d[j] - a[j]);
                max = Math.max(max, diff);
                far += diff > 2e-4 + 1e-3 * Math.abs(a[j]) ? 1 : 0;
            }
            System.out.printf("%s: max |device − jvm| weight %.3g, %d of %d beyond 2e-4, accuracy %.3f vs %.3f%n", phase, max,
                    far, a.length, onDevice.get(i).heldOutAccuracy(), onJvm.get(i).heldOutAccuracy());
            if (i > 0) { // the device trained: its weights moved from where the phase started (warm for the continuations)
                float[] from = ModelCheckpoint.load(dir.resolve("tornado").resolve(i == 1 ? "sft" : "warm").resolve("final")).params();
                double moved = 0;
                double movedJvm = 0;
                float[] fromJvm = ModelCheckpoint.load(dir.resolve("jvm").resolve(i == 1 ? "sft" : "warm").resolve("final")).params();
                for (int j = 0; j < d.length; j++) {
                    moved = Math.max(moved, Math.abs(d[j] - from[j]));
                    movedJvm = Math.max(movedJvm, Math.abs(a[j] - fromJvm[j]));
                }
                System.out.printf("%s: weights moved by up to %.3g on the device, %.3g on the JVM%n", phase, moved, movedJvm);
                assertThat(moved).as(phase + " trained on the device").isGreaterThanOrEqualTo(movedJvm / 2);
            }
            assertThat(max).as(phase + ": max weight difference").isLessThanOrEqualTo(2 * 1e-3 * steps);
            assertThat(far).as(phase + ": weights beyond 2e-4").isLessThanOrEqualTo(a.length / 10);
            assertThat(onDevice.get(i).heldOutAccuracy()).as(phase + " accuracy").isCloseTo(onJvm.get(i).heldOutAccuracy(),
                    org.assertj.core.data.Offset.offset(0.01));
        }
    }

    /**
     * The same for a model family: a tiny Gemma 3 (sliding and full layers, q/k norms, GeGLU) from
     * {@code model.init}: SFT, GRPO with a KL reference and delta logging, BSR-AdamW on a 4×4 block mask
     * (block-sparse weight gradients on the device), each phase's weights within a float32 tolerance
     * of the JVM's.
     */
    @Test
    void aModelFamilyRunMatchesTheJvm() throws Exception {
        Path init = Path.of("../train/src/test/resources/families/gemma3-model").toAbsolutePath();
        String json = """
                {"name": "gemma3-tiny", "seed": 3,
                 "model": {"init": "%s"},
                 "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 12},
                 "optimizer": {"lr": 1e-3, "weightDecay": 0.01},
                 "phases": [
                   {"name": "sft", "kind": "sft", "steps": 3, "batchSize": 4},
                   {"name": "warm", "kind": "grpo", "steps": 2, "batchSize": 2, "groupSize": 3, "klCoef": 0.1, "logDeltas": {}},
                   {"name": "bsr", "kind": "grpo", "from": "warm", "steps": 2, "batchSize": 2, "groupSize": 3,
                    "optimizer": "bsr-adamw", "mask": {"fromPhase": "warm", "sparsity": 90, "builder": "block", "block": "4x4"}}
                 ]}
                """.formatted(init);
        RunConfig config = RunConfigLoader.parse("gemma3.json", json.getBytes(StandardCharsets.UTF_8));
        List<PhaseSummary> onJvm;
        try (JvmBackend jvm = new JvmBackend(2, 256)) {
            onJvm = train(config, dir.resolve("jvm"), jvm);
        }
        try (TornadoBackend tornado = new TornadoBackend(-1, 0)) {
            train(config, dir.resolve("tornado"), tornado);
            assertThat(tornado.residentPlansBuilt()).as("plans built").isLessThanOrEqualTo(onJvm.size());
        }
        for (PhaseSummary summary : onJvm) {
            String phase = summary.phase();
            float[] a = ModelDirectory.load(dir.resolve("jvm").resolve(phase).resolve("final")).params();
            float[] d = ModelDirectory.load(dir.resolve("tornado").resolve(phase).resolve("final")).params();
            double max = 0;
            for (int j = 0; j < a.length; j++) {
                max = Math.max(max, Math.abs(d[j] - a[j]));
            }
            System.out.printf("gemma3 %s: max |device − jvm| weight %.3g%n", phase, max);
            assertThat(max).as(phase + ": max weight difference").isLessThanOrEqualTo(2 * 1e-3 * summary.steps());
        }
    }
}
