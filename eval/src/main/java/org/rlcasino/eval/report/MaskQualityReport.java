package org.rlcasino.eval.report;

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
 * predicted mask with the true mask per sparsity, an actual random mask, and the expectation
 * a/(2−a); the best predictor per row in bold; a line plot.
 */
public final class MaskQualityReport {
    public static final String CSV = "mask-quality.csv";
    public static final String RANDOM = "random";
    /** Columns of {@value #CSV}. */
    public static final List<String> COLUMNS = List.of("sparsity", "method", "jaccard", "random_expected", "kept_predicted",
            "kept_truth", "intersection", "total", "steps_used", "step_range", "truth");
    static final String PLOT = "mask-quality";

    private final CsvTable table;
    private final List<Double> sparsities = new ArrayList<>();
    private final List<String> methods = new ArrayList<>();
    /** sparsity → method → Jaccard. */
    private final Map<Double, Map<String, Double>> jaccard = new LinkedHashMap<>();
    private final Map<Double, Double> expected = new LinkedHashMap<>();

    public MaskQualityReport(CsvTable table) {
        this.table = table;
        Set<Double> s = new TreeSet<>();
        Set<String> m = new LinkedHashSet<>();
        for (List<String> row : table.rows()) {
            double sp = table.number(row, "sparsity");
            String method = table.text(row, "method");
            s.add(sp);
            m.add(method);
            jaccard.computeIfAbsent(sp, k -> new LinkedHashMap<>()).put(method, table.number(row, "jaccard"));
            if (method.equals(RANDOM) || !expected.containsKey(sp)) {
                expected.put(sp, table.number(row, "random_expected"));
            }
        }
        sparsities.addAll(s);
        m.remove(RANDOM);
        methods.addAll(m);
    }

    public static MaskQualityReport read(Path csv) throws IOException {
        return new MaskQualityReport(CsvTable.read(csv, COLUMNS));
    }

    /** Predictor methods in table order (without the random mask). */
    public List<String> methods() {
        return methods;
    }

    public List<Double> sparsities() {
        return sparsities;
    }

    /** The best predictor at {@code sparsity} (highest Jaccard; ties: first in table order). */
    public String best(double sparsity) {
        String best = null;
        double value = Double.NEGATIVE_INFINITY;
        for (String m : methods) {
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

    public double expected(double sparsity) {
        return expected.get(sparsity);
    }

    /** The Markdown table: a row per sparsity, a column per method, then random (actual) and a/(2−a). */
    public String markdown() {
        StringBuilder sb = new StringBuilder("| sparsity |");
        for (String m : methods) {
            sb.append(' ').append(m).append(" |");
        }
        sb.append(" random mask | a/(2−a) |\n|---:|");
        sb.append("---:|".repeat(methods.size() + 2)).append('\n');
        for (double sp : sparsities) {
            double best = jaccard(sp, best(sp));
            sb.append("| ").append(Format.percent(sp)).append(" |");
            for (String m : methods) {
                String cell = Format.fixed(jaccard(sp, m), 4);
                sb.append(' ').append(jaccard(sp, m) == best ? "**" + cell + "**" : cell).append(" |"); // ties all bold
            }
            sb.append(' ').append(Format.fixed(jaccard(sp, RANDOM), 4)).append(" | ").append(Format.fixed(expected(sp), 4)).append(" |\n");
        }
        return sb.toString();
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
                : "|Σ δ_t| over every logged step (= |θ_last − θ_first| of the logged range)";
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
        for (String m : methods) {
            lines.add(new Plots.Line(m, x, sparsities.stream().mapToDouble(s -> jaccard(s, m)).toArray(), null, false));
        }
        lines.add(new Plots.Line("random mask (actual)", x, sparsities.stream().mapToDouble(s -> jaccard(s, RANDOM)).toArray(),
                null, false));
        lines.add(new Plots.Line("random expectation a/(2−a)", x, sparsities.stream().mapToDouble(this::expected).toArray(),
                null, true));
        Plots.save(Plots.lines("Mask quality: predicted vs true mask (Table 2)", "sparsity (%)",
                "Jaccard index with the true mask", lines), dir, PLOT);
        return PLOT;
    }
}
