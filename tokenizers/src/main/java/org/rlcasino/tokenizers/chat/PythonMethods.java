package org.rlcasino.tokenizers.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.rlcasino.tokenizers.chat.PythonValues.Tuple;

/**
 * The Python methods templates call on strings ({@code content.split('</think>')},
 * {@code .strip('\n')}, {@code .startswith(...)}), dicts ({@code .items()}, {@code .get(k)}) and
 * lists ({@code .index(x)}). Mutating methods ({@code append}, {@code update}, {@code pop}) are
 * unsafe attributes, as in transformers' immutable sandbox; the other Python methods outside the
 * subset ({@code str.format}, {@code str.translate}, ...) resolve as in Python but refuse to be
 * called, by name. Positions in strings count code points. {@code keys()}, {@code values()} and
 * {@code items()} return lists (Python's views print differently).
 */
final class PythonMethods {
    private PythonMethods() {}

    /** The supported str methods. */
    static final Set<String> STRING = Collections.unmodifiableSet(new TreeSet<>(Set.of("startswith", "endswith", "strip",
            "lstrip", "rstrip", "split", "rsplit", "splitlines", "upper", "lower", "title", "capitalize", "swapcase", "replace",
            "find", "rfind", "index", "rindex", "count", "join", "isupper", "islower", "isdigit", "isnumeric", "isdecimal",
            "isalpha", "isalnum", "isascii", "isspace", "istitle", "removeprefix", "removesuffix", "zfill", "center", "ljust",
            "rjust", "partition", "rpartition")));
    private static final Set<String> STRING_OTHER = Set.of("casefold", "encode", "expandtabs", "format", "format_map",
            "isidentifier", "isprintable", "maketrans", "translate");
    private static final Set<String> DICT = Set.of("items", "keys", "values", "get", "copy");
    private static final Set<String> DICT_OTHER = Set.of("fromkeys");
    private static final Set<String> DICT_MUTATING = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Set<String> LIST = Set.of("index", "count", "copy");
    private static final Set<String> LIST_MUTATING = Set.of("append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort");

    /** Whether Python's str, dict, list or tuple has a method {@code name} that the sandbox allows. */
    static boolean has(Object obj, String name) {
        if (obj instanceof String) {
            return STRING.contains(name) || STRING_OTHER.contains(name);
        }
        if (obj instanceof Map) {
            return DICT.contains(name) || DICT_OTHER.contains(name);
        }
        return (obj instanceof List || obj instanceof Tuple) && (name.equals("index") || name.equals("count"))
                || obj instanceof List && name.equals("copy");
    }

    /** Whether {@code name} is a method that changes {@code obj}: an unsafe attribute in the immutable sandbox. */
    static boolean isMutating(Object obj, String name) {
        return obj instanceof Map ? DICT_MUTATING.contains(name) : obj instanceof List && LIST_MUTATING.contains(name);
    }

    static Object call(Object receiver, String name, List<Object> args, Map<String, Object> kwargs) {
        if (receiver instanceof String s) {
            return string(s, name, args, kwargs);
        }
        if (receiver instanceof Map<?, ?> m) {
            if (!DICT.contains(name)) {
                throw unsupported("dict", name, DICT);
            }
            return dict(m, name, args);
        }
        if (!LIST.contains(name)) {
            throw unsupported(PythonValues.typeName(receiver), name, LIST);
        }
        List<?> items = receiver instanceof Tuple t ? t.items() : (List<?>) receiver;
        switch (name) {
            case "index" -> {
                Object x = arg(args, 0, name);
                for (int i = 0; i < items.size(); i++) {
                    if (PythonValues.eq(items.get(i), x)) {
                        return (long) i;
                    }
                }
                throw new JinjaError(PythonValues.repr(x) + " is not in list");
            }
            case "count" -> {
                Object x = arg(args, 0, name);
                return items.stream().filter(y -> PythonValues.eq(y, x)).count();
            }
            case "copy" -> {
                return new ArrayList<Object>(items);
            }
            default -> throw new JinjaError("'list' object has no method '" + name + "'");
        }
    }

