package org.rlcasino.io.inspect;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code casino inspect MODEL_DIR} on a config-only directory: family, sizes, groups, memory; bad configs refused. */
class ModelInspectorTest {
    @TempDir
    Path dir;

    @Test
    void aConfigAloneGivesTheFamilySizesAndTheMemoryToTrainIt() throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "qwen3", "hidden_size": 1024, "intermediate_size": 3072, "num_hidden_layers": 28,
                 "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 151936,
                 "tie_word_embeddings": true, "torch_dtype": "bfloat16", "max_position_embeddings": 40960}
                """);
        Inspection i = Inspector.inspect(dir, new Inspector.Settings(false, 1 << 20, 5));
        assertThat(i.format()).isEqualTo("huggingface model (qwen3)");
        assertThat(i.summary()).containsEntry("family", "qwen3").containsEntry("parameters", 596049920L)
                .containsEntry("dtype", "bfloat16").containsEntry("weightsMatchConfig", "no weights in the directory (config only)");
        assertThat((String) i.summary().get("trainingMemoryDense")).startsWith("8.88 GiB");
        assertThat((String) i.summary().get("trainingMemorySparse")).startsWith("4.61 GiB").contains("97.5 %");
        assertThat(i.tables().getFirst().rows()).extracting(r -> r.getFirst())
                .containsExactly("token embedding", "attention", "query/key norms", "mlp", "layer norms");
        assertThat(InspectionReport.text(i)).contains("query/key norms", "596,049,920");
    }

    @Test
    void anUnsupportedFamilyIsRefusedWithTheList() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"t5\"}");
        assertThatThrownBy(() -> Inspector.inspect(dir, new Inspector.Settings(false, 1 << 20, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'t5' is not supported");
    }
}
