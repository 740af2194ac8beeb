package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rlcasino.bench.MaskBenchmark;
import org.rlcasino.io.PathGuard;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino bench mask}: exact global top-k over a synthetic score file streamed from disk. */
@Command(name = "mask",
        header = "Exact global top-k over N synthetic scores streamed from a file.", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Generates (or reuses) a synthetic score file of N float32 scores (1024x4096 tensors; values a seeded",
                "hash: 9 in 10 uniform with 24 bits, 1 in 10 exactly 0.975, so there are ties at the cut), then builds",
                "the exact global top-k mask from it (JVM backend), streaming it from disk, and reports scores/s,",
                "the kept count (exactly k) and peak memory. N = 1e9 takes 4 GB of disk."})
final class BenchMaskCommand implements Callable<Integer>, DeclaresFiles {
    static final String SCORES_FILE = "rlcasino-bench-scores.arrow";
    static final String MASK_FILE = "rlcasino-bench-mask.arrow";

    @Spec
    CommandSpec spec;

    @Option(names = "--scores", converter = ParameterCount.class, defaultValue = "1G", paramLabel = "N",
            description = "Number of scores (suffixes K, M, G; decimal). Default: ${DEFAULT-VALUE} (10^9, 4 GB on disk).")
    long scores;

    @Option(names = "--sparsity", defaultValue = "97.5", paramLabel = "PCT",
            description = "Target sparsity in percent, in [0, 100). Default: ${DEFAULT-VALUE}.")
    double sparsity;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the score file lives: made there unless already present (kept); the mask file is deleted. "
                    + "Default: a temporary directory, deleted after.")
    Path dir;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the synthetic scores. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    JvmThreadsOptions threads = new JvmThreadsOptions();

    @Mixin
    BenchOutputOptions output = new BenchOutputOptions();

    @Override
    public void declareFiles(PathGuard files) {
        output.declareFiles(files);
    }

    @Override
    public Integer call() throws IOException {
        if (scores < 1) {
            throw new IllegalArgumentException("--scores must be >= 1, got " + scores);
        }
        if (!(sparsity >= 0 && sparsity < 100)) {
            throw new IllegalArgumentException("--sparsity must be a percentage in [0, 100), got " + sparsity);
        }
        int t = threads.threads();
        PrintWriter o = spec.commandLine().getOut();
        try (BenchWorkspace workspace = BenchWorkspace.open(dir, "mask");
             Backend backend = new JvmBackend(t, JvmBackend.DEFAULT_CHUNK_SIZE)) {
            Path where = workspace.path();
            Path mask = where.resolve(MASK_FILE);
            try {
                return report(o, where, MaskBenchmark.run(where.resolve(SCORES_FILE), mask, scores, seed, sparsity / 100,
                        backend, new ConsoleProgress(output.quiet)), t);
            } finally {
                Files.deleteIfExists(mask);
            }
        }
    }

    private int report(PrintWriter o, Path where, MaskBenchmark.Result r, int t) throws IOException {
        o.printf(Locale.ROOT, "scores: %,d float32 in %d tensors, %.2f GB in %s (%s)%n", r.scores(), r.tensors(),
                r.scoreFileBytes() / 1e9, where, r.reused() ? "reused" : String.format(Locale.ROOT, "written in %.1f s", r.generateSeconds()));
        o.printf(Locale.ROOT, "exact global top-k at %.4f%% sparsity: kept %,d (k = %,d: %s), threshold %.6g%n", sparsity, r.kept(),
                r.expectedKept(), r.exact() ? "exact" : "NOT EXACT", r.threshold());
        o.printf(Locale.ROOT, "%.2f s = %.1f M scores/s on %s; mask file %.1f MB%n", r.seconds(), r.scoresPerSecond() / 1e6,
                r.backend(), r.maskBytes() / 1e6);
        o.printf(Locale.ROOT, "peak memory while building: RSS %.0f MB = private %.0f MB (before: %.0f MB) + mapped files %.0f MB; "
                        + "peak heap %.0f MB of max %.0f MB%n", r.peakRssBytes() / 1e6, r.peakAnonBytes() / 1e6,
                r.baselineAnonBytes() / 1e6, r.peakFileBytes() / 1e6, r.peakHeapBytes() / 1e6, r.maxHeapBytes() / 1e6);
        o.flush();
        if (output.json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("format", "rlcasino.bench.mask");
            doc.put("version", 1);
            doc.put("threads", t);
            doc.put("result", r);
            doc.put("exact", r.exact());
            BenchWorkspace.writeJson(output.json, doc);
        }
        return r.exact() ? 0 : 1;
    }
}
