package org.rlcasino.tokenizers.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rlcasino.tokenizers.chat.PythonValues.Tuple;

/**
 * Python's {@code json.dumps(x, ensure_ascii, indent, separators, sort_keys)}, which transformers'
 * {@code tojson} filter calls (so unlike jinja2's own filter, {@code <>&'} are not escaped). Output
 * is CPython's to the character: {@code ", "} and {@code ": "} separators ({@code ","} between items
 * when indenting), floats as {@code repr} ({@code NaN}, {@code Infinity}), tuples as arrays, keys
 * that are numbers, booleans or None turned into strings, {@code \\uXXXX} escapes in lower-case hex.
 */
final class PythonJson {
    private final boolean ensureAscii;
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final StringBuilder out = new StringBuilder();

    private PythonJson(boolean ensureAscii, String indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
    }

    /**
     * {@code json.dumps}: {@code indent} is None, an int (that many spaces) or a string;
     * {@code separators} None or an (item, key) pair of strings.
     */
    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        String indentText;
        if (indent == null) {
            indentText = null;
        } else if (indent instanceof String s) {
            indentText = s;
        } else if (indent instanceof Long || indent instanceof Boolean) {
            long spaces = PythonValues.toLong(indent);
            if (spaces > 1_000) {
                throw new JinjaError("tojson: indent " + spaces + " is too large (at most 1000 spaces)");
            }
            indentText = " ".repeat((int) Math.max(0, spaces));
        } else {
            throw new JinjaError("tojson: indent must be None, an int or a string, not " + PythonValues.typeName(indent));
        }
        String item = indentText == null ? ", " : ",";
        String key = ": ";
        if (separators != null) {
            List<Object> pair = separators instanceof List || separators instanceof Tuple ? PythonValues.iterate(separators) : List.of();
            if (pair.size() != 2 || !(pair.get(0) instanceof String) || !(pair.get(1) instanceof String)) {
                throw new JinjaError("tojson: separators must be an (item_separator, key_separator) pair of strings");
            }
            item = (String) pair.get(0);
            key = (String) pair.get(1);
        }
        PythonJson json = new PythonJson(ensureAscii, indentText, item, key, sortKeys);
        json.write(value, 0);
        return json.out.toString();
    }

    private void write(Object v, int level) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Long l) {
            out.append(l);
        } else if (v instanceof Double d) {
            out.append(floatText(d));
        } else if (v instanceof String s) {
            string(s);
        } else if (v instanceof List<?> || v instanceof Tuple) {
            array(v instanceof Tuple t ? t.items() : (List<?>) v, level);
        } else if (v instanceof Map<?, ?> m) {
            object(m, level);
        } else {
            throw new JinjaError("Object of type " + PythonValues.typeName(v) + " is not JSON serializable");
        }
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PythonValues.floatRepr(d);
    }

    private void array(List<?> items, int level) {
        if (items.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            out.append(i == 0 ? "" : itemSeparator);
            newline(level + 1);
            write(items.get(i), level + 1);
        }
        newline(level);
        out.append(']');
    }

    private void object(Map<?, ?> m, int level) {
        if (m.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
        if (sortKeys) {
            entries.sort((a, b) -> PythonValues.compare(a.getKey(), b.getKey(), "<"));
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : entries) {
            out.append(first ? "" : itemSeparator);
            first = false;
            newline(level + 1);
            string(key(e.getKey()));
            out.append(keySeparator);
            write(e.getValue(), level + 1);
        }
        newline(level);
        out.append('}');
    }

    /** A dict key as json.dumps writes it: strings as they are; numbers, booleans and None as their JSON text. */
    private static String key(Object k) {
        if (k instanceof String s) {
            return s;
        }
        if (k instanceof Double d) {
            return floatText(d);
        }
        if (k == null || k instanceof Boolean || k instanceof Long) {
            return k == null ? "null" : k instanceof Boolean b ? (b ? "true" : "false") : k.toString();
        }
        throw new JinjaError("keys must be str, int, float, bool or None, not " + PythonValues.typeName(k));
    }

    private void newline(int level) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(level));
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // UTF-16 units: with ensure_ascii, a supplementary character becomes its surrogate pair, as in Python
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
