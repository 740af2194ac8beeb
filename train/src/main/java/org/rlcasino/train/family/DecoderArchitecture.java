package org.rlcasino.train.family;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlcasino.io.AtomicFileWriter;
import org.rlcasino.io.hf.DecoderConfig;
import org.rlcasino.io.safetensors.CheckpointWriter;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.train.model.Architecture;

/**
 * A Llama-family or Gemma 3 decoder's {@link Architecture}: its {@link DecoderConfig} and the
 * config.json text it came from (written back, with the saved dtype, next to saved weights so
 * that transformers loads the directory), and the reading and writing of its weights by
 * Hugging Face name (one file or shards with an index; F32, F16 or BF16, upcast on reading).
 *
 * @param configJson the config.json text, or null for a config built in code (then it cannot be saved)
 */
public record DecoderArchitecture(DecoderConfig config, String configJson) implements Architecture {
    private static final ObjectMapper JSON = new ObjectMapper();

    public DecoderArchitecture {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        if (config.family().equals("gpt2")) {
            throw new IllegalArgumentException("GPT-2 is GptConfig's architecture; DecoderArchitecture covers "
                    + "llama, mistral, qwen2, qwen3 and gemma3_text");
        }
        if (config.mlpBias()) {
            throw new IllegalArgumentException(config.family() + ": mlp_bias is true; the trainer's MLP projections have no biases");
        }
    }

    /** The architecture of the Hugging Face directory {@code dir} (its config.json). */
    public static DecoderArchitecture read(Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(dir + ": no config.json (expected a Hugging Face model directory)");
        }
        DecoderConfig config = DecoderConfig.read(file);
        refuseUnsupported(file, JSON.readTree(text), config.family());
        return new DecoderArchitecture(config, text);
    }

    /** Settings of config.json the model does not implement, refused by name rather than computed wrongly. */
    static void refuseUnsupported(Path file, com.fasterxml.jackson.databind.JsonNode root, String family) {
        if (root.path("text_config").isObject()) {
            root = root.get("text_config");
        }
        boolean gemma = family.equals("gemma3_text");
        String act = root.path(gemma ? "hidden_activation" : "hidden_act").asText(gemma ? "gelu_pytorch_tanh" : "silu");
        String want = gemma ? "gelu_pytorch_tanh" : "silu";
        if (!act.equals(want)) {
            throw new IllegalArgumentException(file + ": " + (gemma ? "hidden_activation" : "hidden_act") + " '" + act
                    + "' is not supported; " + family + " runs " + want);
        }
        for (String key : new String[] {"attn_logit_softcapping", "final_logit_softcapping"}) {
            if (root.hasNonNull(key)) {
                throw new IllegalArgumentException(file + ": " + key + " is set; logit soft-capping is not supported");
            }
        }
    }

    @Override
    public String family() {
        return config.family();
    }

    @Override
    public ParameterLayout layout() {
        return DecoderModel.layout(config);
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int maxSeqLen() {
        return config.maxPositions();
    }

    /**
     * Per layer the residual stream, the two norms' outputs and statistics, q, k (and their normed,
     * rotated copies with q/k norms), v, the (B, heads, T, T) probabilities, the attended values, the
     * output projection (and Gemma's normed copies), the fused gate/up product and its activation,
     * the down projection; then the final norm, the logits and the log-probs; with {@code backward}
     * one layer's gradient buffers and the logits' gradient.
     */
    @Override
    public long activationBytes(int rows, int seqLen, boolean backward) {
        long n = (long) rows * seqLen;
        long h = config.hiddenSize();
        long q = (long) config.heads() * config.headDim();
        long kv = (long) config.kvHeads() * config.headDim();
        long inter = config.intermediateSize();
        long v = config.vocabSize();
        long att = (long) rows * config.heads() * seqLen * seqLen;
        boolean gemma = config.family().equals("gemma3_text");
        boolean qkNorm = gemma || config.family().equals("qwen3");
        long perLayer = n * h + n * h + n + q * n + kv * n + (qkNorm ? q * n + kv * n + n * config.heads() + n * config.kvHeads() : 0)
                + kv * n + att + q * n + n * h + (gemma ? 2 * (n * h + n) : 0) + n * h + n * h + n + 2 * n * inter + n * inter + n * h;
        long floats = n * h + config.layers() * perLayer + n * h + n + n + n * v + n + n;
        if (backward) {
            floats += n * v + 4 * n * h + n * inter + 2 * n * inter + q * n + q * n + 2 * kv * n + (qkNorm ? q * n + kv * n : 0) + att;
        }
        return 4 * floats + 3L * 4 * n;
    }

    /** The keys and values of every layer for {@code maxLength} positions, one row's attention weights and logits. */
    @Override
    public long generationBytesPerRow(int maxLength) {
        long kv = (long) config.kvHeads() * config.headDim();
        return 4L * (2L * config.layers() * maxLength * kv + (long) config.heads() * maxLength + config.vocabSize()
                + 8L * config.hiddenSize() + 3L * config.intermediateSize());
    }

    @Override
    public DecoderModel create(Backend backend) {
        return new DecoderModel(this, backend);
    }

    /**
     * Reads the weights of {@code directory} by name into {@code into} (in {@link #layout()}'s order);
     * a missing, unexpected or misshapen tensor is an error naming it. A tied head saved alongside the
     * embedding is skipped.
     */
    public void readWeights(Path directory, float[] into) throws IOException {
        ParameterLayout layout = layout();
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(directory)) {
            for (var entry : c.tensors()) {
                String name = entry.name();
                if (!layout.contains(name) && !(name.equals("lm_head.weight") && config.tiedEmbeddings())) {
                    throw new IllegalArgumentException(directory + ": tensor " + name + " is not a parameter of this "
                            + config.family() + " model");
                }
            }
            for (TensorView t : layout.tensors()) {
                if (!c.contains(t.name())) {
                    throw new IllegalArgumentException(directory + ": tensor " + t.name() + " is missing");
                }
                if (c.tensor(t.name()).numel() != t.size()) {
                    throw new IllegalArgumentException(directory + ": tensor " + t.name() + " has " + c.tensor(t.name()).numel()
                            + " elements, the config gives " + t.size());
                }
                c.readFloats(t.name(), 0, into, t.offset(), t.size());
            }
        }
    }

    /**
     * Writes {@code params} as {@code save_pretrained} does ({@link CheckpointWriter}: one file or
     * shards above {@code maxShardBytes}, with an index; F32, F16 or BF16) and the config.json, its
     * {@code dtype} (or {@code torch_dtype}) set to the one written.
     */
    public void write(Path directory, float[] params, Dtype dtype, long maxShardBytes) throws IOException {
        if (configJson == null) {
            throw new IllegalStateException("this " + config.family() + " model was not opened from a directory: "
                    + "there is no config.json to write");
        }
        List<CheckpointWriter.Tensor> tensors = new ArrayList<>();
        for (TensorView t : layout().tensors()) {
            long[] shape = new long[t.shape().length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.shape()[i];
            }
            tensors.add(new CheckpointWriter.Tensor(t.name(), shape, params, t.offset()));
        }
        CheckpointWriter.write(directory, tensors, dtype, maxShardBytes);
        ObjectNode root = (ObjectNode) JSON.readTree(configJson);
        root.put(root.has("torch_dtype") ? "torch_dtype" : "dtype", dtype.torchName());
        AtomicFileWriter.writeString(directory.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    }
}
