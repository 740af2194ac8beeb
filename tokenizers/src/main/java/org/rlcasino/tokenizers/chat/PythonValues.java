package org.rlcasino.tokenizers.chat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Python semantics a Jinja template sees, over Java values: None = {@code null}, bool =
 * {@link Boolean}, int = {@link Long} (64-bit: overflow is an error), float = {@link Double}, str =
 * {@link String} (indexed and counted by code point, as Python does), list = {@link List}, tuple =
 * {@link Tuple}, dict = {@link Map} (insertion order), the one-pass iterators jinja2's filters
 * return ({@link Generator}), and jinja2's {@link Undefined}. {@code str()}, {@code repr()},
 * truthiness, {@code ==}, ordering, {@code len}, iteration, indexing and slicing follow CPython 3.
 */
final class PythonValues {
    private PythonValues() {}

    /** A tuple: a list that prints as {@code (a, b)}. */
    record Tuple(List<Object> items) {}

    /** jinja2's Undefined: empty when printed, false, empty when iterated; anything else is an error naming {@code hint}. */
    record Undefined(String hint) {
        JinjaError error() {
            return new JinjaError(hint);
        }
    }

    /**
     * A Python iterator: what jinja2's {@code map}, {@code select}, {@code unique}, {@code items}
     * ... filters (generators) and {@code reverse} return. As in Python it is always true, has no
     * {@code len}, cannot be indexed, and iterating it consumes it (a second loop over it is empty).
     */
    static final class Generator {
        final String typeName;
        private final List<Object> items;
        private int next;

        Generator(String typeName, List<Object> items) {
            this.typeName = typeName;
            this.items = items;
        }

        /** The items not consumed yet, consuming them. */
        List<Object> drain() {
            List<Object> rest = new ArrayList<>(items.subList(next, items.size()));
            next = items.size();
            return rest;
        }

        boolean hasNext() {
            return next < items.size();
        }

        /** The next item, consuming it; call only if {@link #hasNext()}. */
        Object next() {
            return items.get(next++);
        }
    }

    /** The object {@code namespace(...)} returns: attributes that {@code set ns.x = ...} may change. */
    static final class Namespace {
        final Map<String, Object> attributes = new LinkedHashMap<>();
    }

