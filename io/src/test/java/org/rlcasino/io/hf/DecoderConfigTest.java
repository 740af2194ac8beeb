package org.rlcasino.io.hf;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Parameter counts from {@code config.json} alone, against the published counts of real models
 * (their configs' size fields as released on the Hugging Face hub), and the refusals.
 */
class DecoderConfigTest {
    static DecoderConfig parse(String json) throws Exception {
        return DecoderConfig.parse("config.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // GPT-2 small: 124,439,808
            "gpt2|{\"model_type\":\"gpt2\",\"n_embd\":768,\"n_layer\":12,\"n_head\":12,\"vocab_size\":50257,\"n_positions\":1024}|124439808",
            // SmolLM2-135M (llama): 134,515,008
            "SmolLM2-135M|{\"model_type\":\"llama\",\"hidden_size\":576,\"intermediate_size\":1536,\"num_hidden_layers\":30,"
                    + "\"num_attention_heads\":9,\"num_key_value_heads\":3,\"vocab_size\":49152,\"tie_word_embeddings\":true}|134515008",
            // Llama 3.2 1B: 1,235,814,400
            "Llama-3.2-1B|{\"model_type\":\"llama\",\"hidden_size\":2048,\"intermediate_size\":8192,\"num_hidden_layers\":16,"
                    + "\"num_attention_heads\":32,\"num_key_value_heads\":8,\"head_dim\":64,\"vocab_size\":128256,"
                    + "\"tie_word_embeddings\":true,\"max_position_embeddings\":131072}|1235814400",
            // Qwen2.5-0.5B (q/k/v biases): 494,032,768
            "Qwen2.5-0.5B|{\"model_type\":\"qwen2\",\"hidden_size\":896,\"intermediate_size\":4864,\"num_hidden_layers\":24,"
                    + "\"num_attention_heads\":14,\"num_key_value_heads\":2,\"vocab_size\":151936,\"tie_word_embeddings\":true}|494032768",
            // Qwen3-0.6B (q/k norms, head_dim 128 independent of the width): 596,049,920
            "Qwen3-0.6B|{\"model_type\":\"qwen3\",\"hidden_size\":1024,\"intermediate_size\":3072,\"num_hidden_layers\":28,"
                    + "\"num_attention_heads\":16,\"num_key_value_heads\":8,\"head_dim\":128,\"vocab_size\":151936,"
                    + "\"tie_word_embeddings\":true}|596049920",
            // Gemma 3 270M (four norms per layer, q/k norms, tied by default): 268,098,176
            "gemma-3-270m|{\"model_type\":\"gemma3_text\",\"hidden_size\":640,\"intermediate_size\":2048,\"num_hidden_layers\":18,"
                    + "\"num_attention_heads\":4,\"num_key_value_heads\":1,\"head_dim\":256,\"vocab_size\":262144}|268098176"})
    void parameterCountsMatchThePublishedOnes(String model, String json, long parameters) throws Exception {
        DecoderConfig c = parse(json);
        assertThat(c.parameterCount()).as(model).isEqualTo(parameters);
        assertThat(c.parameterGroups()).extracting(DecoderConfig.ParameterGroup::name).contains("token embedding", "attention", "mlp");
        assertThat(c.denseTrainingBytes()).isEqualTo(16 * parameters);
        assertThat(c.bsrTrainingBytes(0.975)).isEqualTo(8 * parameters + 12 * Math.round(parameters * (1 - 0.975)));
    }

    @Test
    void untiedHeadsAndMultimodalGemmaConfigs() throws Exception {
        DecoderConfig untied = parse("{\"model_type\":\"mistral\",\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":100}");
        assertThat(untied.tiedEmbeddings()).isFalse();
        assertThat(untied.parameterGroups().getLast().name()).isEqualTo("output head");
        assertThat(untied.parameterGroups().getLast().parameters()).isEqualTo(6400);
        DecoderConfig gemma = parse("{\"model_type\":\"gemma3\",\"text_config\":{\"hidden_size\":640,\"intermediate_size\":2048,"
                + "\"num_hidden_layers\":18,\"num_attention_heads\":4,\"num_key_value_heads\":1,\"head_dim\":256,\"vocab_size\":262144}}");
        assertThat(gemma.family()).isEqualTo("gemma3_text");
        assertThat(gemma.parameterCount()).isEqualTo(268098176L);
    }

    @Test
    void unsupportedOrBrokenConfigsAreRefusedSayingWhy() {
        assertThatThrownBy(() -> parse("{\"model_type\":\"bert\"}")).hasMessageContaining("'bert' is not supported")
                .hasMessageContaining("llama, mistral, qwen2, qwen3, gemma3_text");
        assertThatThrownBy(() -> parse("{\"model_type\":\"llama\",\"hidden_size\":64}")).hasMessageContaining("num_attention_heads is missing");
        assertThatThrownBy(() -> parse("{\"model_type\":\"qwen3\",\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"num_key_value_heads\":3,\"vocab_size\":100}")).hasMessageContaining("not a multiple");
        assertThatThrownBy(() -> parse("{\"model_type\":\"llama\",\"hidden_size\":-4}")).hasMessageContaining("positive integer");
        assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("not a JSON object");
    }
}
