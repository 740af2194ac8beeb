package org.rlcasino.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.rlcasino.bench.MaskShape;
import org.rlcasino.bench.OptimizerBenchmark;
import org.rlcasino.bench.OptimizerBenchmarkReport;
import org.rlcasino.bench.SyntheticMasks;
import org.rlcasino.bench.TorchAdamWComparison;
import org.rlcasino.io.PathGuard;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino bench optimizer}: dense AdamW against BSR-AdamW at several sparsities and mask shapes. */
@Command(name = "optimizer",
        header = "Dense AdamW against BSR-AdamW at several sparsities and mask shapes.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Times dense AdamW against BSR-AdamW side by side in one run (interleaved, after warm-up),",
                "at each sparsity for each mask shape, and prints ms/step (median of repeats), ns/param,",
                "GB/s under a cache-line byte model, the fraction of this machine's STREAM triad bandwidth,",
                "the speed-up vs dense and the optimizer-state size."})
final class BenchOptimizerCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = "--params", converter = ParameterCount.class, defaultValue = "64M", paramLabel = "N",
            description = "Parameters, as 2-D tensors of 1024x4096 (suffixes K, M, G). Default: ${DEFAULT-VALUE}.")
    long params;

    @Option(names = "--sparsities", split = ",", paramLabel = "PCT",
            defaultValue = "0,90,95,97.5,99,99.75",
            description = "Sparsities in percent; 0 times BSR-AdamW with a full mask. Default: ${DEFAULT-VALUE}.")
    List<Double> sparsities;

    @Option(names = "--shapes", split = ",", paramLabel = "SHAPE", defaultValue = "block16x16,row1x64,random",
            converter = MaskShapeConverter.class,
            description = "Mask shapes: block16x16, row1x64, random. Default: ${DEFAULT-VALUE}.")
    List<MaskShape> shapes;

    @picocli.CommandLine.Mixin
    BackendOptions backendOptions = new BackendOptions();

    @Option(names = "--repeats", defaultValue = "15", paramLabel = "R",
            description = "Timed rounds; the median is reported. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "W",
            description = "Warm-up rounds before timing. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of masks and data. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--no-fast-path", negatable = false,
            description = "Run the reference @Parallel sparse kernels instead of the Vector API fast paths.")
    boolean noFastPath;

    @Option(names = "--triad-size", converter = ParameterCount.class, defaultValue = "32M", paramLabel = "N",
            description = "Floats per STREAM triad array (3 arrays); 0 skips it. Default: ${DEFAULT-VALUE}.")
    long triadSize;

    @Option(names = "--vs-torch", description = "Also time PyTorch's CPU AdamW on the same shapes and threads.")
    boolean vsTorch;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "PATH",
            description = "Python with torch for --vs-torch. Default: ${DEFAULT-VALUE}.")
    Path python;

    @Mixin
    BenchOutputOptions output = new BenchOutputOptions();

    @Override
    public void declareFiles(PathGuard files) {
        output.declareFiles(files);
    }

    @Override
    public Integer call() throws Exception {
        int t = backendOptions.threads();
        if (triadSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--triad-size must be below 2^31, got " + triadSize);
        }
        OptimizerBenchmark.Config config = new OptimizerBenchmark.Config(params, sparsities, shapes, warmup, repeats,
                seed, !noFastPath, (int) triadSize);
        OptimizerBenchmark.Result result;
        try (Backend backend = backendOptions.open();
             JvmBackend host = new JvmBackend(t, JvmBackend.DEFAULT_CHUNK_SIZE)) {
            result = new OptimizerBenchmark(backend, host).run(config, new ConsoleProgress(output.quiet));
        }
        TorchAdamWComparison.Result torch = null;
        if (vsTorch) {
            if (!output.quiet) {
                spec.commandLine().getErr().println("timing PyTorch AdamW with " + python + " …");
            }
            torch = TorchAdamWComparison.run(python, SyntheticMasks.matrices(params, OptimizerBenchmark.COLUMNS), t,
                    Math.max(5, repeats / 2));
        }
        spec.commandLine().getOut().print(OptimizerBenchmarkReport.table(result, torch));
        spec.commandLine().getOut().flush();
        if (output.json != null) {
            OptimizerBenchmarkReport.writeJson(output.json, result, torch, BenchWorkspace.machine());
            spec.commandLine().getErr().println("wrote " + output.json);
        }
        return 0;
    }


    /** Converts a mask-shape label. */
    static final class MaskShapeConverter implements picocli.CommandLine.ITypeConverter<MaskShape> {
        @Override
        public MaskShape convert(String value) {
            try {
                return MaskShape.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
