package org.rlcasino.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.rlcasino.io.PathGuard;
import org.rlcasino.kernels.Backend;
import org.rlcasino.train.checkpoint.ModelCheckpoint;
import org.rlcasino.train.model.GptGenerator;
import org.rlcasino.train.model.GptModel;
import org.rlcasino.train.model.SamplingOptions;
import org.rlcasino.train.rng.SplitMix64;
import org.rlcasino.train.task.CharTokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino sample}: continue a prompt with a trained checkpoint. */
@Command(name = "sample", header = "Continue a prompt with a trained model (greedy or sampled).",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Loads a model directory written by 'casino train' (model.safetensors + config.json + tokenizer.json)",
                "and prints the prompt followed by the model's continuation, up to the end token."})
final class SampleCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory, e.g. runs/quickstart/sft/final.")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "Prompt, e.g. \"37+45=\".")
    String prompt;

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

    @Option(names = "--max-new", paramLabel = "N", description = "Most tokens to generate. Default: up to the model's context.")
    Integer maxNew;

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
        ModelCheckpoint c = ModelCheckpoint.load(model);
        CharTokenizer tok = c.tokenizer();
        if (tok == null) {
            throw new IllegalArgumentException(model + ": no tokenizer.json; sample needs a model trained by 'casino train'");
        }
        int[] p = tok.encode(prompt);
        if (p.length == 0) {
            throw new IllegalArgumentException("--prompt must not be empty");
        }
        int room = c.config().maxSeqLen() - p.length;
        if (room < 1) {
            throw new IllegalArgumentException("--prompt has " + p.length + " tokens; the model's context is " + c.config().maxSeqLen());
        }
        int n = maxNew == null ? room : maxNew;
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
        try (Backend backend = backendOptions.open(); GptModel m = new GptModel(c.config(), backend)) {
            System.arraycopy(c.params(), 0, m.parameters(), 0, c.params().length);
            int[][] prompts = new int[samples][];
            java.util.Arrays.fill(prompts, p);
            int[][] out = new GptGenerator(m, samples).generate(prompts, n, CharTokenizer.END, options, new SplitMix64(seed));
            for (int[] row : out) {
                o.println(prompt + tok.decode(row));
            }
        }
        o.flush();
        return 0;
    }
}