    private static JinjaError unsupported(String type, String name, Set<String> supported) {
        return new JinjaError("unsupported method " + type + "." + name + "(); RL Casino's Jinja subset has the " + type
                + " methods " + String.join(", ", new TreeSet<>(supported)));
    }

    private static Object arg(List<Object> args, int i, String method) {
        if (args.size() <= i) {
            throw new JinjaError(method + "() missing required argument " + (i + 1));
        }
        return args.get(i);
    }

    private static String stringArg(List<Object> args, int i, String method) {
        Object a = arg(args, i, method);
        if (!(a instanceof String s)) {
            throw new JinjaError(method + "() argument " + (i + 1) + " must be str, not " + PythonValues.typeName(a));
        }
        return s;
    }

    /** An optional characters argument (strip's chars, split's sep): absent or None gives null. */
    private static String optionalString(List<Object> args, Map<String, Object> kwargs, int i, String key, String method) {
        Object a = args.size() > i ? args.get(i) : kwargs.get(key);
        if (a == null) {
            return null;
        }
        if (!(a instanceof String s)) {
            throw new JinjaError(method + "() argument must be str or None, not " + PythonValues.typeName(a));
        }
        return s;
    }

    private static long optionalInt(List<Object> args, Map<String, Object> kwargs, int i, String key, long absent) {
        Object a = args.size() > i ? args.get(i) : kwargs.get(key);
        if (a == null) {
            return absent;
        }
        if (!(a instanceof Long || a instanceof Boolean)) {
            throw new JinjaError("'" + PythonValues.typeName(a) + "' object cannot be interpreted as an integer");
        }
        return PythonValues.toLong(a);
    }

    private static Object dict(Map<?, ?> m, String name, List<Object> args) {
        switch (name) {
            case "items" -> {
                List<Object> out = new ArrayList<>();
                m.forEach((k, v) -> out.add(new Tuple(Arrays.asList(k, v))));
                return out;
            }
            case "keys" -> {
                return new ArrayList<Object>(m.keySet());
            }
            case "values" -> {
                return new ArrayList<Object>(m.values());
            }
            case "get" -> {
                Object key = PythonValues.findKey(m, arg(args, 0, name));
                return key != null || m.containsKey(args.get(0)) ? m.get(key) : args.size() > 1 ? args.get(1) : null;
            }
            case "copy" -> {
                return new LinkedHashMap<Object, Object>(m);
            }
            default -> throw new JinjaError("'dict' object has no method '" + name + "'");
        }
    }

