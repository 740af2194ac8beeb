package org.rlcasino.io.hf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The sizes of a decoder-only Hugging Face model, read from its {@code config.json}: the
 * families {@code gpt2}, {@code llama}, {@code mistral}, {@code qwen2}, {@code qwen3} and
 * {@code gemma3_text} (a multimodal {@code gemma3} config's {@code text_config} too), with each
 * family's defaults for absent fields as {@code transformers} has them. It gives the parameter count
 * per tensor group and the memory training needs, without reading any weights.
 *
 * @param family           {@code model_type}
 * @param hiddenSize       width H ({@code hidden_size}; GPT-2: {@code n_embd})
 * @param intermediateSize MLP width ({@code intermediate_size}; GPT-2: {@code n_inner} or 4H)
 * @param layers           decoder layers
 * @param heads            query heads
 * @param kvHeads          key/value heads (grouped-query attention; = heads without it)
 * @param headDim          channels per head ({@code head_dim}, else H / heads)
 * @param vocabSize        vocabulary
 * @param maxPositions     {@code max_position_embeddings} ({@code n_positions})
 * @param tiedEmbeddings   whether the output head is the embedding table
 * @param qkvBias          biases on the query, key and value projections (Qwen2; {@code attention_bias})
 * @param outputBias       a bias on the attention output projection ({@code attention_bias} of Llama, Mistral)
 * @param mlpBias          biases on the MLP projections ({@code mlp_bias})
 * @param dtype            {@code torch_dtype} / {@code dtype} as written, or null
 * @param rmsNormEps       {@code rms_norm_eps} (GPT-2: its LayerNorm's {@code layer_norm_epsilon})
 * @param rope             the rotary schedule of full-attention layers (null for GPT-2)
 * @param localRope        the rotary schedule of sliding-window layers (Gemma 3's local base; else = rope)
 * @param slidingWindow    keys a query sees on a sliding layer ({@code sliding_window}; 0: none)
 * @param slidingLayers    which layers use the sliding window ({@code layer_types}, or Gemma 3's 5:1 pattern)
 * @param queryScale       the attention scale: 1/√{@code query_pre_attn_scalar} (Gemma) or 1/√headDim
 * @param paddingToken     {@code pad_token_id} (its embedding row learns nothing from lookups, as
 *                         transformers' {@code nn.Embedding(padding_idx)}), or -1
 */
public record DecoderConfig(String family, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
                            int headDim, int vocabSize, int maxPositions, boolean tiedEmbeddings, boolean qkvBias,
                            boolean outputBias, boolean mlpBias, String dtype, float rmsNormEps, Rope rope, Rope localRope,
                            int slidingWindow, List<Boolean> slidingLayers, float queryScale, int paddingToken) {
    /**
     * A rotary schedule: {@code type} {@code default}, {@code linear} or {@code llama3}, its base and
     * scaling parameters (unused ones 0).
     */
    public record Rope(String type, double theta, double factor, double lowFreqFactor, double highFreqFactor,
                       int originalMaxPositions) {
        static Rope of(JsonNode p, double theta) {
            String type = p == null ? "default" : p.path("rope_type").asText(p.path("type").asText("default"));
            if (!List.of("default", "linear", "llama3").contains(type)) {
                throw new IllegalArgumentException("rope type '" + type + "' is not supported; supported: default, linear, llama3");
            }
            return new Rope(type, p != null && p.has("rope_theta") ? p.get("rope_theta").asDouble() : theta,
                    p == null ? 1 : p.path("factor").asDouble(1), p == null ? 0 : p.path("low_freq_factor").asDouble(0),
                    p == null ? 0 : p.path("high_freq_factor").asDouble(0),
                    p == null ? 0 : p.path("original_max_position_embeddings").asInt(0));
        }
    }

    /** The families read here. */
    public static final List<String> FAMILIES = List.of("gpt2", "llama", "mistral", "qwen2", "qwen3", "gemma3_text");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A named group of tensors and its parameter count. */
    public record ParameterGroup(String name, long parameters) {}

    /** Reads {@code config.json}; a family not in {@link #FAMILIES} is refused with the list. */
    public static DecoderConfig read(Path configJson) throws IOException {
        if (!Files.isRegularFile(configJson)) {
            throw new NoSuchFileException(configJson.toString());
        }
        return parse(configJson.toString(), Files.readAllBytes(configJson));
    }

    /** Parses the bytes of a {@code config.json} named {@code name} (for messages). */
    public static DecoderConfig parse(String name, byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(name + ": not a JSON object");
        }
        String type = root.path("model_type").asText("");
        if (type.equals("gemma3") && root.path("text_config").isObject()) {
            root = root.get("text_config");
            type = root.path("model_type").asText("gemma3_text");
        }
        String family = type.toLowerCase(Locale.ROOT);
        if (!FAMILIES.contains(family)) {
            throw new IllegalArgumentException(name + ": model_type '" + type + "' is not supported; supported: "
                    + String.join(", ", FAMILIES));
        }
        String dtype = text(root, "torch_dtype", text(root, "dtype", null));
        if (family.equals("gpt2")) {
            int h = positive(name, root, "n_embd", null);
            int heads = positive(name, root, "n_head", null);
            int inner = root.hasNonNull("n_inner") ? positive(name, root, "n_inner", null) : 4 * h;
            int layers = positive(name, root, "n_layer", null);
            return new DecoderConfig(family, h, inner, layers, heads, heads, h / heads,
                    positive(name, root, "vocab_size", null), positive(name, root, "n_positions", 1024),
                    root.path("tie_word_embeddings").asBoolean(true), true, true, true, dtype,
                    (float) root.path("layer_norm_epsilon").asDouble(1e-5), null, null, 0,
                    java.util.Collections.nCopies(layers, false), 1f / (float) Math.sqrt((double) h / heads), -1);
        }
        int h = positive(name, root, "hidden_size", null);
        int heads = positive(name, root, "num_attention_heads", null);
        int kvHeads = positive(name, root, "num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads "
                    + kvHeads);
        }
        boolean gemma = family.equals("gemma3_text");
        int headDim = positive(name, root, "head_dim", gemma ? 256 : h / heads);
        boolean attentionBias = root.path("attention_bias").asBoolean(false);
        boolean qwen2 = family.equals("qwen2");
        boolean llamaLike = family.equals("llama") || family.equals("mistral");
        int layers = positive(name, root, "num_hidden_layers", null);
        // rotary: transformers 5 writes rope_parameters (per layer type for Gemma 3), earlier ones rope_theta,
        // rope_scaling and Gemma 3's rope_local_base_freq
        JsonNode params = root.get("rope_parameters");
        Rope rope;
        Rope local;
        if (params != null && params.has("full_attention")) {
            rope = Rope.of(params.get("full_attention"), 10000);
            local = Rope.of(params.path("sliding_attention").isObject() ? params.get("sliding_attention") : params.get("full_attention"),
                    10000);
        } else {
            double theta = root.path("rope_theta").asDouble(gemma ? 1_000_000 : 10000);
            JsonNode scaling = params != null ? params : root.get("rope_scaling");
            rope = Rope.of(scaling != null && scaling.isObject() ? scaling : null, theta);
            local = gemma ? new Rope("default", root.path("rope_local_base_freq").asDouble(10000), 1, 0, 0, 0) : rope;
        }
        int window = root.hasNonNull("sliding_window") ? positive(name, root, "sliding_window", null) : 0;
        List<Boolean> sliding = new ArrayList<>();
        JsonNode types = root.get("layer_types");
        for (int i = 0; i < layers; i++) {
            boolean slides;
            if (types != null && types.isArray() && i < types.size()) {
                slides = types.get(i).asText().equals("sliding_attention");
            } else if (gemma) {
                slides = (i + 1) % 6 != 0;                                   // Gemma 3: five local layers, then a global one
            } else if (family.equals("mistral")) {
                slides = true;                                               // Mistral: every layer when sliding_window is set
            } else {
                slides = root.path("use_sliding_window").asBoolean(false)    // Qwen2/3: from max_window_layers on
                        && i >= root.path("max_window_layers").asInt(0);
            }
            sliding.add(window > 0 && slides);
        }
        double queryScalar = gemma ? root.path("query_pre_attn_scalar").asDouble(headDim) : headDim;
        return new DecoderConfig(family, h, positive(name, root, "intermediate_size", null), layers,
                heads, kvHeads, headDim, positive(name, root, "vocab_size", null),
                positive(name, root, "max_position_embeddings", 2048), root.path("tie_word_embeddings").asBoolean(gemma),
                qwen2 || attentionBias, llamaLike && attentionBias, root.path("mlp_bias").asBoolean(false), dtype,
                (float) root.path("rms_norm_eps").asDouble(1e-6), rope, local, window, List.copyOf(sliding),
                1f / (float) Math.sqrt(queryScalar), root.hasNonNull("pad_token_id") ? root.get("pad_token_id").asInt() : -1);
    }

    private static String text(JsonNode root, String field, String fallback) {
        return root.hasNonNull(field) ? root.get(field).asText() : fallback;
    }

    private static int positive(String name, JsonNode root, String field, Integer fallback) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException(name + ": " + field + " is missing");
            }
            return fallback;
        }
        if (!v.canConvertToInt() || v.asInt() < 1) {
            throw new IllegalArgumentException(name + ": " + field + " must be a positive integer, got " + v);
        }
        return v.asInt();
    }

    /** The parameters by group, in the order of a forward pass. */
    public List<ParameterGroup> parameterGroups() {
        long h = hiddenSize;
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        List<ParameterGroup> groups = new ArrayList<>();
        groups.add(new ParameterGroup("token embedding", (long) vocabSize * h));
        if (family.equals("gpt2")) {
            groups.add(new ParameterGroup("position embedding", (long) maxPositions * h));
            long attention = h * 3 * h + 3 * h + h * h + h;
            long mlp = h * intermediateSize + intermediateSize + (long) intermediateSize * h + h;
            groups.add(new ParameterGroup("attention", layers * attention));
            groups.add(new ParameterGroup("mlp", layers * mlp));
            groups.add(new ParameterGroup("layer norms", layers * 4 * h + 2 * h));
        } else {
            long attention = h * q + 2 * h * kv + q * h + (qkvBias ? q + 2 * kv : 0) + (outputBias ? h : 0);
            long mlp = 3 * h * intermediateSize + (mlpBias ? 2L * intermediateSize + h : 0);
            groups.add(new ParameterGroup("attention", layers * attention));
            if (family.equals("qwen3") || family.equals("gemma3_text")) {
                groups.add(new ParameterGroup("query/key norms", layers * 2L * headDim));
            }
            groups.add(new ParameterGroup("mlp", layers * mlp));
            int norms = family.equals("gemma3_text") ? 4 : 2;
            groups.add(new ParameterGroup("layer norms", layers * norms * h + h));
        }
        if (!tiedEmbeddings) {
            groups.add(new ParameterGroup("output head", (long) vocabSize * h));
        }
        return groups;
    }

    /** All parameters. */
    public long parameterCount() {
        return parameterGroups().stream().mapToLong(ParameterGroup::parameters).sum();
    }

    /**
     * Bytes to train it densely with AdamW in float32: weights, gradients and both moments, 16 per
     * parameter (activations not included: they grow with batch × sequence).
     */
    public long denseTrainingBytes() {
        return 16 * parameterCount();
    }

    /**
     * Bytes to train it with BSR-AdamW at {@code sparsity} in float32: weights and the gradient
     * buffer, 8 per parameter, plus both moments and an index for each active entry, 12 per active
     * entry (activations not included).
     */
    public long bsrTrainingBytes(double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
        }
        long params = parameterCount();
        long active = Math.round(params * (1 - sparsity));
        return 8 * params + 12 * active;
    }
}
