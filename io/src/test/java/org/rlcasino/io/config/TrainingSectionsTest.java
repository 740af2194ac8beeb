package org.rlcasino.io.config;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The training sections of a run-config: model, task, phases (with their masks and delta logging). */
class TrainingSectionsTest {
    private static final String HEAD = "{\"name\": \"t\", \"model\": {}, \"task\": {\"kind\": \"addition\"}, \"phases\": ";

    private static RunConfig parse(String json) {
        return RunConfigLoader.parse("t.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void defaultsAreFilledIn() {
        RunConfig c = parse(HEAD + "[{\"name\": \"sft\", \"kind\": \"sft\", \"steps\": 10}]}");
        assertThat(c.model().layers()).isEqualTo(2);
        assertThat(c.model().heads()).isEqualTo(4);
        assertThat(c.model().channels()).isEqualTo(64);
        assertThat(c.model().maxSeqLen()).isEqualTo(32);
        assertThat(c.task().digits()).isEqualTo(2);
        assertThat(c.task().heldOutPrompts()).isEqualTo(256);
        PhaseSection p = c.phases().getFirst();
        assertThat(p.batchSize()).isEqualTo(16);
        assertThat(p.optimizer()).isEqualTo("adamw");
        assertThat(p.evalEvery()).isZero();
        assertThat(p.groupSize()).isEqualTo(8);
        assertThat(p.reinforcement()).isFalse();
    }

    @Test
    void aFullChainIsRead() {
        RunConfig c = parse(HEAD + """
                [{"name": "sft", "kind": "sft", "steps": 10},
                 {"name": "warm", "kind": "grpo", "steps": 20, "groupSize": 4, "clip": 0.1, "klCoef": 0.01,
                  "logDeltas": {"firstStep": 1, "lastStep": 10}},
                 {"name": "bsr", "kind": "grpo", "from": "warm", "steps": 20, "optimizer": "bsr-adamw",
                  "adamw": {"lr": 3e-4}, "mask": {"fromPhase": "warm", "scorer": "momentum", "lastStep": 8, "sparsity": 97.5}},
                 {"name": "rnd", "kind": "dpo", "from": "warm", "steps": 20, "beta": 0.2, "optimizer": "random-mask",
                  "mask": {"sparsity": 97.5, "seed": 3}}]}
                """);
        assertThat(c.phases()).hasSize(4);
        assertThat(c.phases().get(1).logDeltas().lastStep()).isEqualTo(10);
        assertThat(c.phases().get(2).mask().scorer()).isEqualTo("momentum");
        assertThat(c.phases().get(2).mask().builder()).isEqualTo("exact");
        assertThat(c.phases().get(2).adamw().lr()).isEqualTo(3e-4);
        assertThat(c.phases().get(3).beta()).isEqualTo(0.2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"name\": \"t\", \"phases\": [{\"name\": \"a\", \"kind\": \"sft\", \"steps\": 1}]}|task is required",
            "{\"name\": \"t\", \"model\": {\"heads\": 3}}|$.model: channels (64) must be a multiple of heads (3)",
            "{\"name\": \"t\", \"model\": {\"maxSeqLen\": 1}}|$.model: maxSeqLen must be >= 2",
            "{\"name\": \"t\", \"model\": {\"layer\": 1}}|unknown key 'layer' at $.model",
            "{\"name\": \"t\", \"task\": {\"kind\": \"mult\"}}|$.task: kind must be 'addition', 'reverse', 'sort', 'prompts' or 'preferences'",
            "{\"name\": \"t\", \"task\": {\"kind\": \"prompts\"}}|$.task: a prompts task needs file",
            "{\"name\": \"t\", \"task\": {\"kind\": \"preferences\", \"file\": \"p.jsonl\", \"reward\": \"format\"}}|$.task: a preferences task has no reward",
            "{\"name\": \"t\", \"task\": {\"kind\": \"prompts\", \"file\": \"p.jsonl\", \"reward\": \"format\"}}|$.task: pattern goes with reward 'format'",
            "{\"name\": \"t\", \"task\": {\"kind\": \"prompts\", \"file\": \"p.jsonl\", \"digits\": 2}}|$.task: digits is for the synthetic tasks",
            "{\"name\": \"t\", \"task\": {\"kind\": \"addition\", \"file\": \"p.jsonl\"}}|$.task: file, promptColumn",
            "{\"name\": \"t\", \"task\": {\"kind\": \"prompts\", \"file\": \"p.jsonl\", \"badRows\": \"ignore\"}}|$.task: badRows must be 'fail' or 'skip'",
            "{\"name\": \"t\", \"task\": {\"kind\": \"sort\", \"digits\": 12}}|$.task: digits must be in [1, 9]",
            "[{\"name\": \"a\", \"kind\": \"ppo\", \"steps\": 1}]}|$.phases[0]: kind must be 'sft', 'dpo' or 'grpo'",
            "[{\"name\": \"a\", \"kind\": \"sft\"}]}|$.phases[0]: steps is required",
            "[{\"name\": \"a/b\", \"kind\": \"sft\", \"steps\": 1}]}|$.phases[0]: name is required",
            "[{\"name\": \"a\", \"kind\": \"sft\", \"steps\": 1, \"beta\": 0.1}]}|beta applies only to kind 'dpo'",
            "[{\"name\": \"a\", \"kind\": \"dpo\", \"steps\": 1, \"clip\": 0.1}]}|clip applies only to kind 'grpo'",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"groupSize\": 1}]}|groupSize must be >= 2",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"optimizer\": \"sgd\"}]}|optimizer must be 'adamw', 'bsr-adamw' or 'random-mask'",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"optimizer\": \"bsr-adamw\"}]}|needs mask.file or mask.fromPhase",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"optimizer\": \"bsr-adamw\", \"mask\": {\"fromPhase\": \"x\", \"sparsity\": 100}}]}|$.phases[0].mask: sparsity must be a percentage in [0, 100)",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"optimizer\": \"bsr-adamw\", \"mask\": {\"fromPhase\": \"x\", \"sparsity\": 90, \"scorer\": \"taylor\"}}]}|scorer: unknown scorer 'taylor'; use magnitude, momentum or fisher",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"optimizer\": \"bsr-adamw\", \"mask\": {\"fromPhase\": \"x\", \"sparsity\": 90}}]}|phases[0] ('a'): mask.fromPhase 'x' is not an earlier phase",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1}, {\"name\": \"b\", \"kind\": \"grpo\", \"steps\": 1, \"optimizer\": \"bsr-adamw\", \"mask\": {\"fromPhase\": \"a\", \"sparsity\": 90}}]}|mask.fromPhase 'a' logs no deltas",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1}, {\"name\": \"a\", \"kind\": \"sft\", \"steps\": 1}]}|phase name 'a' is used twice",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"from\": \"b\"}]}|from 'b' is not an earlier phase",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"optimizer\": \"bsr-adamw\", \"mask\": {\"fromPhase\": \"x\", \"sparsity\": 90, \"block\": \"16by16\"}}]}|$.phases[0].mask: block: a block shape must be RxC with sides in [1, 4096]",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"optimizer\": \"bsr-adamw\", \"mask\": {\"fromPhase\": \"x\", \"sparsity\": 90, \"block\": \"1x0\", \"builder\": \"block\"}}]}|block: a block shape must be RxC",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 1, \"optimizer\": \"bsr-adamw\", \"mask\": {\"fromPhase\": \"x\", \"sparsity\": 90, \"basis\": \"origin\"}}]}|unknown delta basis 'origin'",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 5, \"logDeltas\": {\"basis\": \"delta\"}}]}|$.phases[0].logDeltas: unknown delta basis 'delta'",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 5, \"logDeltas\": {\"firstStep\": 6}}]}|logDeltas.firstStep (6) is beyond",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 5, \"logDeltas\": {\"firstStep\": 3, \"lastStep\": 2}}]}|$.phases[0].logDeltas: lastStep (2) must be >= firstStep (3)",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 5, \"adamw\": {\"lr\": -1}}]}|$.phases[0].adamw: lr must be finite",
            "[{\"name\": \"a\", \"kind\": \"dpo\", \"steps\": 5, \"precomputeReference\": true}]}|precomputeReference needs a fixed set of pairs",
            "[{\"name\": \"a\", \"kind\": \"grpo\", \"steps\": 5, \"temprature\": 1}]}|did you mean 'temperature'?",
    })
    void badFieldsNameTheirPath(String json, String expected) {
        String text = json.startsWith("[") ? HEAD + json : json;
        assertThatThrownBy(() -> parse(text))
                .isInstanceOf(RunConfigException.class)
                .hasMessageStartingWith("t.json: ")
                .hasMessageContaining(expected);
    }
}
