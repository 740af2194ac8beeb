package org.rlcasino.tokenizers.chat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rlcasino.tokenizers.chat.PythonValues.Generator;
import org.rlcasino.tokenizers.chat.PythonValues.Tuple;
import org.rlcasino.tokenizers.chat.PythonValues.Undefined;

/**
 * jinja2 3.1's filters ({@code value | name(args)}) as transformers' environment has them: jinja2's
 * definitions, with transformers' {@code tojson} ({@link PythonJson}). Arguments bind as Python
 * binds them (positional, then by keyword). The filters jinja2 writes as generators
 * ({@code map}, {@code select}, {@code reject}, {@code selectattr}, {@code rejectattr},
 * {@code unique}, {@code items}) and {@code reverse} return one-pass {@link Generator}s, so
 * {@code x | select | length} fails and {@code x | select} is always true, as in jinja2. Filters
 * outside the subset are refused by name when the template is parsed.
 */
final class JinjaFilters {
    /** The supported filters. */
    static final Set<String> NAMES = Collections.unmodifiableSet(new TreeSet<>(Set.of("abs", "capitalize", "center", "count", "d",
            "default", "dictsort", "first", "float", "indent", "int", "items", "join", "last", "length", "list", "lower", "map",
            "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string",
            "sum", "title", "tojson", "trim", "unique", "upper", "wordcount")));

    /** jinja2's other built-in filters, refused by name when the template is parsed. */
    static final Set<String> UNSUPPORTED = Collections.unmodifiableSet(new TreeSet<>(Set.of("attr", "batch", "e", "escape",
            "filesizeformat", "forceescape", "format", "groupby", "pprint", "random", "slice", "striptags", "truncate", "urlencode",
            "urlize", "wordwrap", "xmlattr")));

    private static final Object REQUIRED = new Object();
    private static final Pattern WORD_BEGINNING = Pattern.compile("[-\\s({\\[<]+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern PYTHON_FLOAT = Pattern.compile(
            "[+-]?(?:(?:\\d(?:_?\\d)*(?:\\.(?:\\d(?:_?\\d)*)?)?|\\.\\d(?:_?\\d)*)(?:[eE][+-]?\\d(?:_?\\d)*)?|inf|infinity|nan)",
            Pattern.CASE_INSENSITIVE);

    private JinjaFilters() {}

    /** The supported filters, for messages. */
    static String describe() {
        return String.join(", ", NAMES);
    }

