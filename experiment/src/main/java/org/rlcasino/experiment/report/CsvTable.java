package org.rlcasino.experiment.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.rlcasino.io.AtomicFileWriter;

/**
 * A small CSV table: a header and rows of text cells (comma-separated, no quoting; cells must not
 * hold commas or line breaks). Numbers are written with {@link #number(double)} so that reading
 * them back gives the same double.
 */
public record CsvTable(List<String> header, List<List<String>> rows) {
    public CsvTable {
        header = List.copyOf(header);
        List<List<String>> copy = new ArrayList<>();
        for (List<String> r : rows) {
            if (r.size() != header.size()) {
                throw new IllegalArgumentException("CSV row has " + r.size() + " cells, header has " + header.size() + ": " + r);
            }
            for (String cell : r) {
                if (cell.contains(",") || cell.contains("\n")) {
                    throw new IllegalArgumentException("CSV cell must not contain a comma or a line break: '" + cell + "'");
                }
            }
            copy.add(List.copyOf(r));
        }
        rows = List.copyOf(copy);
    }

    /** Reads {@code file}, checking that the header holds every column of {@code required}. */
    public static CsvTable read(Path file, List<String> required) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such CSV file");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + ": empty CSV file (expected a header line)");
        }
        List<String> header = List.of(lines.getFirst().strip().split(",", -1));
        for (String column : required) {
            if (!header.contains(column)) {
                throw new IllegalArgumentException(file + ": missing column '" + column + "' (header: " + lines.getFirst() + ")");
            }
        }
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            List<String> cells = List.of(line.split(",", -1));
            if (cells.size() != header.size()) {
                throw new IllegalArgumentException(file + ": line " + (i + 1) + " has " + cells.size() + " cells, the header has " + header.size());
            }
            rows.add(cells);
        }
        return new CsvTable(header, rows);
    }

    public void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (List<String> r : rows) {
            sb.append(String.join(",", r)).append('\n');
        }
        AtomicFileWriter.writeString(file, sb.toString());
    }

    /** Column index of {@code name}. */
    public int column(String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + name + "' in " + header);
        }
        return i;
    }

    public String text(List<String> row, String column) {
        return row.get(column(column));
    }

    /** The number in a cell; an empty cell is NaN (not measured). */
    public double number(List<String> row, String column) {
        String s = row.get(column(column));
        if (s.isEmpty() || s.equals("NaN")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("column " + column + ": '" + s + "' is not a number");
        }
    }

    /** A number as a CSV cell: shortest round-trip text, empty for NaN. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v).toLowerCase(Locale.ROOT);
    }

    /** Builds a table row by row. */
    public static final class Builder {
        private final List<String> header;
        private final List<List<String>> rows = new ArrayList<>();

        public Builder(String... header) {
            this.header = List.of(header);
        }

        public Builder row(Object... cells) {
            List<String> r = new ArrayList<>();
            for (Object c : cells) {
                r.add(c instanceof Double d ? number(d) : c instanceof Float f ? number(f) : String.valueOf(c));
            }
            rows.add(r);
            return this;
        }

        public CsvTable build() {
            return new CsvTable(header, rows);
        }
    }
}
