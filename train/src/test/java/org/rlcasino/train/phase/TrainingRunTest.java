package org.rlcasino.train.phase;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.arrow.DeltaStep;
import org.rlcasino.io.arrow.DeltaStreamReader;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.FixedShapeBackend;
import org.rlcasino.train.PhaseSummary;
import org.rlcasino.train.checkpoint.ModelCheckpoint;
import org.rlcasino.train.checkpoint.TrainingCheckpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/** A whole tiny run (SFT → GRPO with delta logging → BSR / random-mask / DPO continuations) and bit-exact resumption. */
class TrainingRunTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            {"name": "tiny", "seed": 3,
             "model": {"layers": 1, "heads": 2, "channels": 16, "maxSeqLen": 8},
             "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 20},
             "optimizer": {"lr": 1e-2, "weightDecay": 0.01},
             "phases": [
               {"name": "sft", "kind": "sft", "steps": 6, "batchSize": 8, "checkpointEvery": 2, "evalEvery": 3},
               {"name": "warm", "kind": "grpo", "steps": 4, "batchSize": 2, "groupSize": 4, "klCoef": 0.1, "updatesPerBatch": 2,
                "logDeltas": {"firstStep": 1, "lastStep": 2}, "checkpointEvery": 1},
               {"name": "bsr", "kind": "grpo", "from": "warm", "steps": 3, "batchSize": 2, "groupSize": 4, "optimizer": "bsr-adamw",
                "mask": {"fromPhase": "warm", "sparsity": 90}, "checkpointEvery": 1},
               {"name": "rnd", "kind": "dpo", "from": "warm", "steps": 3, "batchSize": 4, "groupSize": 4, "temperature": 2.0,
                "optimizer": "random-mask", "mask": {"sparsity": 90}, "checkpointEvery": 1}
             ]}
            """;

    static RunConfig config() {
        return RunConfigLoader.parse("tiny.json", CONFIG.getBytes(StandardCharsets.UTF_8));
    }

    /** Throws once, at {@code phase} step {@code step}, like a killed process. */
    private record Interrupt(String phase, int step) implements PhaseListener {
        @Override
        public void step(StepMetrics m, int steps) {
            if (m.phase().equals(phase) && m.step() == step) {
                throw new IllegalStateException("interrupted at " + phase + " step " + step);
            }
        }
    }

    /**
     * On a backend that keeps one batch shape (TornadoVM), DPO pads its pairs and generators their
     * rows, every program of a phase is prepared before the phase's first run (no plan rebuild mid-
     * phase), and the run trains exactly as on the JVM: padded rows add zeros.
     */
    @Test
    void aBackendThatKeepsOneShapeTrainsTheSameWithEveryProgramPreparedBeforeThePhaseRuns() throws Exception {
        List<PhaseSummary> plain;
        try (JvmBackend jvm = new JvmBackend(2, 64)) {
            plain = Phases.runAll(config(), dir.resolve("jvm"), jvm, false, PhaseListener.NONE);
        }
        try (FixedShapeBackend fixed = new FixedShapeBackend(2)) {
            List<PhaseSummary> padded = Phases.runAll(config(), dir.resolve("fixed"), fixed, false, PhaseListener.NONE);
            assertThat(fixed.preparedLate()).as("programs prepared after a live program ran").isZero();
            for (int i = 0; i < plain.size(); i++) {
                String phase = plain.get(i).phase();
                float[] a = ModelCheckpoint.load(dir.resolve("jvm").resolve(phase).resolve("final")).params();
                float[] b = ModelCheckpoint.load(dir.resolve("fixed").resolve(phase).resolve("final")).params();
                assertClose(phase + " final weights", b, a, 1e-6, 1e-5);
                assertThat(padded.get(i).heldOutAccuracy()).as(phase).isEqualTo(plain.get(i).heldOutAccuracy());
            }
        }
    }

    @Test
    void aBlockMaskPhaseComputesWeightGradientsOnlyInItsBlocksAndElementMasksCoverAlmostAll() throws Exception {
        String config = CONFIG.substring(0, CONFIG.indexOf("\"phases\"")) + """
                "phases": [
                  {"name": "sft", "kind": "sft", "steps": 2, "batchSize": 8},
                  {"name": "warm", "kind": "grpo", "steps": 2, "batchSize": 2, "groupSize": 4, "logDeltas": {}},
                  {"name": "blocks", "kind": "grpo", "from": "warm", "steps": 2, "batchSize": 2, "groupSize": 4,
                   "optimizer": "bsr-adamw", "mask": {"fromPhase": "warm", "sparsity": 90, "builder": "block", "block": "4x4"}},
                  {"name": "element", "kind": "grpo", "from": "warm", "steps": 2, "batchSize": 2, "groupSize": 4,
                   "optimizer": "bsr-adamw", "mask": {"fromPhase": "warm", "sparsity": 90}}
                ]}
                """;
        Path run = dir.resolve("blocks");
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            List<PhaseSummary> s = Phases.runAll(RunConfigLoader.parse("blocks.json", config.getBytes(StandardCharsets.UTF_8)),
                    run, backend, false, PhaseListener.NONE);
            PhaseSummary blocks = s.get(2);
            PhaseSummary element = s.get(3);
            // a 4x4 block mask at 90 %: about a tenth of the 4x4 blocks (the block builder keeps whole blocks)
            assertThat(blocks.gradientBlockFill()).isBetween(0.02, 0.2);
            // an element mask at 90 % touches most 4x4 blocks
            assertThat(element.gradientBlockFill()).isGreaterThan(blocks.gradientBlockFill());
            assertThat(s.get(1).gradientBlockFill()).isEqualTo(1.0);
        }
    }

    @Test
    void aWholeRunWritesEveryPhaseAndItsFiles() throws Exception {
        Path run = dir.resolve("run");
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            List<PhaseSummary> s = Phases.runAll(config(), run, backend, false, PhaseListener.NONE);
            assertThat(s).extracting(PhaseSummary::phase).containsExactly("sft", "warm", "bsr", "rnd");
            assertThat(s.get(2).sparsity()).isCloseTo(0.9, org.assertj.core.api.Assertions.within(1e-4));
            assertThat(s.get(2).activeParameters()).isLessThan(s.get(1).activeParameters());
            assertThat(s.get(1).deltaSteps()).isEqualTo(2);
            assertThat(s.get(1).deltaLogMillis()).isGreaterThan(0);
        }
        assertThat(Phases.finished(config(), run)).isTrue();
        for (String p : List.of("sft", "warm", "bsr", "rnd")) {
            assertThat(run.resolve(p).resolve("final/model.safetensors")).isRegularFile();
            assertThat(run.resolve(p).resolve("final/tokenizer.json")).isRegularFile();
            List<String> metrics = Files.readAllLines(run.resolve(p).resolve("metrics.csv"));
            assertThat(metrics.getFirst()).isEqualTo(StepMetrics.HEADER);
            assertThat(metrics).hasSize(1 + config().phases().stream().filter(x -> x.name().equals(p)).findFirst().orElseThrow().steps());
            assertThat(PhaseSummary.read(run.resolve(p)).phase()).isEqualTo(p);
        }
        assertThat(run.resolve("bsr/mask.arrow")).isRegularFile();
        assertThat(run.resolve("rnd/mask.arrow")).isRegularFile();
        try (RootAllocator a = new RootAllocator(); DeltaStreamReader r = DeltaStreamReader.open(run.resolve("warm/deltas.arrow"), a)) {
            assertThat(r.steps()).extracting(DeltaStep::step).containsExactly(1, 2);
        }
        // no checkpoint inside the delta-logging range (steps 1..2): step 1 is skipped
        assertThat(run.resolve("warm/checkpoints/step-1")).doesNotExist();
        assertThat(run.resolve("warm/checkpoints/step-2")).isDirectory();
    }

    @Test
    void resumingAfterInterruptionsGivesTheUninterruptedWeightsBitForBit() throws Exception {
        Path straight = dir.resolve("straight");
        Path broken = dir.resolve("broken");
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            Phases.runAll(config(), straight, backend, false, PhaseListener.NONE);
            List<Interrupt> interrupts = List.of(new Interrupt("sft", 5), new Interrupt("warm", 4), new Interrupt("bsr", 3),
                    new Interrupt("rnd", 2));
            boolean first = true;
            for (Interrupt i : interrupts) {
                boolean resume = !first;
                assertThatThrownBy(() -> Phases.runAll(config(), broken, backend, resume, i)).hasMessageContaining("interrupted");
                first = false;
            }
            Phases.runAll(config(), broken, backend, true, PhaseListener.NONE);
        }
        for (String p : List.of("sft", "warm", "bsr", "rnd")) {
            float[] a = ModelCheckpoint.load(straight.resolve(p).resolve("final")).params();
            float[] b = ModelCheckpoint.load(broken.resolve(p).resolve("final")).params();
            assertThat(b).as("final weights of phase %s", p).isEqualTo(a);
            List<String> la = lossColumn(straight.resolve(p).resolve("metrics.csv"));
            List<String> lb = lossColumn(broken.resolve(p).resolve("metrics.csv"));
            assertThat(lb).as("losses of phase %s", p).isEqualTo(la);
        }
        assertThat(TrainingCheckpoint.latest(broken.resolve("sft"))).isPresent();
    }

    @Test
    void aMaskFileFromCasinoMaskDrivesBsrAdamW() throws Exception {
        Path first = dir.resolve("first");
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            Phases.runAll(config(), first, backend, false, PhaseListener.NONE);
            Path maskFile = first.resolve("bsr/mask.arrow");
            String json = """
                    {"name": "from-file", "seed": 3,
                     "model": {"layers": 1, "heads": 2, "channels": 16, "maxSeqLen": 8},
                     "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 20},
                     "phases": [
                       {"name": "sft", "kind": "sft", "steps": 2, "batchSize": 8},
                       {"name": "sparse", "kind": "sft", "steps": 2, "batchSize": 8, "optimizer": "bsr-adamw",
                        "mask": {"file": "%s"}}]}
                    """.formatted(maskFile.toString().replace("\\", "/"));
            RunConfig c = RunConfigLoader.parse("file.json", json.getBytes(StandardCharsets.UTF_8));
            Path run = dir.resolve("second");
            List<PhaseSummary> s = Phases.runAll(c, run, backend, false, PhaseListener.NONE);
            assertThat(s.get(1).activeParameters()).isEqualTo(PhaseSummary.read(first.resolve("bsr")).activeParameters());
            float[] before = ModelCheckpoint.load(run.resolve("sft/final")).params();
            float[] after = ModelCheckpoint.load(run.resolve("sparse/final")).params();
            long changed = 0;
            for (int i = 0; i < before.length; i++) {
                changed += before[i] != after[i] ? 1 : 0;
            }
            assertThat(changed).isPositive().isLessThanOrEqualTo(s.get(1).activeParameters());
        }
    }

    @Test
    void phaseRunnerRunsOnePhaseAndNeedsItsInput() throws Exception {
        Path run = dir.resolve("one");
        try (JvmBackend backend = new JvmBackend(1, 1 << 14)) {
            assertThatThrownBy(() -> PhaseTrainer.run(config(), "warm", run, backend, false, PhaseListener.NONE))
                    .hasMessageContaining("starts from phase 'sft', which has not finished");
            PhaseSummary s = PhaseTrainer.run(config(), "sft", run, backend, false, PhaseListener.NONE);
            assertThat(s.kind()).isEqualTo("sft");
            assertThat(s.optimizer()).isEqualTo("adamw");
            assertThat(s.steps()).isEqualTo(6);
            assertThat(PhaseSummary.read(run.resolve("sft"))).isEqualTo(s);
            assertThatThrownBy(() -> PhaseTrainer.run(config(), "nope", run, backend, false, PhaseListener.NONE)).hasMessageContaining("has no phase 'nope'");
        }
    }

    private static List<String> lossColumn(Path csv) throws Exception {
        return Files.readAllLines(csv).stream().skip(1).map(l -> l.split(",", -1)).map(f -> f[0] + ":" + f[2] + ":" + f[3] + ":" + f[4]).toList();
    }
}
