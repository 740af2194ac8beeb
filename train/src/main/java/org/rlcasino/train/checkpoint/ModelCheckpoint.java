package org.rlcasino.train.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlcasino.io.AtomicFileWriter;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsFile;
import org.rlcasino.io.safetensors.SafetensorsWriter;
import org.rlcasino.io.safetensors.SafetensorsEntry;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.train.model.GptConfig;
import org.rlcasino.train.task.CharTokenizer;

/**
 * A model directory in Hugging Face GPT-2 format: {@code model.safetensors} (F32, HF tensor names
 * and Conv1D (in, out) layouts, metadata {@code format=pt}), {@code config.json} as
 * {@code transformers.GPT2Config} writes it, and the trainer's {@code tokenizer.json}. Loading also
 * accepts a hub GPT-2 checkpoint: names may carry a {@code transformer.} prefix, the attention-mask
 * buffers ({@code h.N.attn.bias}, {@code h.N.attn.masked_bias}) are skipped and {@code lm_head.weight}
 * (tied to {@code wte.weight}) is ignored; F16/BF16 tensors are widened to F32.
 *
 * @param config    the model shape
 * @param params    the flat parameter buffer in {@link GptConfig#layout()} order
 * @param tokenizer the tokenizer saved beside it, or null when the directory has none (hub checkpoints)
 */
public record ModelCheckpoint(GptConfig config, float[] params, CharTokenizer tokenizer) {
    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes {@code dir} (created if needed); each file appears atomically. */
    public static void save(Path dir, GptConfig config, float[] params, CharTokenizer tokenizer) throws IOException {
        ParameterLayout layout = config.layout();
        if (params.length != layout.totalSize()) {
            throw new IllegalArgumentException("params has " + params.length + " floats, the layout " + layout.totalSize());
        }
        Files.createDirectories(dir);
        SafetensorsWriter.Builder b = SafetensorsWriter.builder().metadata("format", "pt");
        for (TensorView t : layout.tensors()) {
            long[] shape = new long[t.shape().length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.shape()[i];
            }
            int offset = t.offset();
            int size = t.size();
            b.add(t.name(), Dtype.F32, shape, sink -> sink.writeFloats(params, offset, size));
        }
        b.build().write(dir.resolve(WEIGHTS));
        AtomicFileWriter.writeString(dir.resolve(CONFIG), configJson(config));
        if (tokenizer != null) {
            tokenizer.save(dir.resolve(CharTokenizer.FILE_NAME));
        }
    }

