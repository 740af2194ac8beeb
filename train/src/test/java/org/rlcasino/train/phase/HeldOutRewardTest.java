package org.rlcasino.train.phase;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.PhaseSummary;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A phase summary's held-out reward is the mean of the task's reward on the held-out prompts, not
 * the accuracy again: with a partial-credit reward the two differ, with the exact-match reward they
 * coincide.
 */
class HeldOutRewardTest {
    @TempDir
    Path dir;

    static RunConfig config(String reward) {
        String json = """
                {"name": "reward", "seed": 5,
                 "model": {"layers": 1, "heads": 2, "channels": 16, "maxSeqLen": 12},
                 "task": {"kind": "sort", "digits": 4, "heldOutPrompts": 40, "reward": "%s"},
                 "optimizer": {"lr": 3e-2},
                 "phases": [
                   {"name": "sft", "kind": "sft", "steps": 8, "batchSize": 16},
                   {"name": "grpo", "kind": "grpo", "from": "sft", "steps": 2, "batchSize": 2, "groupSize": 4}
                 ]}
                """.formatted(reward);
        return RunConfigLoader.parse("reward.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void partialCreditMakesTheHeldOutRewardDifferFromTheAccuracy() throws Exception {
        List<PhaseSummary> partial;
        List<PhaseSummary> exact;
        try (JvmBackend backend = new JvmBackend(2, 256)) {
            partial = Phases.runAll(config("partial"), dir.resolve("partial"), backend, false, PhaseListener.NONE);
            exact = Phases.runAll(config("exact"), dir.resolve("exact"), backend, false, PhaseListener.NONE);
        }
        for (PhaseSummary s : partial) {
            // a half-trained model gets some digits right without getting whole answers right
            assertThat(s.heldOutReward()).as(s.phase()).isGreaterThan(s.heldOutAccuracy());
            assertThat(s.heldOutReward()).as(s.phase()).isBetween(0.0, 1.0);
        }
        for (PhaseSummary s : exact) {
            assertThat(s.heldOutReward()).as(s.phase()).isEqualTo(s.heldOutAccuracy());
        }
        // the same SFT phase either way: held-out accuracy does not depend on the reward
        assertThat(partial.getFirst().heldOutAccuracy()).isEqualTo(exact.getFirst().heldOutAccuracy());
        assertThat(PhaseSummary.read(dir.resolve("partial").resolve("grpo")).heldOutReward())
                .isEqualTo(partial.get(1).heldOutReward());
    }
}
