package org.rlcasino.experiment;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.RunConfigLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The seed-baseline rerun of the deltas phase: planned where Table 2 needs it, refused where it cannot be. */
class ExperimentPlanTest {
    @TempDir
    Path dir;

    private ExperimentPlan plan(String phases, String maskQuality) throws Exception {
        Path config = dir.resolve("c.json");
        Files.writeString(config, """
                {"name": "c", "seed": 3,
                 "model": {"layers": 1, "heads": 2, "channels": 16, "maxSeqLen": 16},
                 "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 16},
                 "phases": [%s],
                 "experiment": {"deltasPhase": "warm", "maskQuality": %s}}
                """.formatted(phases, maskQuality));
        return ExperimentPlan.of(RunConfigLoader.load(config), dir, dir.resolve("run"), PhaseExecutor.TRAINER);
    }

    private static final String SFT_THEN_WARM = """
            {"name": "sft", "kind": "sft", "steps": 2},
            {"name": "warm", "kind": "grpo", "steps": 3, "groupSize": 4, "logDeltas": {"basis": "step"}}""";

    @Test
    void theSeedBaselineReRunsTheDeltasPhaseFromTheSameStartWithAnotherSeed() throws Exception {
        ExperimentPlan p = plan(SFT_THEN_WARM, "{\"seedBaseline\": 9, \"basis\": \"both\"}");
        assertThat(p.stageNames()).containsExactly("sft", "warm", "warm-seed9", "mask-quality");
        PhaseSection rerun = p.config().phases().stream().filter(x -> x.name().equals("warm-seed9")).findFirst().orElseThrow();
        assertThat(rerun.seed()).isEqualTo(9);
        assertThat(rerun.from()).isEqualTo("sft");
        assertThat(rerun.kind()).isEqualTo("grpo");
        assertThat(rerun.steps()).isEqualTo(3);
        assertThat(rerun.logDeltas().basis()).isEqualTo("step");
        assertThat(plan(SFT_THEN_WARM, "{}").stageNames()).containsExactly("sft", "warm", "mask-quality");
    }

    @Test
    void aSeedBaselineThatCannotBeTrainedIsRefused() {
        assertThatThrownBy(() -> plan(SFT_THEN_WARM, "{\"seedBaseline\": 3}"))
                .hasMessageContaining("seedBaseline: 3 is the deltas phase's own seed");
        assertThatThrownBy(() -> plan("{\"name\": \"warm\", \"kind\": \"grpo\", \"steps\": 3, \"logDeltas\": {}}",
                "{\"seedBaseline\": 4}")).hasMessageContaining("is the first phase");
    }
}
