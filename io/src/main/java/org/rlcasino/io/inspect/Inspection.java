package org.rlcasino.io.inspect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What {@code casino inspect} found in one file: its format, summary entries in print order and
 * tables (tensors, steps, rows). {@link InspectionReport} prints it as text or JSON.
 *
 * @param file    the path as given on the command line
 * @param format  {@code safetensors} or the {@code rlcasino.format} of an Arrow file
 * @param summary JSON names (camelCase; the text shows them as words) to a String, Number,
 *                List or Map of such values; NaN means "not defined"
 * @param tables  in print order
 */
public record Inspection(String file, String format, Map<String, Object> summary, List<Table> tables) {

    /** A table column: its JSON name and its text heading. */
    record Column(String key, String header) {
    }

    /**
     * Rows under named columns. Cells are Strings, Numbers (NaN: not defined), {@code long[]}
     * shapes or null (absent).
     */
    record Table(String key, List<Column> columns, List<List<Object>> rows) {
        Table(String key, List<Column> columns) {
            this(key, List.copyOf(columns), new ArrayList<>());
        }

        void add(List<Object> cells) {
            if (cells.size() != columns.size()) {
                throw new IllegalStateException("table " + key + " has " + columns.size() + " columns, got " + cells.size() + " cells");
            }
            rows.add(cells);
        }

        void add(Object... cells) {
            add(Arrays.asList(cells));
        }
    }

    /** Columns by {@code key, header, key, header…}. */
    static List<Column> columns(String... keysAndHeaders) {
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < keysAndHeaders.length; i += 2) {
            columns.add(new Column(keysAndHeaders[i], keysAndHeaders[i + 1]));
        }
        return columns;
    }
}
