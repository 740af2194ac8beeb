package org.rlcasino.experiment.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.knowm.xchart.CategoryChart;

/**
 * Figure 1 of the paper from {@code speed/speed.csv}: t_dense / t_bsr of whole training steps and
 * of the optimizer step alone at each sparsity, and the split of a step into sampling,
 * forward+backward and optimizer. Cells not measured are empty (e.g. whole-step columns when only
 * the optimizer was timed).
 */
public final class SpeedReport {
    public static final String CSV = "speed.csv";
    /** Columns of {@value #CSV}: one row per (sparsity, arm), arm {@code dense} or {@code bsr}; times in ms. */
    public static final List<String> COLUMNS = List.of("sparsity", "arm", "step_ms_median", "step_ms_min", "step_ms_max",
            "optimizer_ms_median", "optimizer_ms_min", "optimizer_ms_max", "fwdbwd_ms", "sample_ms", "source");
    /**
     * Optional columns (a user's own speed.csv may lack them): the backward's input-gradient and
     * parameter-gradient launches, median ms per step ({@code GptModel.timeBackward}).
     */
    public static final List<String> BACKWARD_COLUMNS = List.of("backward_dx_ms", "backward_dw_ms");
    static final String PLOT = "speed";
    static final String SPLIT_PLOT = "speed-split";
    /** The paper's claim: BSR-AdamW cuts whole-step time by 10–15 %. */
    static final double PAPER_LOW = 0.10;
    static final double PAPER_HIGH = 0.15;

    /** One arm's times at one sparsity. */
    record Times(double step, double stepMin, double stepMax, double optimizer, double optimizerMin, double optimizerMax,
                 double fwdbwd, double sample, String source, double backwardDx, double backwardDw) {}

    private final Map<Double, Times> dense = new TreeMap<>();
    private final Map<Double, Times> bsr = new TreeMap<>();

    public SpeedReport(CsvTable table) {
        for (List<String> row : table.rows()) {
            Times t = new Times(table.number(row, "step_ms_median"), table.number(row, "step_ms_min"), table.number(row, "step_ms_max"),
                    table.number(row, "optimizer_ms_median"), table.number(row, "optimizer_ms_min"),
                    table.number(row, "optimizer_ms_max"), table.number(row, "fwdbwd_ms"), table.number(row, "sample_ms"),
                    table.text(row, "source"), optional(table, row, "backward_dx_ms"), optional(table, row, "backward_dw_ms"));
            double sp = table.number(row, "sparsity");
            switch (table.text(row, "arm")) {
                case "dense" -> dense.put(sp, t);
                case "bsr" -> bsr.put(sp, t);
                default -> throw new IllegalArgumentException(CSV + ": arm must be dense or bsr, got '" + table.text(row, "arm") + "'");
            }
        }
        if (dense.isEmpty() || bsr.isEmpty()) {
            throw new IllegalArgumentException(CSV + ": needs rows of arm dense and arm bsr");
        }
    }

    private static double optional(CsvTable table, List<String> row, String column) {
        return table.header().contains(column) ? table.number(row, column) : Double.NaN;
    }

    public static SpeedReport read(Path csv) throws IOException {
        return new SpeedReport(CsvTable.read(csv, COLUMNS));
    }

    public List<Double> sparsities() {
        return List.copyOf(bsr.keySet());
    }

    /** The dense times paired with sparsity {@code sp}: measured at sp when present, else the single dense row. */
    Times dense(double sp) {
        Times t = dense.get(sp);
        return t != null ? t : dense.values().iterator().next();
    }

    public double stepRatio(double sp) {
        return dense(sp).step() / bsr.get(sp).step();
    }

    public double optimizerRatio(double sp) {
        return dense(sp).optimizer() / bsr.get(sp).optimizer();
    }

    boolean hasWholeStep() {
        return bsr.values().stream().anyMatch(t -> !Double.isNaN(t.step()));
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("| sparsity | dense step (ms) | BSR step (ms) | t_dense/t_bsr step | step time saved "
                + "| dense optimizer (ms) | BSR optimizer (ms) | t_dense/t_bsr optimizer |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (double sp : sparsities()) {
            Times d = dense(sp);
            Times b = bsr.get(sp);
            sb.append("| ").append(Format.percent(sp)).append(" | ").append(range(d.step(), d.stepMin(), d.stepMax()))
                    .append(" | ").append(range(b.step(), b.stepMin(), b.stepMax())).append(" | ")
                    .append(Format.ratio(stepRatio(sp))).append(" | ")
                    .append(Double.isNaN(stepRatio(sp)) ? "–" : Format.fixed(100 * (1 - 1 / stepRatio(sp)), 1) + " %")
                    .append(" | ").append(range(d.optimizer(), d.optimizerMin(), d.optimizerMax())).append(" | ")
                    .append(range(b.optimizer(), b.optimizerMin(), b.optimizerMax())).append(" | ")
                    .append(Format.ratio(optimizerRatio(sp))).append(" |\n");
        }
        return sb.toString();
    }

