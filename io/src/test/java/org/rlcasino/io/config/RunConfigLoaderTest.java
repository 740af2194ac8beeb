package org.rlcasino.io.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunConfigLoaderTest {
    @TempDir
    Path dir;

    private static RunConfig parse(String json) {
        return RunConfigLoader.parse("test.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void minimalConfigTakesTheDefaults() {
        RunConfig c = parse("{\"name\": \"quick\"}");
        assertThat(c.name()).isEqualTo("quick");
        assertThat(c.seed()).isZero();
        assertThat(c.description()).isEmpty();
        assertThat(c.backend().kind()).isEqualTo("jvm");
        assertThat(c.backend().threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.optimizer().lr()).isEqualTo(1e-3);
        assertThat(c.optimizer().beta2()).isEqualTo(0.999);
        assertThat(c.optimizer().weightDecay()).isEqualTo(0.01);
        assertThat(c.optimizer().nonFinite()).isEqualTo("fail");
        assertThat(c.optimizer().schedule().kind()).isEqualTo("constant");
    }

    @Test
    void fullConfigIsRead() throws Exception {
        Path file = dir.resolve("full.json");
        Files.writeString(file, """
                {"name": "gpt-small", "description": "d", "seed": 7,
                 "backend": {"kind": "tornado", "threads": 2, "device": "0:1"},
                 "optimizer": {"lr": 3e-4, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6, "weightDecay": 0.1,
                               "epsInsideSqrt": true, "maxGradNorm": 1.0, "nonFinite": "skip-step",
                               "schedule": {"kind": "cosine", "warmupSteps": 10, "totalSteps": 100, "minFactor": 0.1}}}
                """);
        RunConfig c = RunConfigLoader.load(file);
        assertThat(c.seed()).isEqualTo(7);
        assertThat(c.backend().device()).isEqualTo("0:1");
        assertThat(c.optimizer().epsInsideSqrt()).isTrue();
        assertThat(c.optimizer().schedule().totalSteps()).isEqualTo(100);
    }

    @Test
    void unknownKeyNamesTheKeyItsPathAndTheNearestValidKey() {
        assertThatThrownBy(() -> parse("{\"name\": \"x\", \"optimiser\": {}}"))
                .isInstanceOf(RunConfigException.class)
                .hasMessageContaining("test.json: unknown key 'optimiser' at $")
                .hasMessageContaining("did you mean 'optimizer'?");
        assertThatThrownBy(() -> parse("{\"name\": \"x\", \"optimizer\": {\"weight_decay\": 0.1}}"))
                .hasMessageContaining("unknown key 'weight_decay' at $.optimizer")
                .hasMessageContaining("did you mean 'weightDecay'?");
        assertThatThrownBy(() -> parse("{\"name\": \"x\", \"zzzzzzzzzz\": 1}"))
                .hasMessageNotContaining("did you mean")
                .hasMessageContaining("valid keys there: backend, description, experiment, model, name, optimizer, phases, seed, task");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}|name is required",
            "{\"name\": \"a b\"}|name must be 1-128 letters",
            "{\"name\": \"x\", \"optimizer\": {\"lr\": -1}}|$.optimizer: lr must be finite and >= 0, got -1.0",
            "{\"name\": \"x\", \"optimizer\": {\"beta1\": 1.0}}|beta1 must be in [0, 1)",
            "{\"name\": \"x\", \"optimizer\": {\"eps\": 0}}|eps must be finite and > 0",
            "{\"name\": \"x\", \"optimizer\": {\"nonFinite\": \"ignore\"}}|nonFinite must be 'fail', 'skip-step' or 'unchecked'",
            "{\"name\": \"x\", \"optimizer\": {\"schedule\": {\"kind\": \"cosine\"}}}|$.optimizer.schedule: totalSteps is required for 'cosine'",
            "{\"name\": \"x\", \"optimizer\": {\"schedule\": {\"kind\": \"step\"}}}|kind must be 'constant', 'linear-warmup' or 'cosine'",
            "{\"name\": \"x\", \"backend\": {\"kind\": \"cuda\"}}|$.backend: kind must be 'jvm' or 'tornado'",
            "{\"name\": \"x\", \"backend\": {\"threads\": 0}}|threads must be >= 1",
            "{\"name\": \"x\", \"backend\": {\"device\": \"gpu0\"}}|device must look like 0:0",
            "{\"name\": \"x\", \"seed\": \"seven\"}|$.seed",
            "{\"name\": \"x\", \"backend\": {\"threads\": 1.5}}|$.backend.threads",
            "{\"name\": \"x\", \"optimizer\": {\"lr\": \"0.1\"}}|$.optimizer.lr",
            "{\"name\": \"x\", \"name\": \"y\"}|Duplicate field 'name'",
            "{\"name\": \"x\"} {}|not valid JSON",
            "{\"name\": \"x\",|not valid JSON at line 1",
            "[1, 2]|$: expected",
    })
    void invalidConfigsSayWhatIsWrong(String json, String expected) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(RunConfigException.class)
                .hasMessageStartingWith("test.json: ")
                .hasMessageContaining(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "grpo | {}   | ",
            "grpo |      | experiment.deltasPhase: phase 'grpo' (phases[1]) logs no deltas; give it a logDeltas section",
            "sft  | {}   | experiment.deltasPhase: phase 'sft' (phases[0]) logs no deltas",
            "ppo  | {}   | experiment.deltasPhase: 'ppo' is not a phase (phases: [sft, grpo])",
    })
    void deltasPhaseMustNameAPhaseThatLogsDeltasWhenTheConfigIsLoaded(String deltasPhase, String logDeltas, String expected)
            throws Exception {
        Path file = dir.resolve("deltas-phase.json");
        Files.writeString(file, """
                {"name": "x", "model": {}, "task": {"kind": "addition"},
                 "phases": [{"name": "sft", "kind": "sft", "steps": 4},
                            {"name": "grpo", "kind": "grpo", "steps": 9%s}],
                 "experiment": {"deltasPhase": "%s", "maskQuality": {}}}
                """.formatted(logDeltas == null ? "" : ", \"logDeltas\": " + logDeltas, deltasPhase));
        if (expected == null) {
            assertThat(RunConfigLoader.load(file).experiment().deltasPhase()).isEqualTo(deltasPhase);
        } else {
            assertThatThrownBy(() -> RunConfigLoader.load(file)).isInstanceOf(RunConfigException.class)
                    .hasMessageStartingWith(file + ": ").hasMessageContaining(expected);
        }
    }

    @Test
    void missingFileSaysSo() {
        assertThatThrownBy(() -> RunConfigLoader.load(dir.resolve("nope.json")))
                .isInstanceOf(RunConfigException.class)
                .hasMessageContaining("no such run-config file");
    }

    @Test
    void emptyFileIsRejected() throws Exception {
        Path file = dir.resolve("empty.json");
        Files.writeString(file, "");
        assertThatThrownBy(() -> RunConfigLoader.load(file)).isInstanceOf(RunConfigException.class);
    }
}
