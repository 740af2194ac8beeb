package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rlcasino.bench.ScoringBenchmark;
import org.rlcasino.bench.SyntheticCheckpoints;
import org.rlcasino.io.PathGuard;
import org.rlcasino.io.config.ScorerName;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.scoring.MomentumFormula;
import org.rlcasino.scoring.MomentumScorer;
import org.rlcasino.scoring.StreamingScorer;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino bench scoring}: the streaming scorers on a synthetic delta file against mmap read bandwidth. */
@Command(name = "scoring",
        header = "Each scorer on a synthetic delta file against its mmap read bandwidth.", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Generates (or reuses) a synthetic checkpoint series (as 'casino bench deltas') and its delta file,",
                "measures sequential read bandwidth through mmap on the delta file, then runs each scorer once on it",
                "(JVM backend) in the same process and reports GB/s of deltas read, the fraction of the mmap rate,",
                "entries/s and peak memory."})
final class BenchScoringCommand implements Callable<Integer>, DeclaresFiles {
    static final String DELTAS_FILE = "rlcasino-bench-deltas.arrow";

    @Spec
    CommandSpec spec;

    @Option(names = "--size", converter = ParameterCount.class, defaultValue = "1G", paramLabel = "BYTES",
            description = "Total size of the checkpoint series (suffixes K, M, G; decimal). Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--checkpoints", defaultValue = "4", paramLabel = "N",
            description = "Checkpoints in the series (N-1 delta steps). Default: ${DEFAULT-VALUE}.")
    int checkpoints;

    @Option(names = "--dtype", converter = BenchWorkspace.FloatDtype.class, defaultValue = "BF16", paramLabel = "DTYPE", description = "F32, F16 or BF16. Default: ${DEFAULT-VALUE}.")
    Dtype type;

    @Option(names = "--methods", defaultValue = "magnitude,fisher,momentum", split = ",", paramLabel = "M[,M…]",
            description = "Scorers to run, in order: magnitude, fisher, momentum. Default: ${DEFAULT-VALUE}.")
    List<String> methods;

    @Option(names = "--window", defaultValue = "5", paramLabel = "W", description = "Momentum window (velocities). Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the series and its delta file live: made there unless already present (kept). Default: a temporary directory, deleted after.")
    Path dir;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the synthetic values. Default: ${DEFAULT-VALUE}.")
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
        if (size < 1) {
            throw new IllegalArgumentException("--size must be > 0, got " + size);
        }
        if (checkpoints < 3) {
            throw new IllegalArgumentException("--checkpoints must be >= 3 (momentum needs two delta steps), got " + checkpoints);
        }
        List<ScorerName> names = new ArrayList<>();
        for (String m : new LinkedHashSet<>(methods)) {
            names.add(ScorerName.parse("--methods", m, ScorerName.SCORERS));
        }
        int t = threads.threads();
        PrintWriter o = spec.commandLine().getOut();
        try (BenchWorkspace workspace = BenchWorkspace.open(dir, "scoring");
             Backend backend = new JvmBackend(t, JvmBackend.DEFAULT_CHUNK_SIZE)) {
            Path where = workspace.path();
            List<StreamingScorer> scorers = new ArrayList<>();
            for (ScorerName m : names) {
                scorers.add(StreamingScorer.of(m, backend, MomentumFormula.PAPER, window, MomentumScorer.DEFAULT_EPS));
            }
            ConsoleProgress progress = new ConsoleProgress(output.quiet);
            List<Path> series = SyntheticCheckpoints.generate(where, size, checkpoints, type, seed, progress);
            long seriesBytes = seriesBytes(series);
            Path deltas = where.resolve(DELTAS_FILE);
            ScoringBenchmark.Result r = ScoringBenchmark.run(series, deltas, where, scorers, progress, progress,
                    new ScoringBenchmark.Listener() {
                        @Override
                        public void mappedRead(double gbPerSecond, long bytes) {
                            o.printf(Locale.ROOT, "series: %d %s checkpoints, %.2f GB in %s; deltas: %.2f GB (%s)%n", series.size(), type,
                                    seriesBytes / 1e9, where, bytes / 1e9, deltas.getFileName());
                            o.printf(Locale.ROOT, "sequential mmap read of the deltas (best of 3, page cache warm): %.2f GB/s%n", gbPerSecond);
                            o.flush();
                        }

                        @Override
                        public void method(ScoringBenchmark.MethodResult m) {
                            o.printf(Locale.ROOT, "%-9s %.2f s, read %.2f GB of deltas (%d steps) = %.2f GB/s = %.0f%% of the mmap read rate; "
                                            + "%.1f M entries/s (%.0f M deltas/s); state %.0f MB; peak RSS %.0f MB (private %.0f MB, mapped files %.0f MB)%n",
                                    m.method() + ":", m.seconds(), m.bytesRead() / 1e9, m.stepsUsed(), m.gbPerSecond(),
                                    100 * m.fractionOfMappedRead(), m.entriesPerSecond() / 1e6, m.deltasPerSecond() / 1e6,
                                    m.stateBytes() / 1e6, m.peakRssBytes() / 1e6, m.peakAnonBytes() / 1e6, m.peakFileBytes() / 1e6);
                            o.flush();
                        }
                    });
            o.printf(Locale.ROOT, "backend %s; private memory before scoring %.0f MB; deltas %s%s%n", backend.name(),
                    r.baselineAnonBytes() / 1e6, r.deltasReused() ? "reused" : "extracted in",
                    r.deltasReused() ? "" : String.format(Locale.ROOT, " %.2f s", r.extractSeconds()));
            o.flush();
            if (output.json != null) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("format", "rlcasino.bench.scoring");
                doc.put("version", 1);
                doc.put("dtype", type.name());
                doc.put("checkpoints", series.size());
                doc.put("seriesBytes", seriesBytes);
                doc.put("backend", backend.name());
                doc.put("threads", t);
                doc.put("result", r);
                BenchWorkspace.writeJson(output.json, doc);
            }
            return 0;
        }
    }

    private static long seriesBytes(List<Path> series) throws IOException {
        long total = 0;
        for (Path p : series) {
            total += Files.size(p);
        }
        return total;
    }

}