    /**
     * The split of a step (median ms): sampling, forward+backward, optimizer, per arm and sparsity;
     * with the backward's dX and dW columns when the CSV has them.
     */
    public String splitMarkdown() {
        boolean backward = splitRows().values().stream().anyMatch(t -> !Double.isNaN(t.backwardDw()));
        StringBuilder sb = new StringBuilder("| arm | sampling (ms) | forward+backward (ms) |"
                + (backward ? " backward dX (ms) | backward dW (ms) |" : "") + " optimizer (ms) | whole step (ms) |\n"
                + "|---|---:|---:|" + (backward ? "---:|---:|" : "") + "---:|---:|\n");
        for (Map.Entry<String, Times> e : splitRows().entrySet()) {
            Times t = e.getValue();
            sb.append("| ").append(e.getKey()).append(" | ").append(Format.fixed(t.sample(), 2)).append(" | ")
                    .append(Format.fixed(t.fwdbwd(), 2)).append(" | ");
            if (backward) {
                sb.append(Format.fixed(t.backwardDx(), 2)).append(" | ").append(Format.fixed(t.backwardDw(), 2)).append(" | ");
            }
            sb.append(Format.fixed(t.optimizer(), 2)).append(" | ").append(Format.fixed(t.step(), 2)).append(" |\n");
        }
        return sb.toString();
    }

    private Map<String, Times> splitRows() {
        Map<String, Times> rows = new java.util.LinkedHashMap<>();
        if (dense.size() == 1) {
            rows.put("dense AdamW", dense.values().iterator().next());
        }
        for (double sp : sparsities()) {
            if (dense.size() > 1) {
                rows.put("dense AdamW (paired with " + Format.percent(sp) + ")", dense(sp));
            }
            rows.put("BSR-AdamW " + Format.percent(sp), bsr.get(sp));
        }
        return rows;
    }

    /** Where the measurements came from (the CSV's source column, distinct values). */
    public String sources() {
        java.util.Set<String> s = new java.util.LinkedHashSet<>();
        dense.values().forEach(t -> s.add(t.source()));
        bsr.values().forEach(t -> s.add(t.source()));
        return String.join("; ", s);
    }

    public String comparison() {
        if (!hasWholeStep()) {
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            for (double sp : sparsities()) {
                min = Math.min(min, optimizerRatio(sp));
                max = Math.max(max, optimizerRatio(sp));
            }
            return String.format(Locale.ROOT, "The paper's claim: BSR-AdamW cuts the whole training step time by 10–15 %%. "
                    + "Only the optimizer step was timed here (%.2f× to %.2f× faster than dense AdamW), so the whole-step "
                    + "claim is **not checked** by this run.", min, max);
        }
        List<String> parts = new ArrayList<>();
        int within = 0;
        int above = 0;
        for (double sp : sparsities()) {
            double saved = 1 - 1 / stepRatio(sp);
            if (Double.isNaN(saved)) {
                continue;
            }
            if (saved >= PAPER_LOW && saved <= PAPER_HIGH) {
                within++;
            } else if (saved > PAPER_HIGH) {
                above++;
            }
            parts.add(String.format(Locale.ROOT, "%s: %.1f %%", Format.percent(sp), 100 * saved));
        }
        int n = parts.size();
        String verdict = within == n ? "agrees" : within + above == n ? "agrees or does better"
                : within + above == 0 ? "differs (smaller saving)" : "partly agrees";
        return "The paper's claim: BSR-AdamW cuts the whole training step time by 10–15 %. Step time saved here: "
                + String.join(", ", parts) + " — ours **" + verdict + "**.";
    }

    /** Writes the ratio bar plot (and the split plot when whole steps were timed); returns the plot base names. */
    public List<String> plot(Path dir) throws IOException {
        List<String> categories = sparsities().stream().map(Format::percent).toList();
        List<Plots.Bars> bars = new ArrayList<>();
        if (hasWholeStep()) {
            bars.add(new Plots.Bars("whole step", sparsities().stream().map(this::stepRatio).toList(), null));
        }
        bars.add(new Plots.Bars("optimizer step", sparsities().stream().map(this::optimizerRatio).toList(), null));
        Plots.save(Plots.bars("Speed-up of BSR-AdamW over dense AdamW (Figure 1; 1× = no gain)", "sparsity",
                "t_dense / t_bsr (×)", categories, bars), dir, PLOT);
        List<String> names = new ArrayList<>(List.of(PLOT));
        if (hasWholeStep()) {
            Map<String, Times> rows = splitRows();
            List<String> arms = new ArrayList<>(rows.keySet());
            CategoryChart chart = Plots.bars("Where a training step's time goes", "arm", "time per step (ms)", arms, List.of(
                    new Plots.Bars("sampling", arms.stream().map(a -> rows.get(a).sample()).toList(), null),
                    new Plots.Bars("forward+backward", arms.stream().map(a -> rows.get(a).fwdbwd()).toList(), null),
                    new Plots.Bars("optimizer", arms.stream().map(a -> rows.get(a).optimizer()).toList(), null)));
            chart.getStyler().setStacked(true);
            chart.getStyler().setXAxisLabelRotation(20);
            Plots.save(chart, dir, SPLIT_PLOT);
            names.add(SPLIT_PLOT);
        }
        return names;
    }

    private static String range(double median, double min, double max) {
        if (Double.isNaN(median)) {
            return "–";
        }
        if (Double.isNaN(min) || Double.isNaN(max)) {
            return Format.fixed(median, 2);
        }
        return Format.fixed(median, 2) + " (" + Format.fixed(min, 2) + "–" + Format.fixed(max, 2) + ")";
    }
}
