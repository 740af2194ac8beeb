package org.rlcasino.scoring.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlcasino.io.arrow.MetricColumn;

/**
 * Renders mask comparisons as a text table, CSV, JSON or metric-table rows. CSV, JSON and the
 * metric table share the column names below; a NaN ratio (empty denominator) is written as an
 * empty CSV field, JSON null or a null cell.
 */
public final class CompareReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Row columns of CSV and the metric table, in order. */
    public static final List<MetricColumn> METRIC_COLUMNS = List.of(
            MetricColumn.utf8("a"), MetricColumn.utf8("b"), MetricColumn.utf8("scope"), MetricColumn.utf8("tensor"),
            MetricColumn.int64("size"), MetricColumn.int64("count_a"), MetricColumn.int64("count_b"),
            MetricColumn.int64("intersection"), MetricColumn.int64("union"),
            MetricColumn.float64("jaccard"), MetricColumn.float64("random_jaccard"),
            MetricColumn.float64("overlap_a"), MetricColumn.float64("overlap_b"),
            MetricColumn.float64("density_a"), MetricColumn.float64("density_b"),
            MetricColumn.float64("mean_tensor_jaccard"));

    /** One mask as the report names it. */
    public record Mask(String path, String method, long kept, long elements) {
        double density() {
            return elements == 0 ? Double.NaN : (double) kept / elements;
        }
    }

    /**
     * One output row: a tensor of a pair ({@code tensor} set, {@code meanTensorJaccard} NaN) or a
     * pair's total ({@code tensor} null).
     */
    public record Row(String a, String b, String tensor, MaskOverlap overlap, double meanTensorJaccard) {
        String scope() {
            return tensor == null ? "total" : "tensor";
        }

        public Object[] metricValues() {
            MaskOverlap o = overlap;
            return new Object[] {a, b, scope(), tensor, o.size(), o.countA(), o.countB(), o.intersection(), o.union(),
                    orNull(o.jaccard()), orNull(o.randomJaccard()), orNull(o.overlapOfA()), orNull(o.overlapOfB()),
                    orNull(o.densityA()), orNull(o.densityB()), orNull(meanTensorJaccard)};
        }
    }

    private CompareReport() {}

    /** Per pair: its tensor rows (if {@code tensorRows}), then its total row. */
    public static List<Row> rows(List<MaskComparison.Result> results, boolean tensorRows) {
        List<Row> rows = new ArrayList<>();
        for (MaskComparison.Result r : results) {
            if (tensorRows) {
                for (TensorOverlap t : r.tensors()) {
                    rows.add(new Row(r.a(), r.b(), t.tensor().name(), t.overlap(), Double.NaN));
                }
            }
            rows.add(new Row(r.a(), r.b(), null, r.total(), r.meanTensorJaccard()));
        }
        return rows;
    }

    public static String csv(List<Row> rows) {
        StringBuilder s = new StringBuilder();
        s.append(String.join(",", METRIC_COLUMNS.stream().map(MetricColumn::name).toList())).append('\n');
        for (Row row : rows) {
            Object[] values = row.metricValues();
            for (int c = 0; c < values.length; c++) {
                if (c > 0) {
                    s.append(',');
                }
                Object v = values[c];
                if (v instanceof String text) {
                    s.append(csvField(text));
                } else if (v != null) {
                    s.append(v);
                }
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled. */
    private static String csvField(String text) {
        boolean quote = text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0;
        return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
    }

    public static String json(List<Mask> masks, List<MaskComparison.Result> results, boolean tensorRows) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "rlcasino.compare");
        root.put("version", 1);
        ArrayNode maskArray = root.putArray("masks");
        for (Mask m : masks) {
            ObjectNode node = maskArray.addObject();
            node.put("path", m.path());
            node.put("method", m.method());
            node.put("kept", m.kept());
            node.put("elements", m.elements());
            putRatio(node, "density", m.density());
        }
        ArrayNode pairs = root.putArray("pairs");
        for (MaskComparison.Result r : results) {
            ObjectNode pair = pairs.addObject();
            pair.put("a", r.a());
            pair.put("b", r.b());
            putOverlap(pair.putObject("total"), r.total());
            putRatio(pair, "mean_tensor_jaccard", r.meanTensorJaccard());
            pair.put("non_empty_tensors", r.nonEmptyTensors());
            if (tensorRows) {
                ArrayNode tensors = pair.putArray("tensors");
                for (TensorOverlap t : r.tensors()) {
                    ObjectNode node = tensors.addObject();
                    node.put("tensor", t.tensor().name());
                    putOverlap(node, t.overlap());
                }
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the comparison as JSON", e);
        }
    }

    private static void putOverlap(ObjectNode node, MaskOverlap o) {
        node.put("size", o.size());
        node.put("count_a", o.countA());
        node.put("count_b", o.countB());
        node.put("intersection", o.intersection());
        node.put("union", o.union());
        putRatio(node, "jaccard", o.jaccard());
        putRatio(node, "random_jaccard", o.randomJaccard());
        putRatio(node, "overlap_a", o.overlapOfA());
        putRatio(node, "overlap_b", o.overlapOfB());
        putRatio(node, "density_a", o.densityA());
        putRatio(node, "density_b", o.densityB());
    }

    private static void putRatio(ObjectNode node, String name, double value) {
        if (Double.isNaN(value)) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }

    /**
     * Two masks: the masks, the per-tensor table with a total row, and the mean per-tensor Jaccard.
     * More: the masks, one total row per pair, and (with {@code tensorRows}) each pair's per-tensor table.
     */
    public static String table(List<Mask> masks, List<MaskComparison.Result> results, boolean tensorRows) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < masks.size(); i++) {
            Mask m = masks.get(i);
            s.append(String.format(Locale.ROOT, "%s %s: %s, %,d of %,d kept (density %s)%n", masks.size() == 2 ? "AB".charAt(i) + "" : "mask",
                    m.path(), m.method(), m.kept(), m.elements(), ratio(m.density())));
        }
        if (masks.size() > 2) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"A", "B", "|A|", "|B|", "|A∩B|", "|A∪B|", "jaccard", "random", "∩/|A|", "∩/|B|", "mean tensor J"});
            for (MaskComparison.Result r : results) {
                MaskOverlap o = r.total();
                rows.add(new String[] {r.a(), r.b(), count(o.countA()), count(o.countB()), count(o.intersection()), count(o.union()),
                        ratio(o.jaccard()), ratio(o.randomJaccard()), ratio(o.overlapOfA()), ratio(o.overlapOfB()),
                        ratio(r.meanTensorJaccard())});
            }
            s.append('\n').append(align(rows, 2));
        }
        if (tensorRows) {
            for (MaskComparison.Result r : results) {
                s.append('\n');
                if (masks.size() > 2) {
                    s.append("A = ").append(r.a()).append(", B = ").append(r.b()).append('\n');
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"tensor", "size", "|A|", "|B|", "|A∩B|", "|A∪B|", "jaccard", "random", "∩/|A|", "∩/|B|", "a", "b"});
                for (TensorOverlap t : r.tensors()) {
                    rows.add(tensorRow(t.tensor().name(), t.overlap()));
                }
                rows.add(tensorRow("total", r.total()));
                s.append(align(rows, 1));
                s.append(String.format(Locale.ROOT, "aggregate Jaccard %s (random %s); mean per-tensor Jaccard %s over %d of %d tensors"
                        + " (those where A or B keeps something)%n", ratio(r.total().jaccard()), ratio(r.total().randomJaccard()),
                        ratio(r.meanTensorJaccard()), r.nonEmptyTensors(), r.tensors().size()));
            }
        }
        return s.toString();
    }

    private static String[] tensorRow(String name, MaskOverlap o) {
        return new String[] {name, count(o.size()), count(o.countA()), count(o.countB()), count(o.intersection()), count(o.union()),
                ratio(o.jaccard()), ratio(o.randomJaccard()), ratio(o.overlapOfA()), ratio(o.overlapOfB()),
                ratio(o.densityA()), ratio(o.densityB())};
    }

    /** Columns padded to their widest cell: the first {@code leftColumns} left-aligned, the rest right-aligned. */
    private static String align(List<String[]> rows, int leftColumns) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                if (c > 0) {
                    line.append("  ");
                }
                String pad = " ".repeat(width[c] - row[c].length());
                line.append(c < leftColumns ? row[c] + pad : pad + row[c]);
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }
        return s.toString();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String ratio(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.4f", x);
    }

    private static Double orNull(double x) {
        return Double.isNaN(x) ? null : x;
    }
}
