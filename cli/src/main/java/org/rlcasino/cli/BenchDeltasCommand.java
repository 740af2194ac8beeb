package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rlcasino.bench.DeltaBenchmark;
import org.rlcasino.bench.SyntheticCheckpoints;
import org.rlcasino.io.PathGuard;
import org.rlcasino.io.deltas.DeltaExtractor;
import org.rlcasino.io.safetensors.Dtype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino bench deltas}: casino deltas on a synthetic checkpoint series against mmap read bandwidth. */
@Command(name = "deltas",
        header = "casino deltas on a synthetic checkpoint series against mmap read bandwidth.", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Generates (or reuses) a synthetic checkpoint series (1024x4096 tensors, a tenth of the entries",
                "moving each step), measures sequential read bandwidth through mmap on it, then runs the deltas",
                "extraction on it in the same process and reports its read rate, the ratio, and peak memory."})
final class BenchDeltasCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = "--size", converter = ParameterCount.class, defaultValue = "1G", paramLabel = "BYTES",
            description = "Total size of the series (suffixes K, M, G; decimal). Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--checkpoints", defaultValue = "4", paramLabel = "N", description = "Checkpoints in the series. Default: ${DEFAULT-VALUE}.")
    int checkpoints;

    @Option(names = "--dtype", converter = BenchWorkspace.FloatDtype.class, defaultValue = "BF16", paramLabel = "DTYPE", description = "F32, F16 or BF16. Default: ${DEFAULT-VALUE}.")
    Dtype type;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the series lives: generated there unless already present (kept). Default: a temporary directory, deleted after.")
    Path dir;

    @Option(names = "--out-dir", paramLabel = "DIR",
            description = "Where the delta file is written (e.g. /dev/shm to leave the disk out). Default: the series directory.")
    Path outDir;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the synthetic values. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    BenchOutputOptions output = new BenchOutputOptions();

    @Override
    public void declareFiles(PathGuard files) {
        output.declareFiles(files);
    }

    @Override
    public Integer call() throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("--size must be > 0, got " + size);
        }
        try (BenchWorkspace workspace = BenchWorkspace.open(dir, "deltas")) {
            Path where = workspace.path();
            ConsoleProgress progress = new ConsoleProgress(output.quiet);
            List<Path> series = SyntheticCheckpoints.generate(where, size, checkpoints, type, seed, progress);
            Path out = (outDir == null ? where : outDir).resolve("rlcasino-bench-deltas.arrow");
            DeltaBenchmark.Result r = DeltaBenchmark.run(series, out, DeltaExtractor.Options.defaults(), progress);
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "series: %d %s checkpoints, %.2f GB in %s; deltas written to %s%n", r.checkpoints(), type,
                    r.seriesBytes() / 1e9, where, out.getParent());
            o.printf(Locale.ROOT, "sequential mmap read (best of 3, page cache warm): %.2f GB/s%n", r.mappedReadGBps());
            o.printf(Locale.ROOT, "casino deltas: %.2f s, read %.2f GB of checkpoints = %.2f GB/s = %.0f%% of the mmap read rate; "
                    + "wrote %.2f GB of float32 deltas%n", r.deltasSeconds(), r.bytesRead() / 1e9, r.deltasReadGBps(),
                    100 * r.fractionOfMappedRead(), r.outputBytes() / 1e9);
            o.printf(Locale.ROOT, "peak memory during extraction: RSS %.0f MB = private %.0f MB (before: %.0f MB) + mapped files %.0f MB; "
                    + "stated bound of the extraction's buffers %.0f MB%n", r.peakRssBytes() / 1e6, r.peakAnonBytes() / 1e6,
                    r.baselineAnonBytes() / 1e6, r.peakFileBytes() / 1e6, r.heapBoundBytes() / 1e6);
            o.flush();
            if (output.json != null) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("format", "rlcasino.bench.deltas");
                doc.put("version", 1);
                doc.put("dtype", type.name());
                doc.put("result", r);
                doc.put("deltasReadGBps", r.deltasReadGBps());
                doc.put("fractionOfMappedRead", r.fractionOfMappedRead());
                BenchWorkspace.writeJson(output.json, doc);
            }
            Files.deleteIfExists(out);
            return 0;
        }
    }
}