    private static Object string(String s, String name, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "startswith", "endswith" -> {
                if (args.size() > 1) {
                    throw new JinjaError("str." + name + "() with start/end positions is not supported");
                }
                Object a = arg(args, 0, name);
                List<?> options = a instanceof Tuple t ? t.items() : List.of(a);
                for (Object o : options) {
                    if (!(o instanceof String p)) {
                        throw new JinjaError(name + " first arg must be str or a tuple of str, not " + PythonValues.typeName(o));
                    }
                    if (name.equals("startswith") ? s.startsWith(p) : s.endsWith(p)) {
                        return true;
                    }
                }
                return false;
            }
            case "strip" -> {
                return PythonValues.strip(s, optionalString(args, kwargs, 0, "chars", name));
            }
            case "lstrip" -> {
                return PythonValues.lstrip(s, optionalString(args, kwargs, 0, "chars", name));
            }
            case "rstrip" -> {
                return PythonValues.rstrip(s, optionalString(args, kwargs, 0, "chars", name));
            }
            case "split", "rsplit" -> {
                String sep = optionalString(args, kwargs, 0, "sep", name);
                long max = optionalInt(args, kwargs, 1, "maxsplit", -1);
                return name.equals("split") ? split(s, sep, max) : rsplit(s, sep, max);
            }
            case "splitlines" -> {
                return splitlines(s, PythonValues.truthy(args.isEmpty() ? kwargs.get("keepends") : args.get(0)));
            }
            case "upper" -> {
                return s.toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                return s.toLowerCase(Locale.ROOT);
            }
            case "title" -> {
                return title(s);
            }
            case "capitalize" -> {
                if (s.isEmpty()) {
                    return s;
                }
                int first = s.codePointAt(0);
                return new String(Character.toChars(Character.toTitleCase(first)))
                        + s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
            }
            case "swapcase" -> {
                StringBuilder b = new StringBuilder();
                s.codePoints().forEach(cp -> b.appendCodePoint(Character.isUpperCase(cp) ? Character.toLowerCase(cp)
                        : Character.isLowerCase(cp) ? Character.toUpperCase(cp) : cp));
                return b.toString();
            }
            case "replace" -> {
                String old = stringArg(args, 0, name);
                String replacement = stringArg(args, 1, name);
                long count = optionalInt(args, kwargs, 2, "count", -1);
                return replace(s, old, replacement, count);
            }
            case "find", "rfind", "index", "rindex" -> {
                if (args.size() > 1) {
                    throw new JinjaError("str." + name + "() with start/end positions is not supported");
                }
                String sub = stringArg(args, 0, name);
                int at = name.startsWith("r") ? s.lastIndexOf(sub) : s.indexOf(sub);
                if (at < 0 && name.endsWith("index")) {
                    throw new JinjaError("substring not found");
                }
                return at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "count" -> {
                String sub = stringArg(args, 0, name);
                if (sub.isEmpty()) {
                    return PythonValues.len(s) + 1;
                }
                long n = 0;
                for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
                    n++;
                }
                return n;
            }
            case "join" -> {
                StringBuilder b = new StringBuilder();
                List<Object> items = PythonValues.iterate(arg(args, 0, name));
                for (int i = 0; i < items.size(); i++) {
                    if (!(items.get(i) instanceof String x)) {
                        throw new JinjaError("sequence item " + i + ": expected str instance, " + PythonValues.typeName(items.get(i)) + " found");
                    }
                    b.append(i == 0 ? "" : s).append(x);
                }
                return b.toString();
            }
            case "isupper", "islower" -> {
                boolean cased = false;
                for (int cp : s.codePoints().toArray()) {
                    if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
                        if (name.equals("islower")) {
                            return false;
                        }
                        cased = true;
                    } else if (Character.isLowerCase(cp)) {
                        if (name.equals("isupper")) {
                            return false;
                        }
                        cased = true;
                    }
                }
                return cased;
            }
            case "isdigit", "isnumeric", "isdecimal" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            }
            case "isalpha" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            }
            case "isalnum" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            }
            case "isspace" -> {
                return PythonValues.isAllSpace(s);
            }
            case "istitle" -> {
                return !s.isEmpty() && title(s).equals(s) && s.codePoints().anyMatch(Character::isLetter);
            }
            case "removeprefix" -> {
                String p = stringArg(args, 0, name);
                return s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = stringArg(args, 0, name);
                return !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
            }
            case "zfill", "center", "ljust", "rjust" -> {
                long width = optionalInt(args, kwargs, 0, "width", 0);
                long pad = Math.max(0, width - PythonValues.len(s));
                String fill = name.equals("zfill") ? "0" : args.size() > 1 ? stringArg(args, 1, name) : " ";
                return switch (name) {
                    case "zfill" -> s.startsWith("-") || s.startsWith("+")
                            ? s.charAt(0) + "0".repeat((int) pad) + s.substring(1) : "0".repeat((int) pad) + s;
                    case "ljust" -> s + fill.repeat((int) pad);
                    case "rjust" -> fill.repeat((int) pad) + s;
                    default -> {
                        // CPython's centering puts the odd extra character on the left when the width is odd
                        long left = pad / 2 + (pad & width & 1);
                        yield fill.repeat((int) left) + s + fill.repeat((int) (pad - left));
                    }
                };
            }
            case "partition", "rpartition" -> {
                String sep = stringArg(args, 0, name);
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    return name.equals("partition") ? new Tuple(List.of(s, "", "")) : new Tuple(List.of("", "", s));
                }
                return new Tuple(List.of(s.substring(0, at), sep, s.substring(at + sep.length())));
            }
            case "isascii" -> {
                return s.chars().allMatch(c -> c < 0x80);
            }
            default -> throw unsupported("str", name, STRING);
        }
    }

    /** Python's str.split: runs of whitespace with no separator (no empty strings), else every occurrence of sep. */
    static List<Object> split(String s, String sep, long maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && PythonValues.isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    return out;
                }
                if (maxsplit >= 0 && out.size() >= maxsplit) {
                    out.add(PythonValues.rstrip(s.substring(i), null));
                    return out;
                }
                int j = i;
                while (j < n && !PythonValues.isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        if (sep.isEmpty()) {
            throw new JinjaError("empty separator");
        }
        int start = 0;
        for (int at = s.indexOf(sep); at >= 0 && (maxsplit < 0 || out.size() < maxsplit); at = s.indexOf(sep, start)) {
            out.add(s.substring(start, at));
            start = at + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    static List<Object> rsplit(String s, String sep, long maxsplit) {
        if (maxsplit < 0) {
            return split(s, sep, -1);
        }
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && PythonValues.isSpace(s.charAt(j - 1))) {
                    j--;
                }
                if (j <= 0) {
                    break;
                }
                if (out.size() >= maxsplit) {
                    out.add(PythonValues.lstrip(s.substring(0, j), null));
                    break;
                }
                int i = j;
                while (i > 0 && !PythonValues.isSpace(s.charAt(i - 1))) {
                    i--;
                }
                out.add(s.substring(i, j));
                j = i;
            }
        } else {
            if (sep.isEmpty()) {
                throw new JinjaError("empty separator");
            }
            int end = s.length();
            for (int at = s.lastIndexOf(sep, end - sep.length()); at >= 0 && out.size() < maxsplit;
                    at = s.lastIndexOf(sep, end - sep.length())) {
                out.add(s.substring(at + sep.length(), end));
                end = at;
            }
            out.add(s.substring(0, end));
        }
        Collections.reverse(out);
        return out;
    }

    static List<Object> splitlines(String s, boolean keepEnds) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean lineBreak = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e) || c == 0x85
                    || c == 0x2028 || c == 0x2029;
            if (!lineBreak) {
                i++;
                continue;
            }
            int end = c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n' ? i + 2 : i + 1;
            out.add(s.substring(start, keepEnds ? end : i));
            start = end;
            i = end;
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Python's str.title: a cased letter after an uncased character starts a word. */
    static String title(String s) {
        StringBuilder b = new StringBuilder();
        boolean previousCased = false;
        for (int cp : s.codePoints().toArray()) {
            boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
            if (cased) {
                b.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
            } else {
                b.appendCodePoint(cp);
            }
            previousCased = cased;
        }
        return b.toString();
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            if (old.isEmpty()) {
                return replace(s, old, replacement, Long.MAX_VALUE);
            }
            return s.replace(old, replacement);
        }
        StringBuilder b = new StringBuilder();
        if (old.isEmpty()) {
            int[] cps = s.codePoints().toArray();
            long done = 0;
            for (int cp : cps) {
                if (done < count) {
                    b.append(replacement);
                    done++;
                }
                b.appendCodePoint(cp);
            }
            if (done < count) {
                b.append(replacement);
            }
            return b.toString();
        }
        int start = 0;
        long done = 0;
        for (int at = s.indexOf(old); at >= 0 && done < count; at = s.indexOf(old, start)) {
            b.append(s, start, at).append(replacement);
            start = at + old.length();
            done++;
        }
        return b.append(s, start, s.length()).toString();
    }
}
