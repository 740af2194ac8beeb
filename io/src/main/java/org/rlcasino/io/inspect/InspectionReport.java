package org.rlcasino.io.inspect;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Prints {@link Inspection}s: as aligned text (summary entries as {@code label  value} lines,
 * maps indented below their label, tables with numbers right-aligned) or as one JSON document
 * {@code {"format": "rlcasino.inspect", "version": 1, "files": [...]}} in which each table is an
 * array of objects keyed by column name and undefined figures are null.
 */
public final class InspectionReport {
    static final String JSON_FORMAT = "rlcasino.inspect";
    static final int JSON_VERSION = 1;
    private static final String INDENT = "  ";
    private static final MathContext SIGNIFICANT = new MathContext(6);

    private InspectionReport() {}

    /** One file as text, ending with a newline. */
    public static String text(Inspection inspection) {
        StringBuilder sb = new StringBuilder();
        sb.append(inspection.file()).append(": ").append(inspection.format()).append('\n');
        appendMap(sb, inspection.summary(), INDENT, true);
        for (Inspection.Table table : inspection.tables()) {
            sb.append(INDENT).append(words(table.key())).append('\n');
            appendTable(sb, table, INDENT + INDENT);
        }
        return sb.toString();
    }

    /** Summary keys are shown as words; the keys of nested maps (metadata, provenance) as they are. */
    private static void appendMap(StringBuilder sb, Map<String, ?> map, String indent, boolean summaryKeys) {
        int width = 0;
        for (String key : map.keySet()) {
            width = Math.max(width, (summaryKeys ? words(key) : key).length());
        }
        for (Map.Entry<String, ?> e : map.entrySet()) {
            String label = summaryKeys ? words(e.getKey()) : e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested && !nested.isEmpty()) {
                sb.append(indent).append(label).append('\n');
                @SuppressWarnings("unchecked")
                Map<String, ?> entries = (Map<String, ?>) nested;
                appendMap(sb, entries, indent + INDENT, false);
            } else {
                sb.append(indent).append(label).append(" ".repeat(width - label.length() + 2)).append(cell(e.getValue())).append('\n');
            }
        }
    }

    private static void appendTable(StringBuilder sb, Inspection.Table table, String indent) {
        int n = table.columns().size();
        List<String[]> lines = new ArrayList<>();
        String[] header = new String[n];
        int[] width = new int[n];
        boolean[] right = new boolean[n];
        for (int c = 0; c < n; c++) {
            header[c] = table.columns().get(c).header();
            width[c] = header[c].length();
        }
        for (List<Object> row : table.rows()) {
            String[] line = new String[n];
            for (int c = 0; c < n; c++) {
                line[c] = cell(row.get(c));
                width[c] = Math.max(width[c], line[c].length());
                right[c] |= row.get(c) instanceof Number;
            }
            lines.add(line);
        }
        lines.addFirst(header);
        for (String[] line : lines) {
            StringBuilder text = new StringBuilder(indent);
            for (int c = 0; c < n; c++) {
                String pad = " ".repeat(width[c] - line[c].length());
                text.append(c == 0 ? "" : "  ").append(right[c] ? pad + line[c] : line[c] + pad);
            }
            sb.append(text.toString().stripTrailing()).append('\n');
        }
    }

    /** A value as the text shows it: grouped integers, 6 significant digits, shapes as [2, 3], "-" for null or NaN. */
    static String cell(Object value) {
        return switch (value) {
            case null -> "-";
            case Double d -> number(d);
            case Float f -> number(f);
            case Long l -> String.format(Locale.ROOT, "%,d", l);
            case Integer i -> String.format(Locale.ROOT, "%,d", i);
            case long[] shape -> java.util.Arrays.toString(shape);
            case List<?> list -> String.join(", ", list.stream().map(InspectionReport::cell).toList());
            case Map<?, ?> map -> map.isEmpty() ? "-" : map.toString();
            default -> value.toString();
        };
    }

    /** {@code x} to 6 significant digits, plain between 1e-4 and 1e7, else as {@code 1.5e-07}; "-" for NaN. */
    static String number(double x) {
        if (Double.isNaN(x)) {
            return "-";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return "0";
        }
        double a = Math.abs(x);
        if (a >= 1e-4 && a < 1e7) {
            return new BigDecimal(x).round(SIGNIFICANT).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.5e", x).replaceFirst("\\.?0+e", "e");
    }

    /** {@code absMean} → {@code abs mean}. */
    static String words(String camelCase) {
        return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    /** All files as one JSON document (indented, ending with a newline). */
    public static String json(List<Inspection> inspections) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("format", JSON_FORMAT);
        doc.put("version", JSON_VERSION);
        ArrayNode files = doc.putArray("files");
        for (Inspection inspection : inspections) {
            ObjectNode file = files.addObject();
            file.put("file", inspection.file());
            file.put("format", inspection.format());
            inspection.summary().forEach((key, value) -> file.set(key, node(value)));
            for (Inspection.Table table : inspection.tables()) {
                ArrayNode rows = file.putArray(table.key());
                for (List<Object> row : table.rows()) {
                    ObjectNode object = rows.addObject();
                    for (int c = 0; c < row.size(); c++) {
                        object.set(table.columns().get(c).key(), node(row.get(c)));
                    }
                }
            }
        }
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    private static JsonNode node(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (value) {
            case null -> f.nullNode();
            case Double d -> Double.isFinite(d) ? f.numberNode(d) : f.nullNode();
            case Float x -> Float.isFinite(x) ? f.numberNode(x) : f.nullNode();
            case Long l -> f.numberNode(l);
            case Integer i -> f.numberNode(i);
            case Boolean b -> f.booleanNode(b);
            case long[] shape -> {
                ArrayNode array = f.arrayNode();
                for (long d : shape) {
                    array.add(d);
                }
                yield array;
            }
            case List<?> list -> {
                ArrayNode array = f.arrayNode();
                list.forEach(v -> array.add(node(v)));
                yield array;
            }
            case Map<?, ?> map -> {
                ObjectNode object = f.objectNode();
                map.forEach((k, v) -> object.set(String.valueOf(k), node(v)));
                yield object;
            }
            default -> f.textNode(value.toString());
        };
    }
}
