package org.rlcasino.experiment.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Figure 2 of the paper from {@code quality/quality.csv} (one row per arm and seed) and
 * {@code quality/curves.csv} (reward per step): held-out accuracy and reward of the base model,
 * dense RL, BSR-AdamW RL per sparsity and mask method, and random-mask RL, as mean ± standard
 * deviation over seeds; a grouped bar plot and training curves.
 */
public final class QualityReport {
    public static final String CSV = "quality.csv";
    public static final String CURVES = "curves.csv";
    /** Columns of {@value #CSV}; group is the arm without its seed ({@code base}, {@code dense}, {@code bsr magnitude 97.5}, {@code random 97.5}). */
    public static final List<String> COLUMNS = List.of("arm", "group", "optimizer", "mask_method", "sparsity", "seed",
            "held_out_accuracy", "held_out_reward", "steps");
    /** Columns of {@value #CURVES}. */
    public static final List<String> CURVE_COLUMNS = List.of("group", "seed", "step", "reward", "accuracy");
    static final String PLOT = "quality";
    static final String CURVE_PLOT = "training-curves";

    /** Mean, sample standard deviation and count of one group's values. */
    record Stat(double mean, double std, int n) {
        static Stat of(List<Double> values) {
            List<Double> v = values.stream().filter(x -> !x.isNaN()).toList();
            if (v.isEmpty()) {
                return new Stat(Double.NaN, Double.NaN, 0);
            }
            double mean = v.stream().mapToDouble(Double::doubleValue).sum() / v.size();
            double ss = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
            return new Stat(mean, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0, v.size());
        }
    }

    private final Map<String, List<Double>> accuracy = new LinkedHashMap<>();
    private final Map<String, List<Double>> reward = new LinkedHashMap<>();
    private final Map<String, String> optimizer = new LinkedHashMap<>();
    private final CsvTable curves;

    public QualityReport(CsvTable table, CsvTable curves) {
        for (List<String> row : table.rows()) {
            String g = table.text(row, "group");
            accuracy.computeIfAbsent(g, k -> new ArrayList<>()).add(table.number(row, "held_out_accuracy"));
            reward.computeIfAbsent(g, k -> new ArrayList<>()).add(table.number(row, "held_out_reward"));
            optimizer.put(g, table.text(row, "optimizer"));
        }
        this.curves = curves;
    }

    public static QualityReport read(Path dir) throws IOException {
        Path c = dir.resolve(CURVES);
        return new QualityReport(CsvTable.read(dir.resolve(CSV), COLUMNS),
                Files.isRegularFile(c) ? CsvTable.read(c, CURVE_COLUMNS) : null);
    }

    public List<String> groups() {
        return List.copyOf(accuracy.keySet());
    }

    Stat accuracy(String group) {
        return Stat.of(accuracy.get(group));
    }

    Stat reward(String group) {
        return Stat.of(reward.get(group));
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("| arm | optimizer | seeds | held-out accuracy | held-out reward |\n|---|---|---:|---:|---:|\n");
        for (String g : groups()) {
            Stat a = accuracy(g);
            Stat r = reward(g);
            sb.append("| ").append(g).append(" | ").append(optimizer.get(g)).append(" | ").append(a.n()).append(" | ")
                    .append(Format.meanSpread(a.mean(), a.std(), a.n(), 3)).append(" | ")
                    .append(Format.meanSpread(r.mean(), r.std(), r.n(), 3)).append(" |\n");
        }
        return sb.toString();
    }

    /**
     * The paper's claim, BSR-AdamW reaches equal or better quality than dense RL, checked per sparse
     * arm: equal when its mean accuracy is within the larger of the two standard deviations of
     * dense's mean (or above), else worse.
     */
    public String comparison() {
        if (!accuracy.containsKey("dense")) {
            return "The paper's claim: BSR-AdamW RL reaches equal or better quality than dense RL. This run has no dense arm, "
                    + "so the claim is **not checked**.";
        }
        Stat dense = accuracy("dense");
        List<String> parts = new ArrayList<>();
        int ok = 0;
        int n = 0;
        for (String g : groups()) {
            if (!g.startsWith("bsr ")) {
                continue;
            }
            Stat s = accuracy(g);
            double tolerance = Math.max(dense.std(), s.std());
            boolean equalOrBetter = s.mean() >= dense.mean() - tolerance;
            n++;
            ok += equalOrBetter ? 1 : 0;
            parts.add(String.format(Locale.ROOT, "%s %.3f vs dense %.3f (%s)", g, s.mean(), dense.mean(),
                    s.mean() > dense.mean() + tolerance ? "better" : equalOrBetter ? "equal within spread" : "worse"));
        }
        if (n == 0) {
            return "The paper's claim: BSR-AdamW RL reaches equal or better quality than dense RL. This run has no BSR arm, "
                    + "so the claim is **not checked**.";
        }
        String verdict = ok == n ? "agrees" : ok == 0 ? "differs" : "partly agrees";
        String random = "";
        for (String g : groups()) {
            if (g.startsWith("random ")) {
                random += String.format(Locale.ROOT, " Random mask %s: %.3f.", g.substring("random ".length()), accuracy(g).mean());
            }
        }
        return "The paper's claim: BSR-AdamW RL reaches equal or better quality than dense RL. Held-out accuracy here: "
                + String.join("; ", parts) + " — ours **" + verdict + "**." + random;
    }

