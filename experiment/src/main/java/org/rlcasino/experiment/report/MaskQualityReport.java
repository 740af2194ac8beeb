package org.rlcasino.experiment.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Table 2 of the paper from {@code mask-quality/mask-quality.csv}: aggregate Jaccard of each
 * predicted mask with the true mask per sparsity, an actual random mask, the expectation a/(2−a)
 * and, when the run has one, the seed baseline (the true masks of two seeds of the same run); a row
 * per predictor (a method on a delta basis), a column per sparsity, the best predictor per column
 * in bold; the tie share of every mask; a line plot.
 */
public final class MaskQualityReport {
    public static final String CSV = "mask-quality.csv";
    public static final String RANDOM = "random";
    public static final String SEED_BASELINE = "seed-baseline";
    /** Columns of {@value #CSV}. */
    public static final List<String> COLUMNS = List.of("sparsity", "method", "basis", "structure", "truth_structure",
            "jaccard", "random_expected",
            "kept_predicted", "kept_truth", "intersection", "total", "steps_used", "step_range", "truth", "tie_share",
            "tied_zero_share");
    static final String PLOT = "mask-quality";

    private final CsvTable table;
    private final List<Double> sparsities = new ArrayList<>();
    /** Predictors (method, or "method (basis)" when the table holds several bases) in table order. */
    private final List<String> predictors = new ArrayList<>();
    private final Set<String> bases = new LinkedHashSet<>();
    /** sparsity → row label (predictor, random, seed baseline) → Jaccard. */
    private final Map<Double, Map<String, Double>> jaccard = new LinkedHashMap<>();
    /** sparsity → row label → {tie share, tied-zero share}. */
    private final Map<Double, Map<String, double[]>> ties = new LinkedHashMap<>();
    private final Map<Double, Double> expected = new LinkedHashMap<>();

    public MaskQualityReport(CsvTable table) {
        this.table = table;
        for (List<String> row : table.rows()) {
            String basis = table.text(row, "basis");
            if (!basis.isEmpty()) {
                bases.add(basis);
            }
        }
        Set<Double> s = new TreeSet<>();
        Set<String> m = new LinkedHashSet<>();
        for (List<String> row : table.rows()) {
            double sp = table.number(row, "sparsity");
            String method = table.text(row, "method");
            String label = label(method, table.text(row, "basis"), table.text(row, "structure"),
                    table.text(row, "truth_structure"));
            s.add(sp);
            m.add(label);
            jaccard.computeIfAbsent(sp, k -> new LinkedHashMap<>()).put(label, table.number(row, "jaccard"));
            ties.computeIfAbsent(sp, k -> new LinkedHashMap<>()).put(label,
                    new double[] {table.number(row, "tie_share"), table.number(row, "tied_zero_share")});
            if (method.equals(RANDOM) || !expected.containsKey(sp)) {
                expected.put(sp, table.number(row, "random_expected"));
            }
        }
        sparsities.addAll(s);
        m.remove(RANDOM);
        m.remove(SEED_BASELINE);
        predictors.addAll(m);
    }

    /** {@code method (basis) RxC vs RxC truth}: the basis when the table has several, the structures when not elements. */
    private String label(String method, String basis, String structure, String truthStructure) {
        String label = basis.isEmpty() || bases.size() < 2 ? method : method + " (" + basis + ")";
        if (!structure.equals("element")) {
            label += " " + structure + " blocks";
        }
        if (!truthStructure.equals("element")) {
            label += " vs " + truthStructure + " truth";
        }
        return label;
    }

    public static MaskQualityReport read(Path csv) throws IOException {
        return new MaskQualityReport(CsvTable.read(csv, COLUMNS));
    }

    /** Predictors in table order (without the random mask and the seed baseline). */
    public List<String> methods() {
        return predictors;
    }

    public List<Double> sparsities() {
        return sparsities;
    }

    /** The delta bases of the predictions, in table order. */
    public List<String> bases() {
        return List.copyOf(bases);
    }

    /** Whether the table has the seed-baseline row. */
    public boolean hasSeedBaseline() {
        return jaccard.values().stream().anyMatch(row -> row.containsKey(SEED_BASELINE));
    }

    /**
     * The best predictor at {@code sparsity} against the element truth (highest Jaccard; ties: first in
     * table order); rows against a block truth answer another question and never count.
     */
    public String best(double sparsity) {
        String best = null;
        double value = Double.NEGATIVE_INFINITY;
        for (String m : predictors) {
            if (m.contains(" vs ")) {
                continue;
            }
            Double j = jaccard.get(sparsity).get(m);
            if (j != null && j > value) {
                value = j;
                best = m;
            }
        }
        return best;
    }

    public double jaccard(double sparsity, String method) {
        Double v = jaccard.get(sparsity).get(method);
        return v == null ? Double.NaN : v;
    }

    /** Share of the kept entries of {@code method}'s mask whose score equals the cut-off score. */
    public double tieShare(double sparsity, String method) {
        double[] v = ties.get(sparsity).get(method);
        return v == null ? Double.NaN : v[0];
    }

    /** Share of the kept entries of {@code method}'s mask chosen among exact-zero scores tied at the cut. */
    public double tiedZeroShare(double sparsity, String method) {
        double[] v = ties.get(sparsity).get(method);
        return v == null ? Double.NaN : v[1];
    }

    public double expected(double sparsity) {
        return expected.get(sparsity);
    }

