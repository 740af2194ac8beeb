package org.rlcasino.io.config;

/**
 * The model of a run-config: a random GPT-2 of these sizes (its vocabulary the task tokenizer's),
 * the Hugging Face directory in {@code init} of any family the trainer runs (gpt2, llama,
 * mistral, qwen2, qwen3, gemma3_text; chosen by its config.json's model_type), or a random model of
 * the architecture a directory's config.json describes ({@code config}).
 *
 * @param layers    transformer blocks, {@code >= 1} (default 2; ignored with {@code init})
 * @param heads     attention heads, {@code >= 1}, dividing {@code channels} (default 4; ignored with {@code init})
 * @param channels  embedding width, {@code >= 1} (default 64; ignored with {@code init})
 * @param maxSeqLen longest sequence (prompt + completion), {@code >= 2} (default 32; ignored with {@code init})
 * @param init      a Hugging Face model directory (config.json + model.safetensors, or shards with an index; F32,
 *                  F16 or BF16) to start the first phase from
 * @param config    a directory with a Hugging Face config.json (and the model's tokenizer files): the first phase
 *                  starts from that architecture with random weights drawn from the run seed (normal, std 0.02;
 *                  norms at identity; biases 0); absent with {@code init} absent: a random GPT-2 of the sizes above
 * @param saveDtype the dtype of each phase's {@code final/} weights (Llama/Qwen/Gemma families): {@code float32}
 *                  (default: exact, so a later phase starts from exactly these weights and small RL deltas between
 *                  checkpoints are not lost to rounding), {@code bfloat16}, {@code float16}, or {@code auto} (the
 *                  {@code model.init} checkpoint's own dtype); resume checkpoints are always float32
 */
public record ModelSection(Integer layers, Integer heads, Integer channels, Integer maxSeqLen, String init, String config,
                           String saveDtype) {
    /** The dtypes {@code saveDtype} takes (config.json's torch_dtype names) and {@code auto}. */
    public static final java.util.List<String> SAVE_DTYPES = java.util.List.of("float32", "bfloat16", "float16", "auto");

    public ModelSection {
        layers = atLeast("layers", layers, 2, 1);
        heads = atLeast("heads", heads, 4, 1);
        channels = atLeast("channels", channels, 64, 1);
        maxSeqLen = atLeast("maxSeqLen", maxSeqLen, 32, 2);
        if (channels % heads != 0) {
            throw new IllegalArgumentException("channels (" + channels + ") must be a multiple of heads (" + heads + ")");
        }
        if (init != null && init.isBlank()) {
            throw new IllegalArgumentException("init must be a checkpoint directory, got an empty string");
        }
        if (config != null && config.isBlank()) {
            throw new IllegalArgumentException("config must be a directory with config.json, got an empty string");
        }
        saveDtype = saveDtype == null ? "float32" : saveDtype.strip().toLowerCase(java.util.Locale.ROOT);
        if (!SAVE_DTYPES.contains(saveDtype)) {
            throw new IllegalArgumentException("saveDtype must be one of " + SAVE_DTYPES + ", got '" + saveDtype + "'");
        }
        if (init != null && config != null) {
            throw new IllegalArgumentException("give model.init (start from trained weights) or model.config (random weights of that "
                    + "architecture), not both");
        }
    }

    /** The directory whose tokenizer files the model uses: {@code init} or {@code config}; null for a random GPT-2. */
    public String directory() {
        return init != null ? init : config;
    }

    static int atLeast(String field, Integer value, int fallback, int min) {
        int v = value == null ? fallback : value;
        if (v < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", got " + v);
        }
        return v;
    }
}