    /**
     * Block masks against the element mask of the same method and sparsity (groups {@code bsr <method>
     * <N>x<N> <sparsity>} vs {@code bsr <method> <sparsity>}), with the rule of {@link #comparison()}:
     * equal when the means differ by at most the larger of the two standard deviations; empty when the
     * run has no block-mask arm.
     */
    public String blockComparison() {
        List<String> parts = new ArrayList<>();
        int equal = 0;
        for (String g : groups()) {
            String[] w = g.split(" ");
            if (w.length != 4 || !w[0].equals("bsr") || !w[2].matches("\\d+x\\d+")) {
                continue;
            }
            String element = "bsr " + w[1] + " " + w[3];
            if (!accuracy.containsKey(element)) {
                continue;
            }
            Stat b = accuracy(g);
            Stat e = accuracy(element);
            double tolerance = Math.max(b.std(), e.std());
            String verdict = b.mean() > e.mean() + tolerance ? "better" : b.mean() < e.mean() - tolerance ? "worse"
                    : "equal within seed spread";
            equal += verdict.startsWith("equal") ? 1 : 0;
            parts.add(String.format(Locale.ROOT, "%s %.3f vs element %.3f (%s)", g, b.mean(), e.mean(), verdict));
        }
        if (parts.isEmpty()) {
            return "";
        }
        return "Block masks vs the element mask built from the same scores: " + String.join("; ", parts) + " — "
                + equal + " of " + parts.size() + " equal within seed spread.";
    }

    /** Writes the grouped bar plot and the training curves; returns the plot base names. */
    public List<String> plot(Path dir) throws IOException {
        List<String> groups = groups();
        Plots.save(Plots.bars("Held-out quality per arm (Figure 2; mean ± std over seeds)", "arm", "held-out accuracy / reward (fraction)",
                groups, List.of(
                        new Plots.Bars("accuracy", groups.stream().map(g -> accuracy(g).mean()).toList(),
                                groups.stream().map(g -> accuracy(g).std()).toList()),
                        new Plots.Bars("reward", groups.stream().map(g -> reward(g).mean()).toList(),
                                groups.stream().map(g -> reward(g).std()).toList()))), dir, PLOT);
        List<String> names = new ArrayList<>(List.of(PLOT));
        if (curves != null && !curves.rows().isEmpty()) {
            // group → step → rewards over seeds
            Map<String, TreeMap<Double, List<Double>>> byGroup = new LinkedHashMap<>();
            for (List<String> row : curves.rows()) {
                double r = curves.number(row, "reward");
                if (!Double.isNaN(r)) {
                    byGroup.computeIfAbsent(curves.text(row, "group"), k -> new TreeMap<>())
                            .computeIfAbsent(curves.number(row, "step"), k -> new ArrayList<>()).add(r);
                }
            }
            List<Plots.Line> lines = new ArrayList<>();
            for (Map.Entry<String, TreeMap<Double, List<Double>>> e : byGroup.entrySet()) {
                double[] x = e.getValue().keySet().stream().mapToDouble(Double::doubleValue).toArray();
                double[] y = e.getValue().values().stream().mapToDouble(v -> Stat.of(v).mean()).toArray();
                lines.add(new Plots.Line(e.getKey(), x, y, null, e.getKey().startsWith("random ")));
            }
            if (!lines.isEmpty()) {
                Plots.save(Plots.lines("Training curves: reward per step (mean over seeds)", "optimizer step",
                        "mean training reward (fraction correct)", lines), dir, CURVE_PLOT);
                names.add(CURVE_PLOT);
            }
        }
        return names;
    }
}
