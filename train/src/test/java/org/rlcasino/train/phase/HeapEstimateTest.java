package org.rlcasino.train.phase;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.InsufficientHeapException;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.model.GptConfig;
import org.rlcasino.train.model.GptModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A phase states its heap need before allocating anything, and a model that cannot fit this JVM's
 * heap is refused with the figure (not an OutOfMemoryError halfway); the activation count is the
 * model's own allocation.
 */
class HeapEstimateTest {
    @TempDir
    Path dir;

    static RunConfig config(int layers, int channels) {
        String json = """
                {"name": "heap", "seed": 1,
                 "model": {"layers": %d, "heads": 8, "channels": %d, "maxSeqLen": 16},
                 "task": {"kind": "sort", "digits": 4, "heldOutPrompts": 8},
                 "phases": [{"name": "sft", "kind": "sft", "steps": 1, "batchSize": 4}]}
                """.formatted(layers, channels);
        return RunConfigLoader.parse("heap.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aModelThatCannotFitTheHeapIsRefusedBeforeAnythingIsAllocated() {
        // 20 layers of width 2048: ~1.0 billion parameters, ~24 GB to train; far above any test JVM's heap
        try (JvmBackend backend = new JvmBackend(1, 1 << 14)) {
            assertThatThrownBy(() -> PhaseTrainer.run(config(20, 2048), "sft", dir, backend, false, PhaseListener.NONE))
                    .isInstanceOf(InsufficientHeapException.class)
                    .hasMessageContaining("phase sft (1,00").hasMessageContaining("raise the limit");
        }
        assertThat(dir.resolve("sft").resolve("final")).doesNotExist();
    }

    @Test
    void aSmallPhaseStatesItsNeedAndRuns() throws Exception {
        List<String> notes = new ArrayList<>();
        PhaseListener listener = new PhaseListener() {
            @Override
            public void note(String message) {
                notes.add(message);
            }
        };
        try (JvmBackend backend = new JvmBackend(1, 1 << 14)) {
            PhaseTrainer.run(config(1, 16), "sft", dir, backend, false, listener);
        }
        assertThat(notes).anyMatch(n -> n.startsWith("sft: about ") && n.contains("MiB of heap (limit "));
        assertThat(Files.isDirectory(dir.resolve("sft").resolve("final"))).isTrue();
    }

    @Test
    void theActivationEstimateGrowsWithTheBatchAndTheBackward() {
        GptConfig c = new GptConfig(15, 16, 2, 4, 32);
        long forward = GptModel.activationBytes(c, 4, 16, false);
        long both = GptModel.activationBytes(c, 4, 16, true);
        assertThat(both).isGreaterThan(forward);
        assertThat(GptModel.activationBytes(c, 8, 16, true)).isGreaterThan(both);
        // per layer the (B, NH, T, T) probabilities: 4·4·16·16 floats = 16 KiB of the forward's bytes at least
        assertThat(forward).isGreaterThan(2L * 4 * 4 * 16 * 16 * 4);
    }
}
