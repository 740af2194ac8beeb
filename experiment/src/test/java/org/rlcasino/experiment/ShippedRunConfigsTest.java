package org.rlcasino.experiment;

import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** The run-configs shipped in run-configs/ load strictly and plan the stages their descriptions promise. */
class ShippedRunConfigsTest {
    static final Path DIR = Path.of("..", "run-configs");

    private static ExperimentPlan plan(String file) {
        RunConfig config = RunConfigLoader.load(DIR.resolve(file));
        return ExperimentPlan.of(config, DIR.toAbsolutePath(), Path.of("runs", config.name()), PhaseExecutor.TRAINER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"paper-table2.json", "paper-speed.json", "paper-quality.json", "external-checkpoints.json",
            "block-vs-element.json", "chat-dpo.json"})
    void loadsAndPlans(String file) {
        assertThat(plan(file).stages()).isNotEmpty();
    }

    @org.junit.jupiter.api.Test
    void stagesOfEachConfig() {
        assertThat(plan("paper-table2.json").stageNames()).containsExactly("sft", "grpo", "mask-quality");
        assertThat(plan("paper-speed.json").stageNames()).containsExactly("speed");
        assertThat(plan("external-checkpoints.json").stageNames()).containsExactly("deltas", "mask-quality");
        ExperimentPlan quality = plan("paper-quality.json");
        // 5 seeds × (dense + 2 sparsities × (3 methods + random))
        assertThat(quality.stageNames()).hasSize(2 + 1 + 5 * 9 + 1);
        assertThat(quality.stageNames()).startsWith("sft", "grpo", "masks").endsWith("quality");
        assertThat(quality.config().phases()).hasSize(2 + 45);
        // 3 seeds × (dense + 5 mask structures + random)
        assertThat(plan("block-vs-element.json").stageNames()).startsWith("sft", "warm", "mask-quality", "masks")
                .endsWith("quality", "speed").hasSize(4 + 3 * 7 + 2);
        // the phases, then 2 more seeds × (dense + momentum mask + random)
        assertThat(plan("chat-dpo.json").stageNames()).startsWith("sft", "warm", "bsr", "dense", "random", "mask-quality", "masks")
                .endsWith("quality", "speed").hasSize(5 + 2 + 2 * 3 + 2);
    }
}
