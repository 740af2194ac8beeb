package org.rlcasino.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.rlcasino.bench.MaskShape;
import org.rlcasino.bench.TrainStepBenchmark;
import org.rlcasino.io.PathGuard;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.BackendProvider;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.model.GptConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino bench train}: training-step time of the Java GPT-2 trainer against PyTorch, dense vs BSR-AdamW. */
@Command(name = "train",
        header = "Training-step time of the Java GPT-2 trainer vs PyTorch; dense AdamW vs BSR-AdamW.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Times forward+backward+optimizer steps of this project's GPT-2 trainer on the JVM backend (or TornadoVM) "
                + "with dense AdamW and with BSR-AdamW at each sparsity (arms interleaved after warm-up), and "
                + "the same GPT-2 (pre-LN, GELU tanh, tied head) in PyTorch with torch.optim.AdamW at the "
                + "same batch, sequence length and thread count, in the same run. Prints median (min-max) "
                + "step time, the forward+backward / optimizer split, tokens/s and the ratios. PyTorch on a "
                + "generic reference BLAS is refused (its column omitted, with the reason).")
final class BenchTrainCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Time this Hugging Face model directory (any family casino "
            + "trains; its weights) instead of a random GPT-2: --channels, --layers, --heads and --vocab are then ignored; T is --seq-len; "
            + "no PyTorch arm.")
    Path modelDir;

    @Option(names = "--channels", defaultValue = "256", paramLabel = "C", description = "Width C. Default: ${DEFAULT-VALUE}.")
    int channels;

    @Option(names = "--layers", defaultValue = "4", paramLabel = "L", description = "Blocks L. Default: ${DEFAULT-VALUE}.")
    int layers;

    @Option(names = "--heads", defaultValue = "4", paramLabel = "NH", description = "Attention heads. Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(names = "--seq-len", defaultValue = "64", paramLabel = "T", description = "Sequence length T. Default: ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "Sequences per step B. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--vocab", defaultValue = "64", paramLabel = "V", description = "Vocabulary V. Default: ${DEFAULT-VALUE}.")
    int vocab;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "T",
            description = "JVM backend threads, and torch threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--sparsities", split = ",", paramLabel = "PCT", defaultValue = "90,97.5,99",
            description = "BSR-AdamW sparsities in percent. Default: ${DEFAULT-VALUE}.")
    List<Double> sparsities;

    @Option(names = {"--mask-shape", "--block"}, defaultValue = "block16", paramLabel = "SHAPE",
            description = "Masks of the BSR arms: block16, block32, row64 (1x64 stripes), any RxC block, or element (random "
                    + "entries, whose backward computes dW over their 16x16 block cover, as the trainer does). "
                    + "Default: ${DEFAULT-VALUE}.")
    String block;

    @Option(names = "--frozen-embeddings", description = "BSR arms: the embeddings (wte and wpe; embed_tokens) get no active entry (no tied head dW, no "
            + "embedding backward), as an RL fine-tune that freezes the embeddings.")
    boolean frozenEmbeddings;

    @Option(names = "--repeats", defaultValue = "10", paramLabel = "R",
            description = "Timed steps per arm. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "W",
            description = "Warm-up steps per arm. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of weights, batch and masks. Default: ${DEFAULT-VALUE}.")
    long seed;

    @picocli.CommandLine.Mixin
    TorchOptions torch = new TorchOptions();

    @Option(names = "--backend", defaultValue = "jvm", paramLabel = "KIND",
            description = "Where the trainer's kernels run: jvm, or tornado (bin/casino --backend tornado, TORNADOVM_HOME); "
                    + "on tornado each arm also gets bytes to and from the device, graph runs and kernel launches per step, "
                    + "and the backward is not split into dX and dW. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--device", paramLabel = "D:N", description = "Device as driver:device (see 'casino devices').")
    String device;

    @Mixin
    BenchOutputOptions output = new BenchOutputOptions();

    @Override
    public void declareFiles(PathGuard files) {
        if (modelDir != null) {
            files.input("--model", modelDir);
        }
        output.declareFiles(files);
    }

    @Override
    public Integer call() throws Exception {
        BlockShape gradientBlock = block.equalsIgnoreCase("element") ? BlockShape.DEFAULT : null;
        TrainStepBenchmark.Config config = modelDir != null
                ? new TrainStepBenchmark.Config(ModelDirectory.readArchitecture(modelDir), batch, threads, warmup, repeats,
                        sparsities, parseBlock(block), seed, null, frozenEmbeddings, gradientBlock, seqLen, modelDir)
                : TrainStepBenchmark.Config.gpt(new GptConfig(vocab, seqLen, layers, heads, channels), batch, threads, warmup,
                        repeats, sparsities, parseBlock(block), seed, torch.pythonOrNull(), frozenEmbeddings, gradientBlock);
        if (device != null && !device.matches("\\d+:\\d+")) {
            throw new IllegalArgumentException("--device must look like 0:0 (driver:device), got '" + device + "'");
        }
        TrainStepBenchmark.Result result;
        try (Backend on = BackendProvider.of(backend).create(threads, device)) {
            result = TrainStepBenchmark.run(config, on, new ConsoleProgress(output.quiet));
        }
        spec.commandLine().getOut().print(TrainStepBenchmark.table(result));
        spec.commandLine().getOut().flush();
        if (output.json != null) {
            BenchWorkspace.writeJson(output.json, TrainStepBenchmark.json(result, BenchWorkspace.machine()));
            spec.commandLine().getErr().println("wrote " + output.json);
        }
        return 0;
    }

    /** {@code block16}, {@code block32}, {@code row64}, {@code element} (1×1) or {@code RxC}: {@link MaskShape#blockOf}. */
    static BlockShape parseBlock(String text) {
        try {
            return MaskShape.blockOf(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mask-shape must be block16, block32, row64, element or RxC (e.g. 16x16), got '"
                    + text + "'", e);
        }
    }
}
