package org.rlcasino.train.phase;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.FixedShapeBackend;
import org.rlcasino.train.PhaseSummary;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.family.DecoderModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * The trainer runs the model families as it runs GPT-2: a run-config whose {@code model.init} is a
 * Hugging Face directory of a tiny Llama, Qwen2, Qwen3 or Gemma 3 (src/test/resources/families) runs
 * SFT, GRPO with delta logging, a BSR-AdamW continuation on a mask from those deltas (block-sparse
 * weight gradients) and a random-mask DPO phase; every phase's final directory is a Hugging Face
 * directory of the same family that {@link DecoderModel#open} reads back, and an interrupted run
 * resumes to the same weights bit for bit.
 */
class FamilyTrainingTest {
    private static final Path FIXTURES = Path.of("src/test/resources/families").toAbsolutePath();

    @TempDir
    Path dir;

    static RunConfig config(String family) {
        String json = """
                {"name": "family", "seed": 5,
                 "model": {"init": "%s"},
                 "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 12},
                 "optimizer": {"lr": 3e-3, "weightDecay": 0.01},
                 "phases": [
                   {"name": "sft", "kind": "sft", "steps": 3, "batchSize": 4, "checkpointEvery": 1},
                   {"name": "warm", "kind": "grpo", "steps": 2, "batchSize": 2, "groupSize": 3, "klCoef": 0.1,
                    "logDeltas": {}},
                   {"name": "bsr", "kind": "grpo", "from": "warm", "steps": 2, "batchSize": 2, "groupSize": 3,
                    "optimizer": "bsr-adamw", "mask": {"fromPhase": "warm", "sparsity": 90, "builder": "block", "block": "4x4"},
                    "checkpointEvery": 1},
                   {"name": "rnd", "kind": "dpo", "from": "warm", "steps": 2, "batchSize": 2, "groupSize": 3, "temperature": 2.0,
                    "optimizer": "random-mask", "mask": {"sparsity": 90}}
                 ]}
                """.formatted(FIXTURES.resolve(family + "-model").toString().replace("\\", "\\\\"));
        return RunConfigLoader.parse("family.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "gemma3"})
    void aWholeRunTrainsTheFamilyAndWritesDirectoriesOfIt(String family) throws Exception {
        Path run = dir.resolve(family);
        float[] start;
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            start = ModelDirectory.load(FIXTURES.resolve(family + "-model")).params();
            List<PhaseSummary> s = Phases.runAll(config(family), run, backend, false, PhaseListener.NONE);
            assertThat(s).extracting(PhaseSummary::phase).containsExactly("sft", "warm", "bsr", "rnd");
            assertThat(s.get(1).deltaSteps()).isEqualTo(2);
            assertThat(s.get(2).gradientBlockFill()).as("4x4 blocks at 90 %").isBetween(0.02, 0.3);
            assertThat(s.get(3).sparsity()).isCloseTo(0.9, org.assertj.core.api.Assertions.within(1e-3));
            for (String phase : List.of("sft", "warm", "bsr", "rnd")) {
                Path fin = run.resolve(phase).resolve("final");
                assertThat(Files.readString(fin.resolve("config.json"))).contains("\"model_type\"");
                float[] saved = ModelDirectory.load(fin).params();
                assertThat(saved).as(phase + " trained").isNotEqualTo(start);
                try (DecoderModel back = DecoderModel.open(fin, backend)) {
                    assertThat(back.config().family()).isEqualTo(family.equals("gemma3") ? "gemma3_text" : family);
                    assertBitIdentical(phase + " weights read back", back.parameters(), saved);
                }
            }
            assertThat(run.resolve("bsr/mask.arrow")).isRegularFile();
            assertThat(run.resolve("warm/deltas.arrow")).isRegularFile();
        }
    }

    @Test
    void aBackendThatKeepsOneShapeTrainsAFamilyTheSameAndResumingGivesTheSameWeights() throws Exception {
        RunConfig config = config("gemma3");
        try (JvmBackend jvm = new JvmBackend(2, 64)) {
            Phases.runAll(config, dir.resolve("jvm"), jvm, false, PhaseListener.NONE);
            assertThatThrownBy(() -> Phases.runAll(config, dir.resolve("broken"), jvm, false, new PhaseListener() {
                @Override
                public void step(StepMetrics m, int steps) {
                    if (m.phase().equals("bsr") && m.step() == 1) {
                        throw new IllegalStateException("interrupted");
                    }
                }
            })).hasMessageContaining("interrupted");
            Phases.runAll(config, dir.resolve("broken"), jvm, true, PhaseListener.NONE);
        }
        try (FixedShapeBackend fixed = new FixedShapeBackend(2)) {
            Phases.runAll(config, dir.resolve("fixed"), fixed, false, PhaseListener.NONE);
            assertThat(fixed.preparedLate()).as("programs prepared after a live program ran").isZero();
        }
        for (String phase : List.of("sft", "warm", "bsr", "rnd")) {
            float[] a = ModelDirectory.load(dir.resolve("jvm").resolve(phase).resolve("final")).params();
            assertThat(ModelDirectory.load(dir.resolve("broken").resolve(phase).resolve("final")).params())
                    .as(phase + " resumed").isEqualTo(a);
            assertClose(phase + " on one shape", ModelDirectory.load(dir.resolve("fixed").resolve(phase).resolve("final")).params(),
                    a, 1e-6, 1e-5);
        }
    }

    /** model.saveDtype: final directories in BF16 (half the bytes, config.json says so), read back upcast; GPT-2 is refused. */
    @Test
    void finalDirectoriesAreWrittenInTheDtypeAskedFor() throws Exception {
        String json = """
                {"name": "bf16", "seed": 5,
                 "model": {"init": "%s", "saveDtype": "bfloat16"},
                 "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 12},
                 "optimizer": {"lr": 3e-3},
                 "phases": [{"name": "sft", "kind": "sft", "steps": 2, "batchSize": 4},
                            {"name": "more", "kind": "sft", "steps": 1, "batchSize": 4}]}
                """.formatted(FIXTURES.resolve("llama-model").toString().replace("\\", "\\\\"));
        RunConfig config = RunConfigLoader.parse("bf16.json", json.getBytes(StandardCharsets.UTF_8));
        Path run = dir.resolve("bf16");
        try (JvmBackend backend = new JvmBackend(1, 64)) {
            Phases.runAll(config, run, backend, false, PhaseListener.NONE);
        }
        Path fin = run.resolve("sft/final");
        try (var f = org.rlcasino.io.safetensors.SafetensorsFile.open(fin.resolve("model.safetensors"))) {
            assertThat(f.tensors()).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(org.rlcasino.io.safetensors.Dtype.BF16));
        }
        assertThat(Files.readString(fin.resolve("config.json"))).contains("\"bfloat16\"");
        float[] weights = ModelDirectory.load(fin).params();
        for (float w : weights) {
            assertThat(Float.floatToRawIntBits(w) & 0xFFFF).as("a bfloat16 value, upcast").isZero();
        }
        assertThat(run.resolve("more/final/model.safetensors")).isRegularFile();
        assertThat(ModelDirectory.saveDtype("auto", FIXTURES.resolve("llama-model"))).isEqualTo(org.rlcasino.io.safetensors.Dtype.F32);
        assertThatThrownBy(() -> RunConfigLoader.parse("x.json", "{\"name\": \"x\", \"model\": {\"saveDtype\": \"fp8\"}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("saveDtype must be one of");
        RunConfig gpt = RunConfigLoader.parse("g.json", """
                {"name": "g", "model": {"saveDtype": "bfloat16"}, "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 12},
                 "phases": [{"name": "sft", "kind": "sft", "steps": 1, "batchSize": 4}]}""".getBytes(StandardCharsets.UTF_8));
        try (JvmBackend backend = new JvmBackend(1, 64)) {
            assertThatThrownBy(() -> Phases.runAll(gpt, dir.resolve("g"), backend, false, PhaseListener.NONE))
                    .hasMessageContaining("GPT-2 directories are written as float32");
        }
        assertThat(dir.resolve("g/sft/final")).doesNotExist();
    }
}