    static Object apply(String name, Object value, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "abs" -> {
                bind(name, args, kwargs);
                return abs(value);
            }
            case "capitalize", "lower", "upper" -> {
                bind(name, args, kwargs);
                return PythonMethods.call(PythonValues.str(value), name, List.of(), Map.of());
            }
            case "center" -> {
                Object[] a = bind(name, args, kwargs, "width", 80L);
                return PythonMethods.call(PythonValues.str(value), "center", List.of(a[0]), Map.of());
            }
            case "count", "length" -> {
                bind(name, args, kwargs);
                return PythonValues.len(value);
            }
            case "d", "default" -> {
                Object[] a = bind(name, args, kwargs, "default_value", "", "boolean", false);
                return value instanceof Undefined || (PythonValues.truthy(a[1]) && !PythonValues.truthy(value)) ? a[0] : value;
            }
            case "dictsort" -> {
                Object[] a = bind(name, args, kwargs, "case_sensitive", false, "by", "key", "reverse", false);
                return dictsort(value, PythonValues.truthy(a[0]), a[1], PythonValues.truthy(a[2]));
            }
            case "first" -> {
                bind(name, args, kwargs);
                if (value instanceof Generator g) {
                    return g.hasNext() ? g.next() : new Undefined("No first item, sequence was empty.");
                }
                List<Object> items = PythonValues.iterate(value);
                return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
            }
            case "last" -> {
                bind(name, args, kwargs);
                if (value instanceof Generator g) {
                    throw new JinjaError("'" + g.typeName + "' object is not reversible");
                }
                List<Object> items = PythonValues.iterate(value);
                return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.get(items.size() - 1);
            }
            case "float" -> {
                Object[] a = bind(name, args, kwargs, "default", 0.0);
                Double d = toFloat(value);
                return d != null ? d : a[0];
            }
            case "indent" -> {
                Object[] a = bind(name, args, kwargs, "width", 4L, "first", false, "blank", false);
                return indent(PythonValues.str(value), a[0], PythonValues.truthy(a[1]), PythonValues.truthy(a[2]));
            }
            case "int" -> {
                Object[] a = bind(name, args, kwargs, "default", 0L, "base", 10L);
                return toInt(value, a[0], a[1]);
            }
            case "items" -> {
                bind(name, args, kwargs);
                if (value instanceof Undefined) {
                    return new Generator("generator", new ArrayList<>());
                }
                if (!(value instanceof Map<?, ?> m)) {
                    throw new JinjaError("Can only get item pairs from a mapping.");
                }
                List<Object> pairs = new ArrayList<>();
                m.forEach((k, v) -> pairs.add(new Tuple(Arrays.asList(k, v))));
                return new Generator("generator", pairs);
            }
            case "join" -> {
                Object[] a = bind(name, args, kwargs, "d", "", "attribute", null);
                UnaryOperator<Object> getter = attributeGetter(a[1], null);
                StringBuilder b = new StringBuilder();
                String separator = PythonValues.str(a[0]);
                List<Object> items = PythonValues.iterate(value);
                for (int i = 0; i < items.size(); i++) {
                    b.append(i == 0 ? "" : separator).append(PythonValues.str(getter.apply(items.get(i))));
                }
                return b.toString();
            }
            case "list" -> {
                bind(name, args, kwargs);
                return new ArrayList<>(PythonValues.iterate(value));
            }
            case "map" -> {
                return map(value, args, kwargs);
            }
            case "max", "min" -> {
                Object[] a = bind(name, args, kwargs, "case_sensitive", false, "attribute", null);
                return minOrMax(value, name.equals("max"), PythonValues.truthy(a[0]), a[1]);
            }
            case "reject", "rejectattr", "select", "selectattr" -> {
                return selectOrReject(value, name.startsWith("select"), name.endsWith("attr"), args, kwargs);
            }
            case "replace" -> {
                Object[] a = bind(name, args, kwargs, "old", REQUIRED, "new", REQUIRED, "count", null);
                long count = a[2] == null ? -1 : integer(a[2], "replace count");
                return PythonMethods.replace(PythonValues.str(value), PythonValues.str(a[0]), PythonValues.str(a[1]), count);
            }
            case "reverse" -> {
                bind(name, args, kwargs);
                return reverse(value);
            }
            case "round" -> {
                Object[] a = bind(name, args, kwargs, "precision", 0L, "method", "common");
                return round(value, integer(a[0], "round precision"), a[1]);
            }
            case "safe" -> {
                bind(name, args, kwargs);
                return value;
            }
            case "sort" -> {
                Object[] a = bind(name, args, kwargs, "reverse", false, "case_sensitive", false, "attribute", null);
                return sort(PythonValues.iterate(value), PythonValues.truthy(a[0]), PythonValues.truthy(a[1]), a[2]);
            }
            case "string" -> {
                bind(name, args, kwargs);
                return PythonValues.str(value);
            }
            case "sum" -> {
                Object[] a = bind(name, args, kwargs, "attribute", null, "start", 0L);
                return sum(value, a[0], a[1]);
            }
            case "title" -> {
                bind(name, args, kwargs);
                return title(PythonValues.str(value));
            }
            case "tojson" -> {
                Object[] a = bind(name, args, kwargs, "ensure_ascii", false, "indent", null, "separators", null, "sort_keys", false);
                return PythonJson.dumps(value, PythonValues.truthy(a[0]), a[1], a[2], PythonValues.truthy(a[3]));
            }
            case "trim" -> {
                Object[] a = bind(name, args, kwargs, "chars", null);
                if (a[0] != null && !(a[0] instanceof String)) {
                    throw new JinjaError("strip arg must be None or str");
                }
                return PythonValues.strip(PythonValues.str(value), (String) a[0]);
            }
            case "unique" -> {
                Object[] a = bind(name, args, kwargs, "case_sensitive", false, "attribute", null);
                return unique(value, PythonValues.truthy(a[0]), a[1]);
            }
            case "wordcount" -> {
                bind(name, args, kwargs);
                return WORD.matcher(PythonValues.str(value)).results().count();
            }
            // an unknown filter in an if statement or conditional expression, which jinja2 reports only when evaluated
            default -> throw new JinjaError("No filter named '" + name + "' found.");
        }
    }

    /**
     * Binds a filter's arguments (after the value) as Python does: {@code params} alternates names
     * and defaults ({@link #REQUIRED} for none).
     */
    private static Object[] bind(String filter, List<Object> args, Map<String, Object> kwargs, Object... params) {
        int n = params.length / 2;
        if (args.size() > n) {
            throw new JinjaError("filter '" + filter + "' takes at most " + n + " argument" + (n == 1 ? "" : "s") + " ("
                    + args.size() + " given)");
        }
        Object[] values = new Object[n];
        boolean[] set = new boolean[n];
        for (int i = 0; i < args.size(); i++) {
            values[i] = args.get(i);
            set[i] = true;
        }
        for (Map.Entry<String, Object> e : kwargs.entrySet()) {
            int i = 0;
            while (i < n && !params[2 * i].equals(e.getKey())) {
                i++;
            }
            if (i == n) {
                throw new JinjaError("filter '" + filter + "' got an unexpected keyword argument '" + e.getKey() + "'");
            }
            if (set[i]) {
                throw new JinjaError("filter '" + filter + "' got multiple values for argument '" + e.getKey() + "'");
            }
            values[i] = e.getValue();
            set[i] = true;
        }
        for (int i = 0; i < n; i++) {
            if (!set[i]) {
                if (params[2 * i + 1] == REQUIRED) {
                    throw new JinjaError("filter '" + filter + "' is missing the argument '" + params[2 * i] + "'");
                }
                values[i] = params[2 * i + 1];
            }
        }
        return values;
    }

    private static long integer(Object v, String what) {
        if (!(v instanceof Long || v instanceof Boolean)) {
            throw new JinjaError(what + " must be an integer, not " + PythonValues.typeName(v));
        }
        return PythonValues.toLong(v);
    }

    /**
     * jinja2's attribute getter for {@code attribute='a.b.0'}: each dotted part (a digit string is an
     * index) looked up as {@code x[part]}; with a default, an Undefined along the way becomes it.
     */
    static UnaryOperator<Object> attributeGetter(Object attribute, Object dflt) {
        if (attribute == null) {
            return UnaryOperator.identity();
        }
        List<Object> parts = new ArrayList<>();
        if (attribute instanceof String s) {
            for (String part : s.split("\\.", -1)) {
                parts.add(!part.isEmpty() && part.chars().allMatch(c -> c >= '0' && c <= '9') ? (Object) Long.parseLong(part) : part);
            }
        } else {
            parts.add(attribute);
        }
        return item -> {
            for (Object part : parts) {
                item = JinjaRenderer.getItem(item, part);
                if (dflt != null && item instanceof Undefined) {
                    item = dflt;
                }
            }
            return item;
        };
    }

    /** Strings lower-cased, as jinja2's {@code ignore_case} does for case-insensitive sorts and comparisons. */
    private static Object ignoreCase(Object v) {
        return v instanceof String s ? PythonMethods.call(s, "lower", List.of(), Map.of()) : v;
    }

    private static Object abs(Object value) {
        if (value instanceof Double d) {
            return Math.abs(d);
        }
        if (value instanceof Long || value instanceof Boolean) {
            return Math.absExact(PythonValues.toLong(value));
        }
        throw new JinjaError("bad operand type for abs(): '" + PythonValues.typeName(value) + "'");
    }

    private static Object map(Object value, List<Object> args, Map<String, Object> kwargs) {
        UnaryOperator<Object> function;
        if (args.isEmpty() && kwargs.containsKey("attribute")) {
            Map<String, Object> rest = new LinkedHashMap<>(kwargs);
            Object attribute = rest.remove("attribute");
            Object dflt = rest.remove("default");
            if (!rest.isEmpty()) {
                throw new JinjaError("Unexpected keyword argument '" + rest.keySet().iterator().next() + "'");
            }
            function = attributeGetter(attribute, dflt);
        } else {
            if (args.isEmpty()) {
                throw new JinjaError("map requires a filter argument");
            }
            String filter = PythonValues.str(args.get(0));
            if (!NAMES.contains(filter)) {
                throw new JinjaError(UNSUPPORTED.contains(filter) ? "unsupported Jinja filter '" + filter + "'; RL Casino's Jinja subset has "
                        + describe() : "No filter named '" + filter + "'.");
            }
            List<Object> rest = args.subList(1, args.size());
            function = item -> apply(filter, item, rest, kwargs);
        }
        List<Object> out = new ArrayList<>();
        if (PythonValues.truthy(value)) {
            for (Object item : PythonValues.iterate(value)) {
                out.add(function.apply(item));
            }
        }
        return new Generator("generator", out);
    }

    private static Object selectOrReject(Object value, boolean select, boolean byAttribute, List<Object> args,
            Map<String, Object> kwargs) {
        if (!kwargs.isEmpty()) {
            throw new JinjaError("keyword arguments to tests are not supported");
        }
        UnaryOperator<Object> get = UnaryOperator.identity();
        int off = 0;
        if (byAttribute) {
            if (args.isEmpty()) {
                throw new JinjaError("Missing parameter for attribute name");
            }
            get = attributeGetter(args.get(0), null);
            off = 1;
        }
        String test = args.size() > off ? PythonValues.str(args.get(off)) : null;
        List<Object> testArgs = args.size() > off ? args.subList(off + 1, args.size()) : List.of();
        if (test != null && !JinjaTests.NAMES.contains(test)) {
            throw new JinjaError(JinjaTests.UNSUPPORTED.contains(test) ? "unsupported Jinja test '" + test + "'"
                    : "No test named '" + test + "'.");
        }
        List<Object> out = new ArrayList<>();
        if (PythonValues.truthy(value)) {
            for (Object item : PythonValues.iterate(value)) {
                Object x = get.apply(item);
                boolean passes = test == null ? PythonValues.truthy(x) : JinjaTests.test(test, x, testArgs);
                if (passes == select) {
                    out.add(item);
                }
            }
        }
        return new Generator("generator", out);
    }

    private static Object unique(Object value, boolean caseSensitive, Object attribute) {
        UnaryOperator<Object> get = attributeGetter(attribute, null);
        List<Object> seen = new ArrayList<>();
        List<Object> out = new ArrayList<>();
        for (Object item : PythonValues.iterate(value)) {
            Object key = get.apply(item);
            key = caseSensitive ? key : ignoreCase(key);
            if (key instanceof List || key instanceof Map || key instanceof Generator) {
                throw new JinjaError("unhashable type: '" + PythonValues.typeName(key) + "'");
            }
            Object k = key;
            if (seen.stream().noneMatch(s -> PythonValues.eq(s, k))) {
                seen.add(key);
                out.add(item);
            }
        }
        return new Generator("generator", out);
    }

    private static Object reverse(Object value) {
        if (value instanceof String s) {
            return new StringBuilder(s).reverse().toString();
        }
        if (value instanceof Generator) {
            List<Object> items = PythonValues.iterate(value);
            Collections.reverse(items);
            return items;
        }
        String type = value instanceof List ? "list_reverseiterator" : value instanceof Map ? "dict_reversekeyiterator" : "reversed";
        if (!(value instanceof List || value instanceof Tuple || value instanceof Map || value instanceof Undefined)) {
            throw new JinjaError("argument must be iterable");
        }
        List<Object> items = PythonValues.iterate(value);
        Collections.reverse(items);
        return new Generator(type, items);
    }

    /** jinja2's sort key: the item, or the comma-separated attributes, as a list (so they compare in order). */
    private static List<Object> sort(List<Object> items, boolean reverse, boolean caseSensitive, Object attribute) {
        List<UnaryOperator<Object>> getters = new ArrayList<>();
        if (attribute instanceof String s) {
            for (String part : s.split(",", -1)) {
                getters.add(attributeGetter(part, null));
            }
        } else {
            getters.add(attributeGetter(attribute, null));
        }
        List<Object[]> keyed = new ArrayList<>();
        for (Object item : items) {
            List<Object> key = new ArrayList<>();
            for (UnaryOperator<Object> g : getters) {
                Object k = g.apply(item);
                key.add(caseSensitive ? k : ignoreCase(k));
            }
            keyed.add(new Object[] {key, item});
        }
        Comparator<Object[]> order = (a, b) -> PythonValues.compare(a[0], b[0], "<");
        // stable either way: Python's sorted(reverse=True) keeps equal items in their order too
        keyed.sort(reverse ? order.reversed() : order);
        List<Object> out = new ArrayList<>();
        for (Object[] k : keyed) {
            out.add(k[1]);
        }
        return out;
    }

    private static Object dictsort(Object value, boolean caseSensitive, Object by, boolean reverse) {
        int pos;
        if ("key".equals(by)) {
            pos = 0;
        } else if ("value".equals(by)) {
            pos = 1;
        } else {
            throw new JinjaError("You can only sort by either \"key\" or \"value\"");
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new JinjaError("'" + PythonValues.typeName(value) + "' object has no attribute 'items'");
        }
        List<Object> pairs = new ArrayList<>();
        m.forEach((k, v) -> pairs.add(new Tuple(Arrays.asList(k, v))));
        return sort(pairs, reverse, caseSensitive, (long) pos);
    }

    private static Object minOrMax(Object value, boolean max, boolean caseSensitive, Object attribute) {
        List<Object> items = PythonValues.iterate(value);
        if (items.isEmpty()) {
            return new Undefined("No aggregated item, sequence was empty.");
        }
        UnaryOperator<Object> get = attributeGetter(attribute, null);
        Object best = items.get(0);
        Object bestKey = caseSensitive ? get.apply(best) : ignoreCase(get.apply(best));
        for (Object item : items.subList(1, items.size())) {
            Object key = caseSensitive ? get.apply(item) : ignoreCase(get.apply(item));
            int c = PythonValues.compare(key, bestKey, max ? ">" : "<");
            if (max ? c > 0 : c < 0) { // the first of equal items wins, as in Python's min and max
                best = item;
                bestKey = key;
            }
        }
        return best;
    }

    private static Object sum(Object value, Object attribute, Object start) {
        if (start instanceof String) {
            throw new JinjaError("sum() can't sum strings [use ''.join(seq) instead]");
        }
        UnaryOperator<Object> get = attributeGetter(attribute, null);
        Object total = start;
        for (Object item : PythonValues.iterate(value)) {
            total = PythonOperators.binary("+", total, get.apply(item));
        }
        return total;
    }

    private static Object round(Object value, long precision, Object method) {
        if (!"common".equals(method) && !"ceil".equals(method) && !"floor".equals(method)) {
            throw new JinjaError("method must be common, ceil or floor");
        }
        if (!PythonValues.isNumber(value)) {
            throw new JinjaError("type " + PythonValues.typeName(value) + " doesn't define __round__ method");
        }
        if (method.equals("common")) {
            // Python's round: half to even, on the exact binary value (round(2.675, 2) == 2.67)
            if (value instanceof Double d) {
                if (!Double.isFinite(d)) {
                    return d;
                }
                return new BigDecimal(d).setScale((int) precision, RoundingMode.HALF_EVEN).doubleValue();
            }
            long v = PythonValues.toLong(value);
            if (precision >= 0) {
                return v;
            }
            return new BigDecimal(v).setScale((int) precision, RoundingMode.HALF_EVEN).longValueExact();
        }
        // math.ceil/floor(value * 10 ** precision) / 10 ** precision: a float
        double scale = Math.pow(10, precision);
        double x = PythonValues.toDouble(value) * scale;
        return (method.equals("ceil") ? Math.ceil(x) : Math.floor(x)) / scale;
    }

    private static String indent(String s, Object width, boolean first, boolean blank) {
        String indention;
        if (width instanceof String w) {
            indention = w;
        } else {
            long spaces = integer(width, "indent width");
            if (spaces > 1_000) {
                throw new JinjaError("indent width " + spaces + " is too large (at most 1000 spaces)");
            }
            indention = " ".repeat((int) Math.max(0, spaces));
        }
        List<Object> lines = PythonMethods.splitlines(s + "\n", false);
        StringBuilder rv = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) {
                rv.append(i == 0 ? "" : "\n" + indention).append(lines.get(i));
            }
        } else {
            rv.append(lines.get(0));
            for (Object line : lines.subList(1, lines.size())) {
                rv.append('\n').append(((String) line).isEmpty() ? "" : indention).append(line);
            }
        }
        return first ? indention + rv : rv.toString();
    }

    /** jinja2's title: each word (after '-', whitespace, or an opening bracket) upper-cased first, the rest lower-cased. */
    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        Matcher m = WORD_BEGINNING.matcher(s);
        int at = 0;
        while (m.find()) {
            out.append(titleWord(s.substring(at, m.start()))).append(m.group());
            at = m.end();
        }
        return out.append(titleWord(s.substring(at))).toString();
    }

    private static String titleWord(String word) {
        if (word.isEmpty()) {
            return word;
        }
        int first = Character.charCount(word.codePointAt(0));
        return word.substring(0, first).toUpperCase(Locale.ROOT) + word.substring(first).toLowerCase(Locale.ROOT);
    }

    /** Python's {@code float(value)}, or null where it raises. */
    private static Double toFloat(Object value) {
        if (value instanceof Double d) {
            return d;
        }
        if (value instanceof Long || value instanceof Boolean) {
            return PythonValues.toDouble(value);
        }
        if (value instanceof String s) {
            String t = PythonValues.strip(s, null);
            if (!PYTHON_FLOAT.matcher(t).matches()) {
                return null;
            }
            String lower = t.toLowerCase(Locale.ROOT);
            boolean negative = lower.startsWith("-");
            String body = lower.replaceFirst("^[+-]", "");
            return switch (body) {
                case "inf", "infinity" -> negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                case "nan" -> Double.NaN;
                default -> Double.parseDouble(t.replace("_", ""));
            };
        }
        return null;
    }

    /** jinja2's int filter: {@code int(value)} (a string in {@code base}), else {@code int(float(value))}, else the default. */
    private static Object toInt(Object value, Object dflt, Object base) {
        if (value instanceof Long) {
            return value;
        }
        if (value instanceof Boolean) {
            return PythonValues.toLong(value);
        }
        if (value instanceof String s) {
            Long parsed = parseInt(s, integer(base, "int base"));
            if (parsed != null) {
                return parsed;
            }
        }
        Double d = value instanceof Double x ? x : toFloat(value);
        if (d == null || Double.isNaN(d)) {
            return dflt;
        }
        if (Double.isInfinite(d)) {
            if (value instanceof Double) {
                throw new JinjaError("cannot convert float infinity to integer");
            }
            return dflt;
        }
        BigInteger whole = new BigDecimal(d).toBigInteger();
        if (whole.bitLength() > 63) {
            throw new JinjaError("integer overflow (RL Casino's templates use 64-bit integers)");
        }
        return whole.longValue();
    }

    /** Python's {@code int(text, base)} (base 0: from the prefix), or null where it raises ValueError. */
    private static Long parseInt(String text, long base) {
        String s = PythonValues.strip(text, null);
        String sign = s.startsWith("-") || s.startsWith("+") ? s.substring(0, 1) : "";
        s = s.substring(sign.length());
        String lower = s.toLowerCase(Locale.ROOT);
        int b = (int) base;
        boolean prefixed = false;
        for (String prefix : List.of("0x", "0o", "0b")) {
            int prefixBase = prefix.equals("0x") ? 16 : prefix.equals("0o") ? 8 : 2;
            if (lower.startsWith(prefix) && (b == 0 || b == prefixBase)) {
                b = prefixBase;
                s = s.substring(2);
                prefixed = true;
            }
        }
        if (b == 0) {
            if (s.matches("0+(_?0)*")) {
                return 0L;
            }
            if (s.startsWith("0")) {
                return null;
            }
            b = 10;
        }
        if (b < 2 || b > 36 || s.isEmpty() || s.startsWith("_") && !prefixed || s.endsWith("_") || s.contains("__")) {
            return null;
        }
        String digits = (prefixed && s.startsWith("_") ? s.substring(1) : s).replace("_", "");
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) > 0x7f || Character.digit(digits.charAt(i), b) < 0) {
                return null;
            }
        }
        BigInteger v = new BigInteger(sign + digits, b);
        if (v.bitLength() > 63) {
            throw new JinjaError("integer overflow (RL Casino's templates use 64-bit integers)");
        }
        return v.longValue();
    }
}
