package org.rlcasino.train.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.rlcasino.io.safetensors.CheckpointWriter;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.train.family.DecoderArchitecture;
import org.rlcasino.train.model.Architecture;
import org.rlcasino.train.model.GptConfig;
import org.rlcasino.train.task.CharTokenizer;

/**
 * A Hugging Face model directory of any family the trainer runs, chosen by config.json's
 * {@code model_type}: {@code gpt2} (or none) is GPT-2's format ({@link ModelCheckpoint}); llama,
 * mistral, qwen2, qwen3 and gemma3_text are the decoders of {@link DecoderArchitecture} (one file or
 * shards, F32/F16/BF16, upcast). The trainer's {@code tokenizer.json} sits beside the weights when
 * the directory has one. Saving writes float32 weights, so a later phase starts from exactly the
 * weights this one ended with.
 *
 * @param architecture the model's family and shape
 * @param params       the flat parameter buffer in {@code architecture.layout()} order
 * @param tokenizer    the tokenizer saved beside it, or null
 */
public record ModelDirectory(Architecture architecture, float[] params, CharTokenizer tokenizer) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The dtype a run-config's {@code model.saveDtype} names: float32, bfloat16, float16, or {@code auto}, the
     * dtype of {@code init}'s config.json (float32 when it names none or there is no init).
     */
    public static Dtype saveDtype(String saveDtype, Path init) throws IOException {
        String name = saveDtype;
        if ("auto".equals(saveDtype)) {
            name = init == null || !(readArchitecture(init) instanceof DecoderArchitecture d) || d.config().dtype() == null
                    ? "float32" : d.config().dtype();
        }
        Dtype dtype = Dtype.ofTorchName(name);
        if (dtype == Dtype.F64) {
            throw new IllegalArgumentException("saveDtype: " + name + " weights are not written; use float32, bfloat16 or float16");
        }
        return dtype;
    }

    /** The architecture of {@code dir} from its config.json, without reading the weights. */
    public static Architecture readArchitecture(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such model directory");
        }
        Path file = dir.resolve(ModelCheckpoint.CONFIG);
        JsonNode n;
        try {
            n = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(dir + ": no config.json (expected a Hugging Face model directory: config.json "
                    + "and model.safetensors, or shards with model.safetensors.index.json)");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(file + ": not a JSON object");
        }
        String type = n.path("model_type").asText("gpt2");
        return type.equals("gpt2") ? ModelCheckpoint.readConfig(dir) : DecoderArchitecture.read(dir);
    }

    /** Loads {@code dir}: architecture, weights (by name; missing, unexpected or misshapen tensors named), tokenizer. */
    public static ModelDirectory load(Path dir) throws IOException {
        Architecture architecture = readArchitecture(dir);
        if (architecture instanceof GptConfig) {
            ModelCheckpoint c = ModelCheckpoint.load(dir);
            return new ModelDirectory(c.config(), c.params(), c.tokenizer());
        }
        DecoderArchitecture decoder = (DecoderArchitecture) architecture;
        float[] params = new float[decoder.layout().totalSize()];
        decoder.readWeights(dir, params);
        Path tok = dir.resolve(CharTokenizer.FILE_NAME);
        CharTokenizer tokenizer = null;
        if (Files.isRegularFile(tok)) {
            try {
                tokenizer = CharTokenizer.load(tok);
            } catch (IllegalArgumentException e) {
                tokenizer = null; // a Hugging Face tokenizer.json, not the trainer's: the task brings its own
            }
        }
        return new ModelDirectory(architecture, params, tokenizer);
    }

    /** Writes {@code dir} (created if needed): float32 weights, config.json and the tokenizer. */
    public static void save(Path dir, Architecture architecture, float[] params, CharTokenizer tokenizer) throws IOException {
        save(dir, architecture, params, tokenizer, Dtype.F32);
    }

    /**
     * Writes {@code dir} with the weights in {@code dtype} (F32, BF16 or F16; GPT-2 directories are F32 only), its
     * config.json naming that dtype.
     */
    public static void save(Path dir, Architecture architecture, float[] params, CharTokenizer tokenizer, Dtype dtype)
            throws IOException {
        if (params.length != architecture.layout().totalSize()) {
            throw new IllegalArgumentException("params has " + params.length + " floats, the layout " + architecture.layout().totalSize());
        }
        if (architecture instanceof GptConfig gpt) {
            if (dtype != Dtype.F32) {
                throw new IllegalArgumentException("GPT-2 directories are written as float32; a " + dtype + " copy is for the "
                        + "Llama, Qwen and Gemma families");
            }
            ModelCheckpoint.save(dir, gpt, params, tokenizer);
            return;
        }
        Files.createDirectories(dir);
        ((DecoderArchitecture) architecture).write(dir, params, dtype, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
        if (tokenizer != null) {
            tokenizer.save(dir.resolve(CharTokenizer.FILE_NAME));
        }
    }
}
