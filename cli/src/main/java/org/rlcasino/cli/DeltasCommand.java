package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.rlcasino.io.PathGuard;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.deltas.CheckpointRef;
import org.rlcasino.io.deltas.CheckpointSeries;
import org.rlcasino.io.deltas.DeltaExtractor;
import org.rlcasino.io.deltas.TensorSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code casino deltas}: weight deltas of a checkpoint series (start or step basis), as an Arrow delta stream. */
@Command(name = "deltas",
        header = "Write the weight deltas of consecutive checkpoints as an Arrow delta stream.", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Writes the weight deltas of a checkpoint series (safetensors files, shard directories or",
                "model.safetensors.index.json; F32/F16/BF16, converted to float32) to an Arrow delta stream, tensor by",
                "tensor and chunk by chunk, so memory stays bounded whatever the model size. --basis start (default,",
                "as the paper's reference code) writes δ_t = θ_t − θ_0 against the first checkpoint; --basis step",
                "writes δ_t = θ_t − θ_(t−1) of consecutive checkpoints. The file records its basis; casino score",
                "converts either to the basis it is asked for.",
                "Checkpoints whose tensors, shapes or dtypes differ are rejected with the differences listed."})
final class DeltasCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Delta stream to write (e.g. deltas.arrow).")
    Path out;

    @Parameters(paramLabel = "CKPT", arity = "0..*",
            description = "Checkpoints in step order (at least two), unless --steps-from is given.")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--steps-from", paramLabel = "DIR",
            description = "Take the checkpoints in DIR (checkpoint-<step>/ as the HF Trainer writes them, or step_<n>.safetensors), sorted by step.")
    Path stepsFrom;

    @Option(names = "--include", paramLabel = "GLOB", description = "Only tensors matching GLOB (repeatable; * matches dots too).")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "Skip tensors matching GLOB (repeatable), e.g. '*.ln_*' or 'wte.*'.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--basis", defaultValue = "start", paramLabel = "B",
            description = "start (θ_t − θ_0, θ_0 the first checkpoint) or step (θ_t − θ_(t−1)). Default: ${DEFAULT-VALUE}.")
    String basis;

    @Option(names = "--tolerance", defaultValue = "0", paramLabel = "T",
            description = "Write |δ| < T as exactly 0 and count it (bf16 runs: Mukherjee et al. use 1e-5). Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--batch-elements", converter = ParameterCount.class, defaultValue = "1M", paramLabel = "N",
            description = "Floats per Arrow record batch: the memory bound of writing and reading. Default: ${DEFAULT-VALUE}.")
    long batchElements;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--verbose", description = "On errors, also print the stack trace.")
    boolean verbose;

    @Override
    public void declareFiles(PathGuard files) {
        files.outputFile("-o", out).inputs("CKPT", checkpoints).input("--steps-from", stepsFrom);
    }

    @Override
    public Integer call() throws IOException {
        return run(); // errors: Casino reports them (exit 2 for bad input; --verbose adds the trace)
    }

    private int run() throws IOException {
        if (stepsFrom != null && !checkpoints.isEmpty()) {
            throw new IllegalArgumentException("give either checkpoints or --steps-from, not both");
        }
        if (batchElements < 1 || batchElements > Batching.MAX_BATCH_ELEMENTS) {
            throw new IllegalArgumentException("--batch-elements must be in [1, " + Batching.MAX_BATCH_ELEMENTS + "], got " + batchElements);
        }
        List<CheckpointRef> series = stepsFrom != null ? CheckpointSeries.scan(stepsFrom) : CheckpointSeries.of(checkpoints);
        if (stepsFrom == null) {
            CheckpointSeries.orderWarning(checkpoints).ifPresent(w -> spec.commandLine().getErr().println("warning: " + w));
        }
        DeltaExtractor.Options options = DeltaExtractor.Options.defaults()
                .withSelection(new TensorSelection(include, exclude))
                .withTolerance(tolerance)
                .withBasis(DeltaBasis.of(basis))
                .withBatching(Batching.ofBatch((int) batchElements));
        long t0 = System.nanoTime();
        DeltaExtractor.Result result = DeltaExtractor.extract(series, out, options, new ConsoleProgress(quiet));
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s: %d steps × %d tensors × %,d deltas (steps %s; %s basis)%n", out,
                result.steps().size(), result.tensors(), result.elementsPerStep(),
                String.join(",", result.steps().stream().map(s -> Integer.toString(s.step())).toList()), options.basis());
        if (tolerance > 0) {
            o.printf(Locale.ROOT, "tolerance %.3g: %,d of %,d deltas written as 0 (%.2f%%)%n", tolerance, result.zeroed(),
                    result.elementsPerStep() * result.steps().size(),
                    100.0 * result.zeroed() / Math.max(1, result.elementsPerStep() * result.steps().size()));
        }
        o.printf(Locale.ROOT, "read %.2f GB of checkpoints in %.2f s (%.2f GB/s)%n", result.bytesRead() / 1e9, seconds,
                result.bytesRead() / 1e9 / seconds);
        o.flush();
        return 0;
    }
}
