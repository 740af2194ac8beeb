package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.AtomicFileWriter;
import org.rlcasino.io.PathGuard;
import org.rlcasino.io.Progress;
import org.rlcasino.io.TemporaryFiles;
import org.rlcasino.io.arrow.MaskSummary;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.scoring.MaskBuilder;
import org.rlcasino.scoring.MaskFiles;
import org.rlcasino.scoring.MaskOptions;
import org.rlcasino.scoring.ScoreSource;
import org.rlcasino.scoring.TruthScores;
import org.rlcasino.kernels.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code casino mask}: a mask file from a score file (or the complement of a mask file, or the
 * "true" mask of a run: exact top-k of |θ_final − θ_start| from a delta stream or two checkpoints).
 */
@Command(name = "mask",
        header = "Build a mask at a target sparsity from scores (or the true mask of a run).", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Builds a mask (rlcasino.mask: per tensor, the sorted flat indices of the active entries) from a",
                "score file, in a few streaming passes with bounded memory, or writes the complement of a mask.",
                "Builders: exact (global top-k, the default), per-tensor, random, block, sampled (the paper's Algorithm 1).",
                "--truth: the run's true mask, exact top-k of |θ_final − θ_start| (from --deltas or --from/--to)."})
final class MaskCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = "--scores", paramLabel = "FILE", description = "Score file (rlcasino.scores) to build the mask from.")
    Path scores;

    @Option(names = "--complement", paramLabel = "MASK", description = "Instead: write the complement of this mask file.")
    Path complement;

    @Option(names = "--truth", description = "Build the true mask: exact top-k of |θ_final − θ_start|, from --deltas FILE "
            + "(|Σ δ_t| over all its steps) or from --from CKPT --to CKPT.")
    boolean truth;

    @Option(names = "--deltas", paramLabel = "FILE", description = "--truth: delta stream (rlcasino.deltas) to sum.")
    Path deltas;

    @Option(names = "--from", paramLabel = "CKPT", description = "--truth: start checkpoint (safetensors file, shard directory or index.json).")
    Path from;

    @Option(names = "--to", paramLabel = "CKPT", description = "--truth: final checkpoint.")
    Path to;

    @Option(names = "--sparsity", paramLabel = "PCT", description = "Target sparsity in percent of inactive entries, in [0, 100), e.g. 97.5.")
    Double sparsity;

    @Option(names = "--builder", defaultValue = "exact", paramLabel = "B",
            description = "exact | sampled | per-tensor | random | block. Default: ${DEFAULT-VALUE}.")
    String builder;

    @Option(names = "--block", defaultValue = "16x16", paramLabel = "RxC",
            description = "Blocks of --builder block: RxC (16x16, 32x32, stripes 1x64 or 64x1) or a side B for BxB. Default: ${DEFAULT-VALUE}.")
    String block;

    @Option(names = "--block-score", defaultValue = "sum", paramLabel = "S", description = "sum | max of the entry scores of a block. Default: ${DEFAULT-VALUE}.")
    String blockScore;

    @Option(names = "--floor", defaultValue = "0", paramLabel = "F",
            description = "exact builder: every tensor reserves its floor(F·n_t) best entries inside the budget k, the rest of k goes "
                    + "to the best other entries (the reference code's rule, e.g. 0.0025); refused if the reservations exceed k. "
                    + "Default: ${DEFAULT-VALUE} (off).")
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
    public void declareFiles(PathGuard files) {
        files.inputFile("--scores", scores).inputFile("--complement", complement).inputFile("--deltas", deltas)
                .input("--from", from).input("--to", to)
                .outputFile("-o", out).outputFile("--safetensors", safetensors);
    }

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
        PrintWriter err = spec.commandLine().getErr();
        try (BufferAllocator allocator = new RootAllocator()) {
            if (truth) {
                if (scores != null || complement != null) {
                    throw new IllegalArgumentException("--truth takes no --scores or --complement: it computes its own scores");
                }
                if (!builder.equals("exact")) {
                    throw new IllegalArgumentException("--truth builds with the exact builder only, got --builder " + builder);
                }
                boolean checkpoints = from != null || to != null;
                if (deltas != null && checkpoints) {
                    throw new IllegalArgumentException("--truth takes either --deltas FILE or --from CKPT --to CKPT, not both");
                }
                if (deltas == null && (from == null || to == null)) {
                    throw new IllegalArgumentException(checkpoints
                            ? "--truth with checkpoints needs both --from CKPT and --to CKPT"
                            : "--truth needs --deltas FILE or --from CKPT --to CKPT");
                }
                if (deltas == null && Files.exists(from) && Files.exists(to) && Files.isSameFile(from, to)) {
                    throw new IllegalArgumentException("--from " + from + " and --to " + to + " are the same checkpoint: every "
                            + "|θ_final − θ_start| would be 0; give the first and the last checkpoint of the run");
                }
            } else if (deltas != null || from != null || to != null) {
                throw new IllegalArgumentException("--deltas, --from and --to go with --truth");
            }
            // The mask and its safetensors twin are staged beside their targets and renamed together: both or neither.
            try (AtomicFileWriter.Group outputs = AtomicFileWriter.group()) {
                Path maskFile = outputs.stage(out);
                Path tensorsFile = safetensors == null ? null : outputs.stage(safetensors);
                if (complement != null) {
                    if (scores != null || sparsity != null) {
                        throw new IllegalArgumentException("--complement takes no --scores or --sparsity");
                    }
                    requireFile(complement);
                    MaskSummary s = MaskFiles.complement(complement, maskFile, allocator);
                    writeSafetensors(maskFile, tensorsFile, allocator);
                    outputs.commit();
                    o.printf(Locale.ROOT, "wrote %s: complement of %s, sparsity %.4f%%%n", out, complement, s.achievedSparsity() * 100);
                    printSafetensors(o);
                    o.flush();
                    return 0;
                }
                if (truth ? sparsity == null : scores == null || sparsity == null) {
                    throw new IllegalArgumentException(truth ? "--truth needs --sparsity PCT"
                            : "give --scores FILE and --sparsity PCT (or --complement MASK, or --truth)");
                }
                if (!(sparsity >= 0 && sparsity < 100)) {
                    throw new IllegalArgumentException("--sparsity must be a percentage in [0, 100), got " + sparsity);
                }
                if (sparsity > 0 && sparsity < 1) {
                    err.printf(Locale.ROOT, "warning: --sparsity is a percentage: %s keeps %s%% of the entries; for %s%% sparsity "
                            + "write --sparsity %s%n", sparsity, percent(100 - sparsity), percent(sparsity * 100), percent(sparsity * 100));
                }
                if (!blockScore.equals("sum") && !blockScore.equals("max")) {
                    throw new IllegalArgumentException("--block-score must be sum or max, got '" + blockScore + "'");
                }
                MaskBuilder.Method m = method(builder);
                MaskOptions options = new MaskOptions(m, sparsity / 100, floor, seed, blockShape(block), blockScore.equals("max"), samples);
                long t0 = System.nanoTime();
                MaskBuilder.Report r;
                if (truth) {
                    r = buildTruth(options, allocator, maskFile);
                } else {
                    requireFile(scores);
                    r = build(scores, options, allocator, Map.of("scores", scores.getFileName().toString()), maskFile);
                }
                writeSafetensors(maskFile, tensorsFile, allocator);
                outputs.commit();
                double seconds = (System.nanoTime() - t0) / 1e9;
                o.printf(Locale.ROOT, "wrote %s: %s%s, kept %,d of %,d entries, %,d tied at the cut (tie share %.2f%%, %,d of them "
                        + "zeros)%n", out, truth ? "true mask, " : "", r.method(), r.kept(), r.total(), r.tiedAtCut(),
                        r.tieShare() * 100, r.tiedZeros());
                o.printf(Locale.ROOT, "target sparsity %.4f%%, achieved %.4f%% (error %+.4f points)%s%n", r.targetSparsity() * 100,
                        r.achievedSparsity() * 100, r.error() * 100,
                        r.threshold().isPresent() ? String.format(Locale.ROOT, ", threshold %.6g", r.threshold().getAsDouble()) : "");
                if (!r.note().isEmpty()) {
                    o.println(r.note());
                }
                o.println("kept fraction per tensor:");
                r.keptFractions().forEach((name, f) -> o.printf(Locale.ROOT, "  %-40s %8.4f%%%n", name, f * 100));
                o.printf(Locale.ROOT, "%.2f s (%.1f M scores/s per pass-set)%n", seconds, r.total() / 1e6 / seconds);
                printSafetensors(o);
                o.flush();
                if (truth && r.kept() > 0 && r.threshold().isPresent() && r.threshold().getAsDouble() == 0) {
                    err.println("warning: the true mask's cut is at |θ_final − θ_start| = 0: the run changed fewer entries than the "
                            + r.kept() + " the mask keeps, so it also keeps unchanged entries, chosen arbitrarily"
                            + (deltas == null ? " (are --from and --to copies of one checkpoint?)" : " (are the deltas all zero?)"));
                }
                return 0;
            }
        }
    }

    private static String percent(double p) {
        return new java.math.BigDecimal(Double.toString(p)).round(new java.math.MathContext(10)).stripTrailingZeros().toPlainString();
    }

    private MaskBuilder.Report build(Path scoreFile, MaskOptions options, BufferAllocator allocator,
                                     Map<String, String> provenance, Path maskFile) throws IOException {
        ScoreSource source = ScoreSource.ofFile(scoreFile, allocator, ScoreSource.DEFAULT_CAPACITY);
        long total = source.tensors().totalElements();
        if (total > 0 && options.floor() == 0 && MaskBuilder.keepCount(options.sparsity(), total) == 0) {
            throw new IllegalArgumentException("--sparsity " + sparsity + " keeps 0 of the " + total + " entries: the mask would be "
                    + "empty; lower the sparsity below " + percent(100.0 * (total - 1) / total) + "%");
        }
        try (Backend backend = backendOptions.open()) {
            MaskBuilder mb = new MaskBuilder(source, backend, allocator, progress());
            return mb.build(options, maskFile, provenance);
        }
    }

    /**
     * The true mask: |θ_final − θ_start| (or |Σ δ_t|) into a temporary score file beside the output,
     * then the exact builder on it; the temporary is deleted afterwards, also on failure or a signal.
     */
    private MaskBuilder.Report buildTruth(MaskOptions options, BufferAllocator allocator, Path maskFile) throws IOException {
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("mask", "truth");
        if (deltas != null) {
            requireFile(deltas);
            provenance.put("truth_source", "deltas");
            provenance.put("deltas", deltas.toString());
            provenance.put("formula", "|sum delta| over all steps (= |theta_last - theta_first| up to float32 rounding)");
        } else {
            requireExists(from);
            requireExists(to);
            provenance.put("truth_source", "checkpoints");
            provenance.put("from", from.toString());
            provenance.put("to", to.toString());
            provenance.put("formula", "|theta_final - theta_start|");
        }
        try (TemporaryFiles.Scratch temp = TemporaryFiles.create(maskFile, "truth-scores.arrow")) {
            if (deltas != null) {
                TruthScores.fromDeltas(deltas, temp.path(), allocator);
            } else {
                TruthScores.fromCheckpoints(from, to, temp.path(), allocator);
            }
            return build(temp.path(), options, allocator, provenance, maskFile);
        }
    }

    private static void requireExists(Path p) {
        if (!Files.exists(p)) {
            throw new IllegalArgumentException(p + ": no such checkpoint (give a safetensors file, a shard directory or "
                    + "a model.safetensors.index.json file)");
        }
    }

    private static void writeSafetensors(Path maskFile, Path tensorsFile, BufferAllocator allocator) throws IOException {
        if (tensorsFile != null) {
            MaskFiles.toSafetensors(maskFile, tensorsFile, allocator);
        }
    }

    private void printSafetensors(PrintWriter o) {
        if (safetensors != null) {
            o.printf(Locale.ROOT, "wrote %s%n", safetensors);
        }
    }

    private static void requireFile(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(p + ": no such file");
        }
    }

    private Progress progress() {
        return new ConsoleProgress(quiet);
    }

    /** {@code --block}: RxC, or one side B meaning BxB. */
    static BlockShape blockShape(String text) {
        String t = text == null ? "" : text.strip();
        try {
            return BlockShape.parse(t.matches("[0-9]{1,9}") ? t + "x" + t : t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--block: " + e.getMessage());
        }
    }
}
