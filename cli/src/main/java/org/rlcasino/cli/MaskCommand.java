package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.arrow.MaskSummary;
import org.rlcasino.scoring.MaskBuilder;
import org.rlcasino.scoring.MaskFiles;
import org.rlcasino.scoring.MaskOptions;
import org.rlcasino.scoring.MaskProgress;
import org.rlcasino.scoring.ScoreSource;
import org.rlcasino.tasks.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino mask}: a mask file from a score file (or the complement of a mask file). */
@Command(name = "mask", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Builds a mask (rlcasino.mask: per tensor, the sorted flat indices of the active entries) from a",
                "score file, in a few streaming passes with bounded memory, or writes the complement of a mask.",
                "Builders: exact (global top-k, the default), per-tensor, random, block, sampled (the paper's Algorithm 1)."})
final class MaskCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--scores", paramLabel = "FILE", description = "Score file (rlcasino.scores) to build the mask from.")
    Path scores;

    @Option(names = "--complement", paramLabel = "MASK", description = "Instead: write the complement of this mask file.")
    Path complement;

    @Option(names = "--sparsity", paramLabel = "PCT", description = "Target sparsity in percent of inactive entries, in [0, 100), e.g. 97.5.")
    Double sparsity;

    @Option(names = "--builder", defaultValue = "exact", paramLabel = "B",
            description = "exact | sampled | per-tensor | random | block. Default: ${DEFAULT-VALUE}.")
    String builder;

    @Option(names = "--block", defaultValue = "16", paramLabel = "B", description = "Block side of --builder block. Default: ${DEFAULT-VALUE}.")
    int block;

    @Option(names = "--block-score", defaultValue = "sum", paramLabel = "S", description = "sum | max of the entry scores of a block. Default: ${DEFAULT-VALUE}.")
    String blockScore;

    @Option(names = "--floor", defaultValue = "0", paramLabel = "F",
            description = "exact builder: every tensor keeps at least its ceil(F·n) best entries (reference code: 0.0025). Default: ${DEFAULT-VALUE} (off).")
    double floor;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed of random and sampled. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--samples", defaultValue = "100000", paramLabel = "N", description = "sampled: samples per tensor at most. Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Mask file to write (e.g. mask.arrow).")
    Path out;

    @Option(names = "--safetensors", paramLabel = "FILE", description = "Also write the mask as safetensors: one BOOL tensor per parameter.")
    Path safetensors;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--verbose", description = "On errors, also print the stack trace.")
    boolean verbose;

    @picocli.CommandLine.Mixin
    BackendOptions backendOptions = new BackendOptions();

    @Override
    public Integer call() throws IOException {
        return run(); // errors: Casino reports them (exit 2 for bad input; --verbose adds the trace)
    }

    static MaskBuilder.Method method(String name) {
        return switch (name) {
            case "exact" -> MaskBuilder.Method.EXACT;
            case "sampled" -> MaskBuilder.Method.SAMPLED;
            case "per-tensor" -> MaskBuilder.Method.PER_TENSOR;
            case "random" -> MaskBuilder.Method.RANDOM;
            case "block" -> MaskBuilder.Method.BLOCK;
            default -> throw new IllegalArgumentException("--builder must be exact, sampled, per-tensor, random or block, got '" + name + "'");
        };
    }

    private int run() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        try (BufferAllocator allocator = new RootAllocator()) {
            if (complement != null) {
                if (scores != null || sparsity != null) {
                    throw new IllegalArgumentException("--complement takes no --scores or --sparsity");
                }
                requireFile(complement);
                MaskSummary s = MaskFiles.complement(complement, out, allocator);
                o.printf(Locale.ROOT, "wrote %s: complement of %s, sparsity %.4f%%%n", out, complement, s.achievedSparsity() * 100);
                writeSafetensors(allocator, o);
                o.flush();
                return 0;
            }
            if (scores == null || sparsity == null) {
                throw new IllegalArgumentException("give --scores FILE and --sparsity PCT (or --complement MASK)");
            }
            if (!(sparsity >= 0 && sparsity < 100)) {
                throw new IllegalArgumentException("--sparsity must be a percentage in [0, 100), got " + sparsity);
            }
            if (!blockScore.equals("sum") && !blockScore.equals("max")) {
                throw new IllegalArgumentException("--block-score must be sum or max, got '" + blockScore + "'");
            }
            MaskBuilder.Method m = method(builder);
            requireFile(scores);
            MaskOptions options = new MaskOptions(m, sparsity / 100, floor, seed, block, blockScore.equals("max"), samples);
            ScoreSource source = ScoreSource.ofFile(scores, allocator, ScoreSource.DEFAULT_CAPACITY);
            long t0 = System.nanoTime();
            MaskBuilder.Report r;
            try (Backend backend = backendOptions.open()) {
                MaskBuilder mb = new MaskBuilder(source, backend, allocator, progress());
                r = mb.build(options, out, Map.of("scores", scores.getFileName().toString()));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            o.printf(Locale.ROOT, "wrote %s: %s, kept %,d of %,d entries%n", out, r.method(), r.kept(), r.total());
            o.printf(Locale.ROOT, "target sparsity %.4f%%, achieved %.4f%% (error %+.4f points)%s%n", r.targetSparsity() * 100,
                    r.achievedSparsity() * 100, r.error() * 100,
                    r.threshold().isPresent() ? String.format(Locale.ROOT, ", threshold %.6g", r.threshold().getAsDouble()) : "");
            if (!r.note().isEmpty()) {
                o.println(r.note());
            }
            o.println("kept fraction per tensor:");
            r.keptFractions().forEach((name, f) -> o.printf(Locale.ROOT, "  %-40s %8.4f%%%n", name, f * 100));
            o.printf(Locale.ROOT, "%.2f s (%.1f M scores/s per pass-set)%n", seconds, r.total() / 1e6 / seconds);
            writeSafetensors(allocator, o);
            o.flush();
            return 0;
        }
    }

    private void writeSafetensors(BufferAllocator allocator, PrintWriter o) throws IOException {
        if (safetensors != null) {
            MaskFiles.toSafetensors(out, safetensors, allocator);
            o.printf(Locale.ROOT, "wrote %s%n", safetensors);
        }
    }

    private static void requireFile(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(p + ": no such file");
        }
    }

    private MaskProgress progress() {
        ConsoleProgress p = new ConsoleProgress(quiet);
        return new MaskProgress() {
            @Override
            public void begin(String phase, long units) {
                p.begin(phase, units);
            }

            @Override
            public void advance(long units) {
                p.advance(units);
            }

            @Override
            public void end() {
                p.end();
            }
        };
    }
}
