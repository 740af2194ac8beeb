package org.rlcasino.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rlcasino.io.PathGuard;
import org.rlcasino.kernels.Backend;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.tokenizers.chat.ChatEncoding;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.model.Architecture;
import org.rlcasino.train.model.LanguageModel;
import org.rlcasino.train.model.SamplingOptions;
import org.rlcasino.train.model.TokenGenerator;
import org.rlcasino.train.rng.SplitMix64;
import org.rlcasino.train.task.CharTokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino sample}: continue a prompt with a model of any supported family. */
@Command(name = "sample", header = "Continue a prompt with a model (greedy or sampled), any supported family.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Loads a model directory: one written by 'casino train' (with the trainer's tokenizer.json), or a",
                "Hugging Face directory of GPT-2, Llama, Mistral, Qwen2, Qwen3 or Gemma 3 (config.json + safetensors,",
                "sharded or not, F32/F16/BF16). With --prompt TEXT it encodes the prompt with the directory's tokenizer (the",
                "trainer's, or a Hugging Face tokenizer.json with its special tokens, e.g. BOS) and prints the prompt followed by",
                "the decoded continuation, up to the end (eos) token. With --chat TEXT it renders TEXT as a user message with",
                "the directory's chat template (generation prompt added, as apply_chat_template) and prints the model's reply,",
                "up to the template's end-of-turn token. With --prompt-ids 1,2,3 it prints the generated token",
                "ids, comma-separated, one line per sample; --logprobs adds a tab and the model's log-probability of each",
                "generated token (temperature 1, all tokens), comma-separated."})
final class SampleCommand implements Callable<Integer>, DeclaresFiles {
    /** The most new tokens by default (a family's context may be 128k). */
    static final int DEFAULT_MAX_NEW = 256;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory, e.g. runs/quickstart/sft/final.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    static final class Prompt {
        @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "Prompt text, e.g. \"37+45=\" (the directory's tokenizer).")
        String text;

        @Option(names = "--prompt-ids", required = true, split = ",", paramLabel = "ID", description = "Prompt token ids, e.g. 1,2,3.")
        int[] ids;

