package org.rlcasino.tokenizers.chat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a template into tokens as jinja2 3.1's lexer does with transformers' settings
 * ({@code trim_blocks=True, lstrip_blocks=True}, {@code keep_trailing_newline=False}):
 * <ul>
 *   <li>newlines {@code \r\n} and {@code \r} become {@code \n}, and one trailing newline is dropped;</li>
 *   <li>{@code {%-}, {@code {{-}, {@code {#-} strip all whitespace before the tag; {@code -%}}, {@code -}}},
 *       {@code -#}} all whitespace after it;</li>
 *   <li>trim_blocks: one newline right after {@code %}} or {@code #}} is dropped (not after {@code +%}});</li>
 *   <li>lstrip_blocks: spaces and tabs from the start of a line up to {@code {%} or {@code {#} are dropped
 *       (not before {@code {%+} nor before {@code {{}).</li>
 * </ul>
 * Comments vanish; {@code {% raw %}...{% endraw %}} becomes data.
 */
final class JinjaLexer {
    enum Kind { DATA, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

    record Token(Kind kind, String value, int line) {
        boolean is(Kind k, String v) {
            return kind == k && value.equals(v);
        }

        boolean isName(String v) {
            return is(Kind.NAME, v);
        }

        boolean isOperator(String v) {
            return is(Kind.OPERATOR, v);
        }

        String describe() {
            return switch (kind) {
                case EOF -> "end of template";
                case DATA -> "text";
                case BLOCK_END -> "'%}'";
                case VARIABLE_END -> "'}}'";
                case STRING -> "string";
                default -> "'" + value + "'";
            };
        }
    }

    private static final Pattern FLOAT = Pattern.compile(
            "(?<!\\.)(\\d+_)*\\d+(((\\.(\\d+_)*\\d+)?e[+\\-]?(\\d+_)*\\d+)|\\.(\\d+_)*\\d+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern INTEGER = Pattern.compile(
            "0b(_?[0-1])+|0o(_?[0-7])+|0x(_?[\\da-f])+|[1-9](_?\\d)*|0(_?0)*", Pattern.CASE_INSENSITIVE);
    /** Python identifiers (jinja2 3 allows non-ASCII names), close to Unicode's XID_Start XID_Continue*. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{Nl}_][\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}]*");
    private static final Pattern STRING = Pattern.compile(
            "'([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"", Pattern.DOTALL);
    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%[-+]?\\s*raw\\s*(?:-%}\\s*|%})");
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*(?:\\+%}|-%}\\s*|%}\\n?)");
    private static final String[] OPERATORS = {"**", "//", "==", "!=", ">=", "<=",
            "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"};

    private final String src;
    private final int n;
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private boolean lineStarting = true;

    private JinjaLexer(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        src = s;
        n = s.length();
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Token> tokenize(String source) {
        JinjaLexer lexer = new JinjaLexer(source);
        lexer.run();
        return lexer.tokens;
    }

    private int lineOf(int offset) {
        int lo = 0;
        int hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo + 1;
    }

    private void run() {
        while (pos < n) {
            int tag = nextTagStart(pos);
            if (tag < 0) {
                emit(Kind.DATA, src.substring(pos), pos);
                pos = n;
                break;
            }
            char kind = src.charAt(tag + 1);
            Matcher raw = kind == '%' ? RAW_BEGIN.matcher(src).region(tag, n) : null;
            boolean isRaw = raw != null && raw.lookingAt();
            int signAt = tag + 2;
            char sign = signAt < n && (src.charAt(signAt) == '-' || src.charAt(signAt) == '+') ? src.charAt(signAt) : 0;
            String text = leadingText(src.substring(pos, tag), sign, kind != '{');
            emit(Kind.DATA, text, pos);
            if (isRaw) {
                rawBlock(tag, raw.end());
            } else if (kind == '#') {
                comment(tag, signAt + (sign != 0 ? 1 : 0));
            } else {
                tag(kind, tag, signAt + (sign != 0 ? 1 : 0));
            }
        }
        tokens.add(new Token(Kind.EOF, "", lineOf(n)));
    }

    /** The text before a tag after whitespace control: '-' strips it right; lstrip_blocks strips an indent before a block or comment. */
    private String leadingText(String text, char sign, boolean blockOrComment) {
        if (sign == '-') {
            return PythonValues.rstrip(text, null);
        }
        if (sign != '+' && blockOrComment) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length()
                    && PythonValues.isAllSpace(text.substring(lineStart))) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    private int nextTagStart(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < n; i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private void emit(Kind kind, String value, int offset) {
        if (kind == Kind.DATA && value.isEmpty()) {
            return;
        }
        tokens.add(new Token(kind, value, lineOf(offset)));
    }

    private void rawBlock(int tag, int bodyStart) {
        Matcher end = RAW_END.matcher(src);
        if (!end.find(bodyStart)) {
            throw new JinjaError("missing {% endraw %} for the {% raw %} block", lineOf(tag));
        }
        char sign = end.group(1).isEmpty() ? 0 : end.group(1).charAt(0);
        lineStarting = src.charAt(bodyStart - 1) == '\n';
        emit(Kind.DATA, leadingText(src.substring(bodyStart, end.start()), sign, true), bodyStart);
        pos = end.end();
        lineStarting = src.charAt(pos - 1) == '\n';
    }

    private void comment(int tag, int from) {
        for (int i = from; i + 1 < n; i++) {
            char c = src.charAt(i);
            if (c == '+' && src.startsWith("#}", i + 1)) {
                finishTag(i + 3);
                return;
            }
            if (c == '-' && src.startsWith("#}", i + 1)) {
                finishTag(skipSpace(i + 3));
                return;
            }
            if (c == '#' && src.charAt(i + 1) == '}') {
                int end = i + 2;
                finishTag(end < n && src.charAt(end) == '\n' ? end + 1 : end);
                return;
            }
        }
        throw new JinjaError("missing end of comment tag '#}'", lineOf(tag));
    }

    private void finishTag(int end) {
        pos = end;
        lineStarting = src.charAt(end - 1) == '\n';
    }

    private int skipSpace(int i) {
        while (i < n && PythonValues.isSpace(src.charAt(i))) {
            i++;
        }
        return i;
    }

    private void tag(char kind, int tag, int from) {
        boolean block = kind == '%';
        emit(block ? Kind.BLOCK_BEGIN : Kind.VARIABLE_BEGIN, block ? "{%" : "{{", tag);
        Deque<Character> brackets = new ArrayDeque<>();
        int i = from;
        while (true) {
            if (brackets.isEmpty()) {
                int end = tagEnd(block, i);
                if (end >= 0) {
                    emit(block ? Kind.BLOCK_END : Kind.VARIABLE_END, block ? "%}" : "}}", i);
                    finishTag(end);
                    return;
                }
            }
            if (i >= n) {
                throw new JinjaError("unexpected end of template: the tag opened here has no " + (block ? "'%}'" : "'}}'"), lineOf(tag));
            }
            char c = src.charAt(i);
            if (PythonValues.isSpace(c)) {
                i++;
                continue;
            }
            Matcher m;
            if ((m = match(FLOAT, i)) != null) {
                emit(Kind.FLOAT, m.group(), i);
            } else if ((m = match(INTEGER, i)) != null) {
                emit(Kind.INTEGER, m.group(), i);
            } else if ((m = match(NAME, i)) != null) {
                emit(Kind.NAME, m.group(), i);
            } else if ((m = match(STRING, i)) != null) {
                String body = m.group(1) != null ? m.group(1) : m.group(2);
                tokens.add(new Token(Kind.STRING, unescape(body, lineOf(i)), lineOf(i)));
            } else {
                String op = operatorAt(i);
                if (op == null) {
                    throw new JinjaError("unexpected character '" + c + "' in a tag", lineOf(i));
                }
                balance(brackets, op, i);
                emit(Kind.OPERATOR, op, i);
                i += op.length();
                continue;
            }
            i = m.end();
        }
    }

    /** The end offset of the tag's closing delimiter at {@code i} (with whitespace control), or -1. */
    private int tagEnd(boolean block, int i) {
        if (block) {
            if (src.startsWith("+%}", i)) {
                return i + 3;
            }
            if (src.startsWith("-%}", i)) {
                return skipSpace(i + 3);
            }
            if (src.startsWith("%}", i)) {
                return i + 2 < n && src.charAt(i + 2) == '\n' ? i + 3 : i + 2;
            }
            return -1;
        }
        if (src.startsWith("-}}", i)) {
            return skipSpace(i + 3);
        }
        return src.startsWith("}}", i) ? i + 2 : -1;
    }

    private Matcher match(Pattern p, int i) {
        Matcher m = p.matcher(src).region(i, n).useTransparentBounds(true);
        return m.lookingAt() ? m : null;
    }

    private String operatorAt(int i) {
        for (String op : OPERATORS) {
            if (src.startsWith(op, i)) {
                return op;
            }
        }
        return null;
    }

    private void balance(Deque<Character> brackets, String op, int i) {
        switch (op) {
            case "(", "[", "{" -> brackets.push(op.charAt(0));
            case ")", "]", "}" -> {
                char open = op.equals(")") ? '(' : op.equals("]") ? '[' : '{';
                if (brackets.isEmpty() || brackets.pop() != open) {
                    throw new JinjaError("unexpected '" + op + "'", lineOf(i));
                }
            }
            default -> { }
        }
    }

    /** A string literal's body decoded as Python's "unicode-escape" codec does (what jinja2 applies). */
    static String unescape(String body, int line) {
        if (body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder b = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                b.append(c);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case '\n' -> { }
                case '\\', '\'', '"' -> b.append(e);
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'v' -> b.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    String hex = i + 1 + len <= body.length() ? body.substring(i + 1, i + 1 + len) : "";
                    if (!hex.matches("[0-9a-fA-F]+")) {
                        throw new JinjaError("truncated \\" + e + " escape in a string literal", line);
                    }
                    b.appendCodePoint(Integer.parseInt(hex, 16));
                    i += len;
                }
                case 'N' -> throw new JinjaError("\\N{...} escapes in string literals are not supported; write the character itself", line);
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < body.length() && end < i + 3 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
                            end++;
                        }
                        b.append((char) Integer.parseInt(body.substring(i, end), 8));
                        i = end - 1;
                    } else if (e < 0x80) {
                        b.append('\\').append(e);
                    } else {
                        // jinja2 encodes the literal with backslashreplace before decoding escapes: "\é" -> "\xe9"
                        int cp = body.codePointAt(i);
                        b.append('\\').append(cp < 0x100 ? String.format("x%02x", cp) : cp < 0x10000 ? String.format("u%04x", cp)
                                : String.format("U%08x", cp));
                        i += Character.charCount(cp) - 1;
                    }
                }
            }
        }
        return b.toString();
    }
}
