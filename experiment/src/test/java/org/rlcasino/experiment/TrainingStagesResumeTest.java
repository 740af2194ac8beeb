package org.rlcasino.experiment;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.Progress;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.checkpoint.ModelCheckpoint;
import org.rlcasino.train.phase.PhaseListener;
import org.rlcasino.train.phase.StepMetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/**
 * {@code casino train}'s orchestration: the phases as stages of the {@link StageRunner}. A run
 * interrupted inside its second phase and resumed keeps the finished phase, continues the
 * interrupted one from its checkpoint, and ends with the uninterrupted run's weights bit for bit.
 */
class TrainingStagesResumeTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            {"name": "tiny", "seed": 3,
             "model": {"layers": 1, "heads": 2, "channels": 16, "maxSeqLen": 8},
             "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 20},
             "optimizer": {"lr": 1e-2},
             "phases": [
               {"name": "sft", "kind": "sft", "steps": 4, "batchSize": 8, "checkpointEvery": 2},
               {"name": "grpo", "kind": "grpo", "steps": 4, "batchSize": 2, "groupSize": 4, "checkpointEvery": 1}
             ]}
            """;

    /** Throws at {@code phase} step {@code step}, like a killed process. */
    private record Interrupt(String phase, int step) implements PhaseListener {
        @Override
        public void step(StepMetrics m, int steps) {
            if (m.phase().equals(phase) && m.step() == step) {
                throw new IllegalStateException("interrupted at " + phase + " step " + step);
            }
        }
    }

    private static List<StageRunner.Outcome> train(RunConfig config, Path runDir, JvmBackend backend, boolean resume,
                                                   PhaseListener listener) {
        StageContext context = new StageContext(runDir, backend, Progress.NONE, new PrintWriter(new StringWriter()), listener);
        return new StageRunner(context).run(ExperimentPlan.trainingStages(config, PhaseExecutor.TRAINER), Set.of(), resume);
    }

    @Test
    void anInterruptedRunResumesToTheUninterruptedWeights() throws Exception {
        RunConfig config = RunConfigLoader.parse("tiny.json", CONFIG.getBytes(StandardCharsets.UTF_8));
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            train(config, dir.resolve("straight"), backend, false, PhaseListener.NONE);
            Path broken = dir.resolve("broken");
            assertThatThrownBy(() -> train(config, broken, backend, false, new Interrupt("grpo", 3)))
                    .isInstanceOf(StageFailedException.class).hasMessageContaining("interrupted at grpo step 3");
            List<StageRunner.Outcome> resumed = train(config, broken, backend, true, PhaseListener.NONE);
            assertThat(resumed).extracting(StageRunner.Outcome::stage).containsExactly("sft", "grpo");
            assertThat(resumed.getFirst().skipped()).as("the finished phase is kept").isTrue();
            for (String phase : List.of("sft", "grpo")) {
                assertBitIdentical(phase, ModelCheckpoint.load(broken.resolve(phase).resolve("final")).params(),
                        ModelCheckpoint.load(dir.resolve("straight").resolve(phase).resolve("final")).params());
            }
            // a second resume finds everything up to date
            assertThat(train(config, broken, backend, true, PhaseListener.NONE)).allMatch(StageRunner.Outcome::skipped);
        }
    }
}