        @Option(names = "--chat", required = true, paramLabel = "TEXT",
                description = "A user message, rendered with the directory's chat template (tokenizer_config.json or chat_template.jinja).")
        String chat;
    }

    @ArgGroup(exclusive = true)
    Mode mode = new Mode();

    static final class Mode {
        @Option(names = "--greedy", description = "Take the most likely token (the default).")
        boolean greedy;

        @Option(names = "--temperature", paramLabel = "T", description = "Sample at temperature T > 0.")
        Float temperature;
    }

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Sample among the K most likely tokens; 0 = all. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--max-new", paramLabel = "N", description = "Most tokens to generate. Default: up to the model's context, at most "
            + DEFAULT_MAX_NEW + ".")
    Integer maxNew;

    @Option(names = "--stop-id", paramLabel = "ID", description = "Stop a sample after this token (kept). Default: the tokenizer's eos "
            + "token with --prompt, none with --prompt-ids.")
    Integer stopId;

    @Option(names = "--logprobs", description = "With --prompt-ids: also print each generated token's log-probability.")
    boolean logprobs;

    @Option(names = "--samples", defaultValue = "1", paramLabel = "N", description = "Continuations to print. Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--verbose", description = "On errors, also print the stack trace.")
    boolean verbose;

    @Mixin
    BackendOptions backendOptions = new BackendOptions();

    @Override
    public void declareFiles(PathGuard files) {
        files.input("--model", model);
    }

    @Override
    public Integer call() throws Exception {
        ModelDirectory c = ModelDirectory.load(model);
        Architecture architecture = c.architecture();
        CharTokenizer tok = c.tokenizer();
        boolean chat = prompt.chat != null;
        boolean text = prompt.text != null || chat;
        // the trainer's character tokenizer, else the directory's Hugging Face tokenizer.json
        Tokenizer hf = null;
        ChatEncoding encoding = null;
        if (chat) {
            if (!Files.isRegularFile(model.resolve("tokenizer.json"))) {
                throw new IllegalArgumentException(model + ": no tokenizer.json, which --chat needs with the chat template");
            }
            encoding = ChatEncoding.fromModelDirectory(model);
            hf = encoding.tokenizer();
            tok = null;
        } else if (text && tok == null) {
            if (!Files.isRegularFile(model.resolve("tokenizer.json"))) {
                throw new IllegalArgumentException(model + ": no tokenizer.json; give the prompt as token ids with --prompt-ids 1,2,3");
            }
            hf = Tokenizer.load(model);
        }
        if (text && logprobs) {
            throw new IllegalArgumentException("--logprobs goes with --prompt-ids");
        }
        if (tok != null && text && stopId != null) {
            throw new IllegalArgumentException("--stop-id goes with --prompt-ids or a Hugging Face tokenizer (this model stops at its end token)");
        }
        if (chat && prompt.chat.isEmpty()) {
            throw new IllegalArgumentException("--chat must not be empty");
        }
        int[] p = chat ? encoding.prompt(List.of(Map.of("role", "user", "content", prompt.chat)))
                : !text ? prompt.ids : tok != null ? tok.encode(prompt.text) : hf.encode(prompt.text, true);
        if (p.length == 0) {
            throw new IllegalArgumentException(text ? "--prompt must not be empty" : "--prompt-ids must not be empty");
        }
        for (int id : p) {
            if (id < 0 || id >= architecture.vocabSize()) {
                throw new IllegalArgumentException("prompt token " + id + " is outside the model's vocabulary [0, "
                        + architecture.vocabSize() + ")");
            }
        }
        int stop = stopId != null ? stopId : tok != null && text ? CharTokenizer.END
                : chat && encoding.endOfTurn().isPresent() ? encoding.endOfTurn().getAsInt()
                : hf != null ? hf.eosId().orElse(-1) : -1;
        if (stop < -1 || stop >= architecture.vocabSize()) {
            throw new IllegalArgumentException("--stop-id must be a token id in [0, " + architecture.vocabSize() + "), got " + stop);
        }
        int room = architecture.maxSeqLen() - p.length;
        if (room < 1) {
            throw new IllegalArgumentException("the prompt has " + p.length + " tokens; the model's context is " + architecture.maxSeqLen());
        }
        int n = maxNew == null ? Math.min(room, DEFAULT_MAX_NEW) : maxNew;
        if (n < 1 || n > room) {
            throw new IllegalArgumentException("--max-new must be in [1, " + room + "] for this prompt, got " + n);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
        }
        SamplingOptions options = mode.temperature == null ? SamplingOptions.GREEDY
                : new SamplingOptions(false, mode.temperature, topK);
        if (mode.temperature == null && topK != 0) {
            throw new IllegalArgumentException("--top-k goes with --temperature T");
        }
        PrintWriter o = spec.commandLine().getOut();
        try (Backend backend = backendOptions.open(); LanguageModel m = architecture.create(backend)) {
            System.arraycopy(c.params(), 0, m.parameters(), 0, c.params().length);
            m.parametersWritten();
            int[][] prompts = new int[samples][];
            java.util.Arrays.fill(prompts, p);
            int[][] out;
            try (TokenGenerator generator = m.generator(samples, p.length + n)) {
                out = generator.generate(prompts, n, stop, options, new SplitMix64(seed));
            }
            float[][] scores = logprobs ? generatedLogProbs(m, p, out) : null;
            for (int r = 0; r < out.length; r++) {
                if (chat) {
                    o.println(decodeKnown(hf, out[r]));
                    continue;
                }
                if (text) {
                    o.println(prompt.text + (tok != null ? tok.decode(out[r]) : decodeKnown(hf, out[r])));
                    continue;
                }
                StringBuilder line = new StringBuilder();
                for (int j = 0; j < out[r].length; j++) {
                    line.append(j == 0 ? "" : ",").append(out[r][j]);
                }
                if (scores != null) {
                    line.append('\t');
                    for (int j = 0; j < scores[r].length; j++) {
                        line.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", scores[r][j]));
                    }
                }
                o.println(line);
            }
        }
        o.flush();
        return 0;
    }

    /**
     * The text of {@code ids} without special tokens; ids the tokenizer does not know (a model's
     * vocabulary is often padded past its tokenizer's) are left out, as Hugging Face's decode does.
     */
    static String decodeKnown(Tokenizer tokenizer, int[] ids) {
        return tokenizer.decode(java.util.Arrays.stream(ids).filter(id -> tokenizer.token(id).isPresent()).toArray(), true);
    }

    /** Each generated token's log-probability: one forward over prompt + continuation, rows padded. */
    static float[][] generatedLogProbs(LanguageModel m, int[] prompt, int[][] out) {
        int longest = 0;
        for (int[] row : out) {
            longest = Math.max(longest, row.length);
        }
        int t = prompt.length + longest;
        int rows = out.length;
        int[] tokens = new int[rows * t];
        int[] targets = new int[rows * t];
        java.util.Arrays.fill(targets, -1);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(prompt, 0, tokens, r * t, prompt.length);
            System.arraycopy(out[r], 0, tokens, r * t + prompt.length, out[r].length);
            for (int j = 0; j < out[r].length; j++) {
                targets[r * t + prompt.length - 1 + j] = out[r][j];
            }
        }
        float[] logp = m.forward(tokens, targets, rows, t);
        float[][] scores = new float[rows][];
        for (int r = 0; r < rows; r++) {
            scores[r] = new float[out[r].length];
            for (int j = 0; j < out[r].length; j++) {
                scores[r][j] = logp[r * t + prompt.length - 1 + j];
            }
        }
        return scores;
    }
}
