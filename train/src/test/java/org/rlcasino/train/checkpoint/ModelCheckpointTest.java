package org.rlcasino.train.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsFile;
import org.rlcasino.io.safetensors.SafetensorsWriter;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.train.model.GptConfig;
import org.rlcasino.train.task.CharTokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelCheckpointTest {
    @TempDir
    Path dir;

    private static final GptConfig TINY = new GptConfig(15, 8, 2, 2, 4);

    private static float[] randomParams(GptConfig c) {
        float[] p = new float[c.parameterCount()];
        Random r = new Random(3);
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        return p;
    }

    @Test
    void savedModelReadsBackBitForBitInHuggingFaceLayout() throws Exception {
        float[] p = randomParams(TINY);
        Path m = dir.resolve("m");
        ModelCheckpoint.save(m, TINY, p, CharTokenizer.tasks());
        ModelCheckpoint back = ModelCheckpoint.load(m);
        assertThat(back.config()).isEqualTo(TINY);
        assertThat(back.params()).isEqualTo(p);
        assertThat(back.tokenizer()).isEqualTo(CharTokenizer.tasks());
        try (SafetensorsFile f = SafetensorsFile.open(m.resolve("model.safetensors"))) {
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.tensor("h.1.attn.c_attn.weight").shape()).containsExactly(4, 12);
            assertThat(f.tensor("h.0.mlp.c_proj.weight").shape()).containsExactly(16, 4);
            assertThat(f.contains("lm_head.weight")).isFalse();
        }
        JsonNode cfg = new ObjectMapper().readTree(Files.readString(m.resolve("config.json")));
        assertThat(cfg.get("model_type").asText()).isEqualTo("gpt2");
        assertThat(cfg.get("architectures").get(0).asText()).isEqualTo("GPT2LMHeadModel");
        assertThat(cfg.get("activation_function").asText()).isEqualTo("gelu_new");
        assertThat(cfg.get("n_embd").asInt()).isEqualTo(4);
        assertThat(cfg.get("tie_word_embeddings").asBoolean()).isTrue();
    }

    /** A hand-made hub-style directory: "transformer." prefix, attention buffers, lm_head, BF16 weights, no tokenizer. */
    @Test
    void hubStyleCheckpointLoads() throws Exception {
        float[] p = randomParams(TINY);
        Path hub = dir.resolve("hub");
        Files.createDirectories(hub);
        SafetensorsWriter.Builder b = SafetensorsWriter.builder().metadata("format", "pt");
        for (TensorView t : TINY.layout().tensors()) {
            float[] values = java.util.Arrays.copyOfRange(p, t.offset(), t.offset() + t.size());
            b.add("transformer." + t.name(), Dtype.F32, longs(t.shape()), values);
            if (t.name().endsWith("ln_1.weight")) {
                String h = t.name().substring(0, t.name().length() - "ln_1.weight".length());
                b.add("transformer." + h + "attn.bias", Dtype.F32, new long[]{1, 1, 8, 8}, new float[64]);
                b.add("transformer." + h + "attn.masked_bias", Dtype.F32, new long[]{}, new float[]{-1e4f});
            }
        }
        TensorView wte = TINY.layout().tensor("wte.weight");
        b.add("lm_head.weight", Dtype.F32, longs(wte.shape()), java.util.Arrays.copyOfRange(p, 0, wte.size()));
        b.build().write(hub.resolve("model.safetensors"));
        Files.writeString(hub.resolve("config.json"), """
                {"model_type": "gpt2", "vocab_size": 15, "n_ctx": 8, "n_positions": 8, "n_embd": 4, "n_layer": 2,
                 "n_head": 2, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-05, "n_inner": null}
                """);
        ModelCheckpoint back = ModelCheckpoint.load(hub);
        assertThat(back.params()).isEqualTo(p);
        assertThat(back.tokenizer()).isNull();
    }

    @Test
    void mismatchedAndMissingTensorsAreNamed() throws Exception {
        Path m = dir.resolve("m");
        ModelCheckpoint.save(m, TINY, randomParams(TINY), null);
        Files.writeString(m.resolve("config.json"), Files.readString(m.resolve("config.json")).replace("\"n_embd\" : 4", "\"n_embd\" : 8"));
        assertThatThrownBy(() -> ModelCheckpoint.load(m)).hasMessageContaining("tensor wte.weight has shape [15, 4], config.json implies [15, 8]");
        Files.writeString(m.resolve("config.json"), Files.readString(m.resolve("config.json"))
                .replace("\"n_embd\" : 8", "\"n_embd\" : 4").replace("\"n_layer\" : 2", "\"n_layer\" : 3"));
        assertThatThrownBy(() -> ModelCheckpoint.load(m)).hasMessageContaining("missing tensors h.2.ln_1.weight");
        Files.writeString(m.resolve("config.json"), Files.readString(m.resolve("config.json"))
                .replace("\"n_layer\" : 3", "\"n_layer\" : 1"));
        assertThatThrownBy(() -> ModelCheckpoint.load(m)).hasMessageContaining("unexpected tensor(s) h.1.");
        assertThatThrownBy(() -> ModelCheckpoint.load(dir.resolve("none"))).hasMessageContaining("no such model directory");
    }

    private static long[] longs(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        return s;
    }
}
