package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.AtomicFileWriter;
import org.rlcasino.io.PathGuard;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.Metadata;
import org.rlcasino.io.arrow.MetricTableWriter;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.scoring.compare.CompareReport;
import org.rlcasino.scoring.compare.MaskComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code casino compare A.arrow B.arrow [C.arrow…]}: overlap and Jaccard index of masks, against the random baseline. */
@Command(name = "compare",
        header = "Jaccard agreement of masks per tensor and in total, against the random baseline.", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Compares masks (mask.arrow files over the same tensors) by merging their sorted index lists as they",
                "stream: per tensor and in total |A|, |B|, |A∩B|, |A∪B|, the Jaccard index |A∩B|/|A∪B| (1 for two empty",
                "masks), |A∩B|/|A|, |A∩B|/|B|, the densities a = |A|/n, b = |B|/n and the Jaccard index two independent",
                "random masks of those densities would have, ab/(a+b−ab) (a/(2−a) when a = b). Two masks: the per-tensor",
                "table and the totals. More: every pair's totals (and per tensor with --per-tensor)."})
final class CompareCommand implements Callable<Integer>, DeclaresFiles {
    enum Format { table, csv, json }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MASK", arity = "0..*", description = "Mask files (rlcasino.mask), at least two.")
    List<Path> masks = new ArrayList<>();

    @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT",
            description = "Output: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--per-tensor", description = "With more than two masks, also show every pair's per-tensor rows.")
    boolean perTensor;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the output to FILE (atomically) instead of standard output (- : standard output).")
    Path out;

    @Option(names = "--metrics", paramLabel = "FILE", description = "Also write the rows as an rlcasino.metrics Arrow table (e.g. compare.arrow).")
    Path metrics;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--verbose", description = "On errors, also print the stack trace.")
    boolean verbose;

    @Override
    public void declareFiles(PathGuard files) {
        masks.forEach(m -> files.inputFile("MASK", m));
        files.outputFile("-o", toStandardOutput() ? null : out).outputFile("--metrics", metrics);
    }

    /** {@code -o -} (or no -o): the output goes to standard output. */
    private boolean toStandardOutput() {
        return out == null || out.toString().equals("-");
    }

    @Override
    public Integer call() throws IOException {
        return run(); // errors: Casino reports them (exit 2 for bad input; --verbose adds the trace)
    }

    private int run() throws IOException {
        if (masks.size() < 2) {
            throw new IllegalArgumentException("compare needs at least two mask files, got " + masks.size());
        }
        boolean tensorRows = masks.size() == 2 || perTensor;
        List<CompareReport.Mask> described = new ArrayList<>();
        List<MaskComparison.Result> results = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator()) {
            // Check every file and every tensor table before the first pass, so a bad input fails at once.
            TensorTable first = null;
            for (Path mask : masks) {
                try (MaskFileReader reader = MaskFileReader.open(mask, allocator)) {
                    if (first == null) {
                        first = reader.tensors();
                    } else {
                        MaskComparison.requireSameTensors(masks.get(0).toString(), first, mask.toString(), reader.tensors());
                    }
                    described.add(new CompareReport.Mask(mask.toString(), reader.info().method(), reader.summary().totalKept(),
                            reader.tensors().totalElements()));
                }
            }
            for (int i = 0; i < masks.size(); i++) {
                for (int j = i + 1; j < masks.size(); j++) {
                    results.add(MaskComparison.compare(masks.get(i), masks.get(j), allocator, progress()));
                }
            }
            List<CompareReport.Row> rows = CompareReport.rows(results, tensorRows);
            String text = switch (format) {
                case table -> CompareReport.table(described, results, tensorRows);
                case csv -> CompareReport.csv(rows);
                case json -> CompareReport.json(described, results, tensorRows);
            };
            if (metrics != null) {
                writeMetrics(metrics, rows, allocator);
            }
            PrintWriter err = spec.commandLine().getErr();
            if (!toStandardOutput()) {
                AtomicFileWriter.writeString(out, text);
                if (!quiet) {
                    err.println("wrote " + out);
                }
            } else {
                PrintWriter o = spec.commandLine().getOut();
                o.print(text);
                o.flush();
            }
            if (metrics != null && !quiet) {
                err.println("wrote " + metrics + " (" + rows.size() + " rows)");
            }
            err.flush();
        }
        return 0;
    }

    private void writeMetrics(Path target, List<CompareReport.Row> rows, BufferAllocator allocator) throws IOException {
        Map<String, String> provenance = new LinkedHashMap<>();
        for (int i = 0; i < masks.size(); i++) {
            provenance.put("mask." + i, masks.get(i).toString());
        }
        provenance.put("command", "compare");
        Map<String, String> properties = Metadata.of("title", "mask comparison",
                "jaccard", "|A∩B| / |A∪B| (1 for two empty masks)",
                "random_jaccard", "ab / (a + b − ab) with a = |A|/n, b = |B|/n",
                "mean_tensor_jaccard", "mean per-tensor Jaccard over tensors where A or B is non-empty (total rows only)");
        try (MetricTableWriter writer = MetricTableWriter.create(target, CompareReport.METRIC_COLUMNS, properties, provenance, allocator)) {
            for (CompareReport.Row row : rows) {
                writer.writeRow(row.metricValues());
            }
            writer.finish();
        }
    }

    /** A progress bar on standard error for a big pair (at least {@link InspectCommand#PROGRESS_MIN_VALUES} indices). */
    private Progress progress() {
        if (quiet) {
            return Progress.NONE;
        }
        return new Progress() {
            private ConsoleProgress bar;

            @Override
            public void begin(String task, long totalIndices) {
                if (totalIndices >= InspectCommand.PROGRESS_MIN_VALUES) {
                    bar = new ConsoleProgress(false);
                    bar.begin(task, totalIndices);
                }
            }

            @Override
            public void advance(long indices) {
                if (bar != null) {
                    bar.advance(indices);
                }
            }

            @Override
            public void end() {
                if (bar != null) {
                    bar.end();
                    bar = null;
                }
            }
        };
    }
}
