package org.rlcasino.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rlcasino.bench.MatmulBenchmark;
import org.rlcasino.io.PathGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino bench matmul}: GFLOP/s of the trainer's matrix products, reference vs Vector API vs PyTorch. */
@Command(name = "matmul",
        header = "GFLOP/s of the trainer's matrix products: reference kernels, Vector API fast paths, PyTorch.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Times the matrix products of one GPT-2 block and the tied head (forward NN, input-gradient NT, "
                + "weight-gradient TN, tied head) with the reference @Parallel kernels and the bit-identical "
                + "Vector API fast paths through the JVM backend, at each thread count, and PyTorch's sgemm "
                + "at the same shapes and threads when a Python with torch is present (torch on a generic "
                + "reference BLAS is refused and its column omitted).")
final class BenchMatmulCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = "--rows", defaultValue = "1024", paramLabel = "M",
            description = "Token rows B·T. Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--width", defaultValue = "256", paramLabel = "C",
            description = "Model width C (layers are C→3C, C→C, C→4C, 4C→C). Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--vocab", defaultValue = "64", paramLabel = "V",
            description = "Vocabulary size of the tied head. Default: ${DEFAULT-VALUE}.")
    int vocab;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", paramLabel = "T",
            description = "JVM (and torch) thread counts. Default: ${DEFAULT-VALUE}.")
    List<Integer> threads;

    @Option(names = "--repeats", defaultValue = "9", paramLabel = "R",
            description = "Timed samples of the fast path (median). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--reference-repeats", defaultValue = "3", paramLabel = "R",
            description = "Timed samples of the slow reference kernels; 0 skips them. Default: ${DEFAULT-VALUE}.")
    int referenceRepeats;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "W",
            description = "Warm-up samples. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--seed", defaultValue = "42", description = "Data seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @picocli.CommandLine.Mixin
    TorchOptions torch = new TorchOptions();

    @Mixin
    BenchOutputOptions output = new BenchOutputOptions();

    @Override
    public void declareFiles(PathGuard files) {
        output.declareFiles(files);
    }

    @Override
    public Integer call() throws Exception {
        if (rows < 1 || width < 1 || vocab < 1) {
            throw new IllegalArgumentException("--rows, --width and --vocab must be >= 1, got " + rows + ", " + width + ", " + vocab);
        }
        MatmulBenchmark.Config config = new MatmulBenchmark.Config(MatmulBenchmark.gpt2Cases(rows, width, vocab),
                threads, warmup, repeats, Math.min(referenceRepeats, repeats), seed, torch.pythonOrNull());
        MatmulBenchmark.Result result = MatmulBenchmark.run(config, new ConsoleProgress(output.quiet));
        spec.commandLine().getOut().print(MatmulBenchmark.table(result));
        spec.commandLine().getOut().flush();
        if (output.json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("format", "rlcasino.bench.matmul");
            doc.put("version", 1);
            doc.put("machine", BenchWorkspace.machine());
            doc.put("rows", rows);
            doc.put("width", width);
            doc.put("vocab", vocab);
            doc.put("result", result);
            BenchWorkspace.writeJson(output.json, doc);
            spec.commandLine().getErr().println("wrote " + output.json);
        }
        return 0;
    }
}