    /** Something callable from a template: a global function, a method bound to its receiver, {@code loop.cycle}. */
    interface Function {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /**
     * A deep copy of caller data (messages, tools, keyword arguments) as template values: strings,
     * booleans, null, integral numbers (to Long), other numbers (to Double), maps, lists and arrays.
     */
    static Object fromJava(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigInteger b) {
            if (b.bitLength() > 63) {
                throw new IllegalArgumentException("integer " + b + " does not fit in 64 bits");
            }
            return b.longValue();
        }
        if (v instanceof Number num) {
            return num.doubleValue();
        }
        if (v instanceof Character c) {
            return c.toString();
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(fromJava(e.getKey()), fromJava(e.getValue()));
            }
            return out;
        }
        if (v instanceof Collection<?> c) {
            return copyList(c);
        }
        if (v instanceof Object[] a) {
            return copyList(Arrays.asList(a));
        }
        throw new IllegalArgumentException("a chat template cannot use a value of type " + v.getClass().getName()
                + "; give strings, numbers, booleans, null, lists and maps");
    }

    private static List<Object> copyList(Collection<?> c) {
        List<Object> out = new ArrayList<>(c.size());
        for (Object x : c) {
            out.add(fromJava(x));
        }
        return out;
    }

    /** Python's type name, as error messages give it. */
    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Tuple) {
            return "tuple";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof Undefined) {
            return "Undefined";
        }
        if (v instanceof Namespace) {
            return "Namespace";
        }
        if (v instanceof Generator g) {
            return g.typeName;
        }
        if (v instanceof Function) {
            return "function";
        }
        return v.getClass().getSimpleName();
    }

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof Tuple t) {
            return !t.items().isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's {@code str(v)}; jinja2 prints Undefined as the empty string. */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Undefined) {
            return "";
        }
        return repr(v);
    }

    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Long l) {
            return l.toString();
        }
        if (v instanceof Double d) {
            return floatRepr(d);
        }
        if (v instanceof String s) {
            return stringRepr(s);
        }
        if (v instanceof List<?> l) {
            return join(l, "[", "]");
        }
        if (v instanceof Tuple t) {
            return t.items().size() == 1 ? "(" + repr(t.items().get(0)) + ",)" : join(t.items(), "(", ")");
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(b.length() > 1 ? ", " : "").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (v instanceof Undefined) {
            return "Undefined";
        }
        if (v instanceof Namespace ns) {
            return "<Namespace " + repr(ns.attributes) + ">";
        }
        return "<" + typeName(v) + " object>";
    }

    private static String join(List<?> items, String open, String close) {
        StringBuilder b = new StringBuilder(open);
        for (int i = 0; i < items.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(repr(items.get(i)));
        }
        return b.append(close).toString();
    }

    /** CPython's {@code repr(str)}: single quotes unless the text has ' and no ", non-printables escaped. */
    static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(quote);
        s.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') {
                b.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (isPrintable(cp)) {
                b.appendCodePoint(cp);
            } else if (cp < 0x100) {
                b.append(String.format("\\x%02x", cp));
            } else if (cp < 0x10000) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.append(String.format("\\U%08x", cp));
            }
        });
        return b.append(quote).toString();
    }

    /** Python's str.isprintable for one code point: not a control, format, surrogate, private-use, unassigned or separator other than ' '. */
    static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        int t = Character.getType(cp);
        return t != Character.CONTROL && t != Character.FORMAT && t != Character.SURROGATE && t != Character.PRIVATE_USE
                && t != Character.UNASSIGNED && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR
                && t != Character.SPACE_SEPARATOR;
    }

    /** CPython's {@code repr(float)}: the shortest round-tripping digits, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        // Java's Double.toString gives the shortest round-tripping digits (JDK 19+), as Python's repr does
        BigDecimal b = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = b.unscaledValue().toString();
        int exp = digits.length() - 1 - b.scale();
        StringBuilder out = new StringBuilder(d < 0 ? "-" : "");
        if (exp < -4 || exp >= 16) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            out.append(a < 10 ? "0" : "").append(a);
        } else if (exp >= 0) {
            if (digits.length() <= exp + 1) {
                out.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
            } else {
                out.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
            }
        } else {
            out.append("0.").append("0".repeat(-exp - 1)).append(digits);
        }
        return out.toString();
    }

    // ---- whitespace as Python's str.isspace sees it

    static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
    }

    static boolean isAllSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isSpace(s.charAt(i))) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static boolean strips(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strips(s.codePointAt(i), chars)) {
            i += Character.charCount(s.codePointAt(i));
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strips(s.codePointBefore(j), chars)) {
            j -= Character.charCount(s.codePointBefore(j));
        }
        return s.substring(0, j);
    }

    static String strip(String s, String chars) {
        return lstrip(rstrip(s, chars), chars);
    }

    // ---- equality and ordering

    static boolean eq(Object a, Object b) {
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                return toDouble(a) == toDouble(b);
            }
            return toLong(a) == toLong(b);
        }
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof String && b instanceof String) {
            return a.equals(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            return eqLists(x, y);
        }
        if (a instanceof Tuple x && b instanceof Tuple y) {
            return eqLists(x.items(), y.items());
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                Object key = findKey(y, e.getKey());
                if (key == null && !y.containsKey(null) || !eq(e.getValue(), y.get(key))) {
                    return false;
                }
            }
            return true;
        }
        return a == b;
    }

    private static boolean eqLists(List<?> x, List<?> y) {
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!eq(x.get(i), y.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The key of {@code m} equal to {@code key} in Python's sense (1 == 1.0 == True), or null. */
    static Object findKey(Map<?, ?> m, Object key) {
        if (m.containsKey(key)) {
            return key;
        }
        if (isNumber(key)) {
            for (Object k : m.keySet()) {
                if (isNumber(k) && eq(k, key)) {
                    return k;
                }
            }
        }
        return null;
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static long toLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double toDouble(Object v) {
        return v instanceof Double d ? d : toLong(v);
    }

    /** Python's ordering ({@code <} etc.): numbers, strings by code point, lists and tuples item by item. */
    static int compare(Object a, Object b, String op) {
        if (isNumber(a) && isNumber(b)) {
            return a instanceof Double || b instanceof Double ? Double.compare(toDouble(a), toDouble(b))
                    : Long.compare(toLong(a), toLong(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return compareCodePoints(x, y);
        }
        List<?> x = a instanceof Tuple t ? t.items() : a instanceof List<?> l && !(b instanceof Tuple) ? l : null;
        List<?> y = b instanceof Tuple t ? t.items() : b instanceof List<?> l && !(a instanceof Tuple) ? l : null;
        if (x != null && y != null) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), op);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        throw new JinjaError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Boolean.compare(i < x.length(), j < y.length());
    }

    // ---- containers

    /** Python's {@code len(v)}; Undefined has length 0. */
    static long len(Object v) {
        if (v instanceof String s) {
            return s.codePointCount(0, s.length());
        }
        if (v instanceof List<?> l) {
            return l.size();
        }
        if (v instanceof Tuple t) {
            return t.items().size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        if (v instanceof Undefined) {
            return 0;
        }
        throw new JinjaError("object of type '" + typeName(v) + "' has no len()");
    }

    /**
     * The items {@code for x in v} visits: a list's items, a dict's keys, a string's characters, an
     * iterator's remaining items (consuming them); Undefined is empty.
     */
    static List<Object> iterate(Object v) {
        if (v instanceof Generator g) {
            return g.drain();
        }
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (v instanceof Tuple t) {
            return new ArrayList<>(t.items());
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        if (v instanceof String s) {
            List<Object> out = new ArrayList<>();
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        if (v instanceof Undefined) {
            return new ArrayList<>();
        }
        throw new JinjaError("'" + typeName(v) + "' object is not iterable");
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            if (!(item instanceof String x)) {
                throw new JinjaError("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return s.contains(x);
        }
        if (container instanceof Map<?, ?> m) {
            return findKey(m, item) != null || (item == null && m.containsKey(null));
        }
        if (container instanceof Generator g) { // Python consumes an iterator up to the item found
            while (g.hasNext()) {
                if (eq(g.next(), item)) {
                    return true;
                }
            }
            return false;
        }
        for (Object x : iterate(container)) {
            if (eq(x, item)) {
                return true;
            }
        }
        return false;
    }

    /** Code points of a string (for indexing and slicing as Python does). */
    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }

    /** {@code v[index]} for a list, tuple or string with Python's negative indices; null if out of range. */
    static Object index(Object v, long index) {
        if (v instanceof String s) {
            int[] cps = codePoints(s);
            long i = index < 0 ? index + cps.length : index;
            return i < 0 || i >= cps.length ? null : new String(cps, (int) i, 1);
        }
        List<?> l = v instanceof Tuple t ? t.items() : (List<?>) v;
        long i = index < 0 ? index + l.size() : index;
        return i < 0 || i >= l.size() ? null : l.get((int) i);
    }

    /**
     * {@code v[start:stop:step]} with Python's clamping (null bounds are open), or null where
     * Python raises a TypeError (not a sequence, a bound that is not an integer or None): jinja2
     * turns that into an Undefined.
     */
    static Object slice(Object v, Object start, Object stop, Object step) {
        if (!(v instanceof String || v instanceof List || v instanceof Tuple) || !isIndex(start) || !isIndex(stop)
                || !isIndex(step)) {
            return null;
        }
        long st = step == null ? 1 : toLong(step);
        if (st == 0) {
            throw new JinjaError("slice step cannot be zero");
        }
        List<Object> items;
        int[] cps = null;
        if (v instanceof String s) {
            cps = codePoints(s);
            items = null;
        } else {
            items = new ArrayList<>(v instanceof Tuple t ? t.items() : (List<?>) v);
        }
        int n = cps != null ? cps.length : items.size();
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(bound(start, n), 0, n);
            hi = stop == null ? n : clamp(bound(stop, n), 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(bound(start, n), -1, n - 1);
            hi = stop == null ? -1 : clamp(bound(stop, n), -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
            if (cps != null) {
                text.appendCodePoint(cps[(int) i]);
            } else {
                out.add(items.get((int) i));
            }
        }
        if (cps != null) {
            return text.toString();
        }
        return v instanceof Tuple ? new Tuple(out) : out;
    }

    private static boolean isIndex(Object bound) {
        return bound == null || bound instanceof Long || bound instanceof Boolean;
    }

    private static long bound(Object bound, int n) {
        long b = toLong(bound);
        return b < 0 ? b + n : b;
    }

    private static long clamp(long x, long lo, long hi) {
        return Math.max(lo, Math.min(hi, x));
    }
}