    /** The {@code config.json} of {@code config}, as {@code GPT2Config(...).to_json_string()} writes the fields that matter. */
    static String configJson(GptConfig c) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("model_type", "gpt2");
        o.put("vocab_size", c.vocabSize());
        o.put("n_positions", c.maxSeqLen());
        o.put("n_ctx", c.maxSeqLen());
        o.put("n_embd", c.channels());
        o.put("n_layer", c.numLayers());
        o.put("n_head", c.numHeads());
        o.putNull("n_inner");
        o.put("activation_function", "gelu_new");
        o.put("layer_norm_epsilon", (double) GptConfig.LAYER_NORM_EPS);
        o.put("initializer_range", 0.02);
        o.put("resid_pdrop", 0.0);
        o.put("embd_pdrop", 0.0);
        o.put("attn_pdrop", 0.0);
        o.put("scale_attn_weights", true);
        o.put("tie_word_embeddings", true);
        o.put("use_cache", true);
        o.put("bos_token_id", CharTokenizer.END);
        o.put("eos_token_id", CharTokenizer.END);
        o.put("torch_dtype", "float32");
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    }

    /** Reads the shape from {@code dir/config.json}. */
    public static GptConfig readConfig(Path dir) throws IOException {
        Path file = dir.resolve(CONFIG);
        JsonNode n;
        try {
            n = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(dir + ": no config.json (expected a Hugging Face GPT-2 model directory: "
                    + "model.safetensors + config.json)");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(file + ": not a JSON object");
        }
        String type = n.path("model_type").asText("gpt2");
        if (!type.equals("gpt2")) {
            throw new IllegalArgumentException(file + ": model_type is '" + type + "'; only gpt2 checkpoints load");
        }
        String act = n.path("activation_function").asText("gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new IllegalArgumentException(file + ": activation_function '" + act + "' is not GPT-2's tanh GELU (gelu_new)");
        }
        double eps = n.path("layer_norm_epsilon").asDouble(1e-5);
        if (Math.abs(eps - 1e-5) > 1e-9) {
            throw new IllegalArgumentException(file + ": layer_norm_epsilon " + eps + " differs from the trainer's 1e-5");
        }
        if (!n.path("tie_word_embeddings").asBoolean(true)) {
            throw new IllegalArgumentException(file + ": tie_word_embeddings is false; the trainer ties lm_head to wte");
        }
        if (n.hasNonNull("n_inner")) {
            throw new IllegalArgumentException(file + ": n_inner is set; the trainer's MLP is 4·n_embd wide");
        }
        return new GptConfig(required(n, file, "vocab_size"),
                n.has("n_positions") ? required(n, file, "n_positions") : required(n, file, "n_ctx"),
                required(n, file, "n_layer"), required(n, file, "n_head"), required(n, file, "n_embd"));
    }

    private static int required(JsonNode n, Path file, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException(file + ": " + key + " is missing or not an integer");
        }
        return v.intValue();
    }

    /** Loads {@code dir}; mismatched shapes, missing or unexpected tensors are errors that name them. */
    public static ModelCheckpoint load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such model directory");
        }
        GptConfig config = readConfig(dir);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException(dir + ": no " + WEIGHTS);
        }
        ParameterLayout layout = config.layout();
        float[] params = new float[layout.totalSize()];
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            Set<String> unused = new LinkedHashSet<>();
            for (SafetensorsEntry t : file.tensors()) {
                unused.add(t.name());
            }
            List<String> missing = new ArrayList<>();
            for (TensorView view : layout.tensors()) {
                String name = view.name();
                String stored = file.contains(name) ? name : file.contains("transformer." + name) ? "transformer." + name : null;
                if (stored == null) {
                    missing.add(name);
                    continue;
                }
                unused.remove(stored);
                SafetensorsEntry info = file.tensor(stored);
                long[] expected = new long[view.shape().length];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = view.shape()[i];
                }
                if (!java.util.Arrays.equals(info.shape(), expected)) {
                    throw new IllegalArgumentException(weights + ": tensor " + stored + " has shape "
                            + java.util.Arrays.toString(info.shape()) + ", config.json implies "
                            + java.util.Arrays.toString(expected));
                }
                file.readFloats(stored, 0, params, view.offset(), view.size());
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(weights + ": missing tensor" + (missing.size() > 1 ? "s " : " ")
                        + String.join(", ", missing.subList(0, Math.min(8, missing.size())))
                        + (missing.size() > 8 ? " and " + (missing.size() - 8) + " more" : ""));
            }
            unused.removeIf(ModelCheckpoint::ignorable);
            if (!unused.isEmpty()) {
                throw new IllegalArgumentException(weights + ": unexpected tensor(s) " + String.join(", ", unused)
                        + " (not part of a tied GPT-2 of this config)");
            }
        }
        Path tok = dir.resolve(CharTokenizer.FILE_NAME);
        CharTokenizer tokenizer = Files.isRegularFile(tok) ? CharTokenizer.load(tok) : null;
        if (tokenizer != null && tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException(tok + ": " + tokenizer.vocabSize() + " tokens, but vocab_size is " + config.vocabSize());
        }
        return new ModelCheckpoint(config, params, tokenizer);
    }

    private static boolean ignorable(String name) {
        String n = name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
        return n.equals("lm_head.weight") || n.matches("h\\.\\d+\\.attn\\.(bias|masked_bias)");
    }
}