    /**
     * The Markdown table: a row per predictor, then the actual random mask, a/(2−a) and the seed
     * baseline; a column per sparsity; the best predictor per column in bold (all when tied).
     */
    public String markdown() {
        StringBuilder sb = header("predictor");
        for (String m : predictors) {
            sb.append("| ").append(m).append(" |");
            for (double sp : sparsities) {
                String cell = Format.fixed(jaccard(sp, m), 4);
                boolean bold = !m.contains(" vs ") && jaccard(sp, m) == jaccard(sp, best(sp));
                sb.append(' ').append(bold ? "**" + cell + "**" : cell).append(" |");
            }
            sb.append('\n');
        }
        row(sb, "random mask (actual)", sp -> Format.fixed(jaccard(sp, RANDOM), 4));
        row(sb, "a/(2−a)", sp -> Format.fixed(expected(sp), 4));
        if (hasSeedBaseline()) {
            row(sb, "seed baseline (true masks of two seeds)", sp -> Format.fixed(jaccard(sp, SEED_BASELINE), 4));
        }
        return sb.toString();
    }

    /**
     * The tie-share table: for each mask, the share of its kept entries whose score equals the
     * cut-off score (chosen by the tie order, not by the score), and in parentheses the share that
     * are exact zeros among those.
     */
    public String tieMarkdown() {
        StringBuilder sb = header("mask");
        for (String m : predictors) {
            row(sb, m, sp -> tieCell(sp, m));
        }
        if (hasSeedBaseline()) {
            row(sb, "true mask of the seed baseline", sp -> tieCell(sp, SEED_BASELINE));
        }
        return sb.toString();
    }

    private String tieCell(double sp, String m) {
        double share = tieShare(sp, m);
        if (Double.isNaN(share)) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.1f %% (%.1f %% zeros)", 100 * share, 100 * tiedZeroShare(sp, m));
    }

    private StringBuilder header(String first) {
        StringBuilder sb = new StringBuilder("| ").append(first).append(" |");
        for (double sp : sparsities) {
            sb.append(' ').append(Format.percent(sp)).append(" |");
        }
        sb.append("\n|---|").append("---:|".repeat(sparsities.size())).append('\n');
        return sb;
    }

    private void row(StringBuilder sb, String label, java.util.function.DoubleFunction<String> cell) {
        sb.append("| ").append(label).append(" |");
        for (double sp : sparsities) {
            sb.append(' ').append(cell.apply(sp)).append(" |");
        }
        sb.append('\n');
    }

    /** The basis of the predictions in words, for the report's text. */
    public String basisNote() {
        List<String> words = new ArrayList<>();
        for (String b : bases) {
            words.add(b.equals("start") ? "start (δ_t = θ_t − θ_0, as the paper's reference code logs; momentum's velocity "
                    + "is then the per-step update)" : "step (δ_t = θ_t − θ_(t−1); momentum's velocity is then a second "
                    + "difference of the weights)");
        }
        return words.isEmpty() ? "" : "Delta basis of the predictions: " + String.join("; and ", words) + ".";
    }

    /** The steps the predictions used, from the CSV (e.g. "100 steps (1:100)"). */
    public String stepsUsed() {
        List<String> first = table.rows().getFirst();
        return table.text(first, "steps_used") + " logged steps (" + table.text(first, "step_range") + ")";
    }

    /** How the true mask was scored, in words, from the CSV's truth column. */
    public String truth() {
        String t = table.text(table.rows().getFirst(), "truth");
        return t.equals("checkpoints") ? "|θ_final − θ_start| of the run's start and final checkpoints"
                : "|θ_last − θ_0| of the logged steps, from the deltas (the last start-basis delta, or |Σ δ_t| of step-basis deltas)";
    }

    /** What our numbers say next to the paper's claim, computed from the table. */
    public String comparison() {
        int beat = 0;
        double minLift = Double.POSITIVE_INFINITY;
        double maxLift = 0;
        for (double sp : sparsities) {
            double j = jaccard(sp, best(sp));
            double lift = j / expected(sp);
            minLift = Math.min(minLift, lift);
            maxLift = Math.max(maxLift, lift);
            if (j > jaccard(sp, RANDOM) && j > expected(sp)) {
                beat++;
            }
        }
        String verdict = beat == sparsities.size() ? "agrees" : beat == 0 ? "differs" : "partly agrees";
        return String.format(Locale.ROOT, "The paper's claim: masks predicted from early deltas recover the run's final "
                        + "subnetwork far better than a random mask of the same density. Here the best predictor beats both "
                        + "the actual random mask and a/(2−a) at %d of %d sparsities, with %.1f× to %.1f× the random "
                        + "expectation: ours **%s**.", beat, sparsities.size(), minLift, maxLift, verdict);
    }

    /** Writes the plot (Jaccard vs sparsity, a line per method, random dashed) into {@code dir}; returns its base name. */
    public String plot(Path dir) throws IOException {
        double[] x = sparsities.stream().mapToDouble(Double::doubleValue).toArray();
        List<Plots.Line> lines = new ArrayList<>();
        for (String m : predictors) {
            lines.add(new Plots.Line(m, x, sparsities.stream().mapToDouble(s -> jaccard(s, m)).toArray(), null, false));
        }
        lines.add(new Plots.Line("random mask (actual)", x, sparsities.stream().mapToDouble(s -> jaccard(s, RANDOM)).toArray(),
                null, false));
        lines.add(new Plots.Line("random expectation a/(2−a)", x, sparsities.stream().mapToDouble(this::expected).toArray(),
                null, true));
        if (hasSeedBaseline()) {
            lines.add(new Plots.Line("seed baseline (true masks of two seeds)", x,
                    sparsities.stream().mapToDouble(s -> jaccard(s, SEED_BASELINE)).toArray(), null, true));
        }
        Plots.save(Plots.lines("Mask quality: predicted vs true mask (Table 2)", "sparsity (%)",
                "Jaccard index with the true mask", lines), dir, PLOT);
        return PLOT;
    }
}
