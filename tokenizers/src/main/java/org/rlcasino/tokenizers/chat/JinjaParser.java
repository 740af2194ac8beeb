package org.rlcasino.tokenizers.chat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

import org.rlcasino.tokenizers.chat.JinjaLexer.Kind;
import org.rlcasino.tokenizers.chat.JinjaLexer.Token;
import org.rlcasino.tokenizers.chat.JinjaNode.Expr;
import org.rlcasino.tokenizers.chat.JinjaNode.Stmt;
import org.rlcasino.tokenizers.chat.JinjaNode.Target;

/**
 * Parses tokens into a tree with jinja2 3.1's grammar and precedence (lowest first): {@code x if c
 * else y}; {@code or}; {@code and}; {@code not}; comparisons ({@code == != < <= > >= in}, {@code not
 * in}, chained); {@code + -}; {@code ~}; {@code * / // %}; {@code **} (left-associative, as jinja2);
 * unary {@code - +}; then postfix {@code .name}, {@code [i]}, {@code [a:b:c]}, {@code (args)},
 * {@code |filter}, {@code is test}. Tags, filters and tests outside the subset are refused here, before
 * anything renders; so are filters and tests unknown to jinja2, except in an if statement or a
 * conditional expression, where jinja2 3.1 reports them only if evaluated.
 */
final class JinjaParser {
    static final String SUPPORTED_TAGS = "if/elif/else, for/else (with an 'if' filter; break, continue), set (x, a, b, ns.attr, "
            + "set blocks with filters), macro, with, filter, print, raw, generation";
    /** jinja2 tags outside the subset (other names are not jinja2 tags at all, in transformers' environment). */
    private static final Set<String> REFUSED_TAGS = Set.of("call", "block", "extends", "include", "import", "from", "autoescape", "trans");
    private static final Set<String> CLOSING_TAGS = Set.of("elif", "else", "endif", "endfor", "endset", "endmacro", "endwith",
            "endfilter", "endgeneration", "endraw");

    private final List<Token> tokens;
    private int i;
    /** Enclosing for loops that break/continue can leave (0 in a macro or set block). */
    private int loopDepth;
    /**
     * Whether the parser is in what jinja2's compiler calls a soft frame: an if statement's tests and
     * bodies, or a conditional expression. There an unknown filter or test fails only if evaluated.
     */
    private boolean soft;
    /** Unknown filters and tests outside soft frames; the first is the error, once the whole template parsed. */
    private final List<Unknown> unknown = new ArrayList<>();
    /** The names a macro body being parsed refers to (null outside macros): jinja2 looks for varargs and kwargs there. */
    private Set<String> macroNames;

    private JinjaParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** An unknown filter or test (kind is "filter" or "test"), which jinja2 reports at compile time outside soft frames. */
    private record Unknown(String kind, String name, int line) {}

    static List<Stmt> parse(String template) {
        JinjaParser parser = new JinjaParser(JinjaLexer.tokenize(template));
        List<Stmt> body = parser.subparse(Set.of());
        if (!parser.unknown.isEmpty()) {
            Unknown u = parser.unknown.get(0);
            String supported = u.kind().equals("filter") ? JinjaFilters.describe() : String.join(", ", JinjaTests.NAMES);
            throw new JinjaError("No " + u.kind() + " named '" + u.name() + "' (neither jinja2 nor transformers has one); RL Casino's "
                    + "Jinja subset has the " + u.kind() + "s " + supported, u.line());
        }
        return body;
    }

    /**
     * Parses in the frame jinja2's compiler gives a construct: {@code softFrame} (an if statement or
     * conditional expression) and the loops that break/continue can leave.
     */
    private <T> T frame(boolean softFrame, int loops, Supplier<T> parse) {
        boolean outerSoft = soft;
        int outerLoops = loopDepth;
        soft = softFrame;
        loopDepth = loops;
        try {
            return parse.get();
        } finally {
            soft = outerSoft;
            loopDepth = outerLoops;
        }
    }

    // ---- token stream

    private Token current() {
        return tokens.get(i);
    }

    private Token peek(int k) {
        return tokens.get(Math.min(i + k, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(i);
        if (t.kind() != Kind.EOF) {
            i++;
        }
        return t;
    }

    private boolean skipOperator(String op) {
        if (current().isOperator(op)) {
            i++;
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (current().isName(name)) {
            i++;
            return true;
        }
        return false;
    }

    private Token expect(Kind kind, String what) {
        Token t = current();
        if (t.kind() != kind) {
            throw unexpected(what);
        }
        return next();
    }

    private void expectOperator(String op) {
        if (!skipOperator(op)) {
            throw unexpected("'" + op + "'");
        }
    }

    private JinjaError unexpected(String expected) {
        Token t = current();
        return new JinjaError("expected " + expected + ", got " + t.describe(), t.line());
    }

    // ---- statements

    /** Statements up to a block tag whose first name is in {@code end} (left current) or the end of the template. */
    private List<Stmt> subparse(Set<String> end) {
        List<Stmt> body = new ArrayList<>();
        while (true) {
            Token t = current();
            switch (t.kind()) {
                case EOF -> {
                    if (!end.isEmpty()) {
                        throw new JinjaError("unexpected end of template: expected one of {% " + String.join(" %}, {% ", end.stream().sorted().toList())
                                + " %}", t.line());
                    }
                    return body;
                }
                case DATA -> {
                    next();
                    body.add(new JinjaNode.Text(t.value(), t.line()));
                }
                case VARIABLE_BEGIN -> {
                    next();
                    Expr e = parseTuple(true, Set.of(), false);
                    expect(Kind.VARIABLE_END, "'}}'");
                    body.add(new JinjaNode.Print(e, t.line()));
                }
                case BLOCK_BEGIN -> {
                    Token name = peek(1);
                    if (name.kind() == Kind.NAME && end.contains(name.value())) {
                        next();
                        return body;
                    }
                    next();
                    body.add(statement());
                    expect(Kind.BLOCK_END, "'%}'");
                }
                default -> throw unexpected("text or a tag");
            }
        }
    }

    /** The body of a block tag: its '%}', the statements, and the end tag's name (left current, or consumed with drop). */
    private List<Stmt> body(Set<String> end, boolean drop) {
        skipOperator(":");
        expect(Kind.BLOCK_END, "'%}'");
        List<Stmt> b = subparse(end);
        if (drop) {
            next();
        }
        return b;
    }

    private Stmt statement() {
        Token t = current();
        if (t.kind() != Kind.NAME) {
            throw new JinjaError("expected a tag name after '{%', got " + t.describe(), t.line());
        }
        switch (t.value()) {
            case "if" -> {
                return parseIf();
            }
            case "for" -> {
                return parseFor();
            }
            case "set" -> {
                return parseSet();
            }
            case "with" -> {
                return parseWith();
            }
            case "filter" -> {
                next();
                return frame(false, loopDepth, () -> {
                    List<Expr.Filter> filters = filterChain(true);
                    return new JinjaNode.FilterBlock(filters, body(Set.of("endfilter"), true), t.line());
                });
            }
            case "macro" -> {
                return parseMacro();
            }
            case "generation" -> {
                next();
                return new JinjaNode.Generation(frame(false, 0, () -> body(Set.of("endgeneration"), true)), t.line());
            }
            case "break", "continue" -> {
                if (loopDepth == 0) {
                    throw new JinjaError("'" + t.value() + "' outside of a for loop", t.line());
                }
                next();
                return t.value().equals("break") ? new JinjaNode.Break(t.line()) : new JinjaNode.Continue(t.line());
            }
            case "print" -> {
                next();
                return new JinjaNode.Print(parseTuple(true, Set.of(), false), t.line());
            }
            default -> {
                if (CLOSING_TAGS.contains(t.value())) {
                    throw new JinjaError("unexpected '{% " + t.value() + " %}': no open tag here that it could continue or close",
                            t.line());
                }
                String why = REFUSED_TAGS.contains(t.value()) ? "unsupported Jinja tag '" + t.value() + "'"
                        : "unknown Jinja tag '" + t.value() + "'";
                throw new JinjaError(why + "; RL Casino's Jinja subset has " + SUPPORTED_TAGS, t.line());
            }
        }
    }

    private Stmt parseIf() {
        return frame(true, loopDepth, this::parseIfInFrame);
    }

    private Stmt parseIfInFrame() {
        int line = next().line();
        List<Expr> conditions = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> orElse = List.of();
        conditions.add(parseTuple(false, Set.of(), false));
        while (true) {
            bodies.add(body(Set.of("elif", "else", "endif"), false));
            Token tag = next();
            if (tag.isName("elif")) {
                conditions.add(parseTuple(false, Set.of(), false));
            } else if (tag.isName("else")) {
                orElse = body(Set.of("endif"), true);
                break;
            } else {
                break;
            }
        }
        return new JinjaNode.If(conditions, bodies, orElse, line);
    }

    private Stmt parseFor() {
        int line = next().line();
        Target target = assignTarget(Set.of("in"), false);
        if (!skipName("in")) {
            throw unexpected("'in'");
        }
        Expr iterable = parseTuple(false, Set.of("recursive"), false);
        Expr filter = skipName("if") ? frame(false, loopDepth, () -> parseExpression(true)) : null;
        if (current().isName("recursive")) {
            throw new JinjaError("unsupported Jinja feature: recursive for loops; RL Casino's Jinja subset has " + SUPPORTED_TAGS, current().line());
        }
        List<Stmt> body = frame(false, loopDepth + 1, () -> body(Set.of("endfor", "else"), false));
        List<Stmt> orElse = next().isName("else") ? frame(false, loopDepth, () -> body(Set.of("endfor"), true)) : List.of();
        return new JinjaNode.For(target, iterable, filter, body, orElse, line);
    }

    private Stmt parseSet() {
        int line = next().line();
        Target target = assignTarget(Set.of(), true);
        if (skipOperator("=")) {
            return new JinjaNode.Set(target, parseTuple(true, Set.of(), false), line);
        }
        return frame(false, 0, () -> {
            List<Expr.Filter> filters = filterChain(false);
            return new JinjaNode.SetBlock(target, filters, body(Set.of("endset"), true), line);
        });
    }

    private Stmt parseMacro() {
        return frame(false, 0, this::parseMacroInFrame);
    }

    private Stmt parseMacroInFrame() {
        int line = next().line();
        String name = expect(Kind.NAME, "a macro name").value();
        expectOperator("(");
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        while (!current().isOperator(")")) {
            if (!params.isEmpty()) {
                expectOperator(",");
            }
            Token param = expect(Kind.NAME, "a parameter name");
            if (skipOperator("=")) {
                defaults.add(parseExpression(true));
            } else if (!defaults.isEmpty()) {
                throw new JinjaError("non-default argument follows default argument", param.line());
            }
            params.add(param.value());
        }
        expectOperator(")");
        Set<String> outerNames = macroNames;
        macroNames = new HashSet<>();
        List<Stmt> body = body(Set.of("endmacro"), true);
        Set<String> names = macroNames;
        macroNames = outerNames;
        if (outerNames != null) {
            outerNames.addAll(names);
        }
        return new JinjaNode.Macro(name, params, defaults, names.contains("varargs"), names.contains("kwargs"), body, line);
    }

    private Stmt parseWith() {
        int line = next().line();
        List<Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (current().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expectOperator(",");
            }
            targets.add(assignTarget(Set.of(), false));
            expectOperator("=");
            values.add(parseExpression(true));
        }
        return new JinjaNode.With(targets, values, frame(false, loopDepth, () -> body(Set.of("endwith"), true)), line);
    }

    /** {@code name}, {@code a, b} or {@code (a, b)} (for and set) or, with namespaces, {@code ns.attr}. */
    private Target assignTarget(Set<String> endNames, boolean withNamespace) {
        if (current().isOperator("(")) {
            Token open = next();
            List<String> names = new ArrayList<>();
            while (!current().isOperator(")")) {
                if (!names.isEmpty()) {
                    expectOperator(",");
                    if (current().isOperator(")")) {
                        break;
                    }
                }
                names.add(expect(Kind.NAME, "a variable name").value());
            }
            expectOperator(")");
            if (names.isEmpty()) {
                throw new JinjaError("cannot assign to an empty tuple", open.line());
            }
            return new Target(names, true, null);
        }
        Token first = expect(Kind.NAME, "a variable name");
        if (withNamespace && skipOperator(".")) {
            return new Target(List.of(first.value()), false, expect(Kind.NAME, "an attribute name").value());
        }
        List<String> names = new ArrayList<>(List.of(first.value()));
        boolean tuple = false;
        while (current().isOperator(",")) {
            next();
            tuple = true;
            if (current().kind() != Kind.NAME || endNames.contains(current().value())) {
                break;
            }
            names.add(next().value());
        }
        for (String name : names) {
            if (Set.of("true", "false", "none", "True", "False", "None").contains(name)) {
                throw new JinjaError("cannot assign to '" + name + "'", first.line());
            }
        }
        return new Target(names, tuple, null);
    }

    // ---- expressions

    /** An expression, or a tuple of them ({@code a, b}); without condExpr (for's iterable, if's test) 'if' ends it. */
    private Expr parseTuple(boolean withCondExpr, Set<String> endNames, boolean explicitParentheses) {
        int line = current().line();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            Token t = current();
            if (t.kind() == Kind.VARIABLE_END || t.kind() == Kind.BLOCK_END || t.isOperator(")")
                    || (t.kind() == Kind.NAME && endNames.contains(t.value()))) {
                break;
            }
            items.add(parseExpression(withCondExpr));
            if (current().isOperator(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.get(0);
            }
            if (!explicitParentheses) {
                throw unexpected("an expression");
            }
        }
        return new Expr.TupleLiteral(items, line);
    }

    private Expr parseExpression(boolean withCondExpr) {
        return withCondExpr ? parseCondExpr() : parseOr();
    }

    private Expr parseCondExpr() {
        int known = unknown.size();
        Expr expr = parseOr();
        while (current().isName("if")) {
            unknown.subList(known, unknown.size()).clear(); // the value before 'if' is in the soft frame too
            int line = next().line();
            Expr test = frame(true, loopDepth, this::parseOr);
            Expr orElse = skipName("else") ? frame(true, loopDepth, this::parseCondExpr) : null;
            expr = new Expr.Conditional(test, expr, orElse, line);
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (current().isName("or")) {
            int line = next().line();
            left = new Expr.Or(left, parseAnd(), line);
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (current().isName("and")) {
            int line = next().line();
            left = new Expr.And(left, parseNot(), line);
        }
        return left;
    }

    private Expr parseNot() {
        if (current().isName("not")) {
            int line = next().line();
            return new Expr.Not(parseNot(), line);
        }
        return parseCompare();
    }

    private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

    private Expr parseCompare() {
        int line = current().line();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = current();
            if (t.kind() == Kind.OPERATOR && COMPARE.contains(t.value())) {
                next();
                ops.add(t.value());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                next();
                next();
                ops.add("not in");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, operands, line);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (current().isOperator("+") || current().isOperator("-")) {
            Token op = next();
            left = new Expr.Binary(op.value(), left, parseConcat(), op.line());
        }
        return left;
    }

    private Expr parseConcat() {
        int line = current().line();
        List<Expr> parts = new ArrayList<>(List.of(parseMath2()));
        while (skipOperator("~")) {
            parts.add(parseMath2());
        }
        return parts.size() == 1 ? parts.get(0) : new Expr.Concat(parts, line);
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (current().kind() == Kind.OPERATOR && Set.of("*", "/", "//", "%").contains(current().value())) {
            Token op = next();
            left = new Expr.Binary(op.value(), left, parsePow(), op.line());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (current().isOperator("**")) {
            Token op = next();
            left = new Expr.Binary("**", left, parseUnary(true), op.line());
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = current();
        Expr node;
        if (t.isOperator("-") || t.isOperator("+")) {
            next();
            node = new Expr.Unary(t.value(), parseUnary(false), t.line());
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        return withFilter ? parseFilterExpr(node) : node;
    }

    private Expr parsePrimary() {
        Token t = current();
        switch (t.kind()) {
            case NAME -> {
                next();
                return switch (t.value()) {
                    case "true", "True" -> new Expr.Const(true, t.line());
                    case "false", "False" -> new Expr.Const(false, t.line());
                    case "none", "None" -> new Expr.Const(null, t.line());
                    default -> {
                        if (macroNames != null) {
                            macroNames.add(t.value());
                        }
                        yield new Expr.Name(t.value(), t.line());
                    }
                };
            }
            case STRING -> {
                StringBuilder b = new StringBuilder();
                while (current().kind() == Kind.STRING) {
                    b.append(next().value());
                }
                return new Expr.Const(b.toString(), t.line());
            }
            case INTEGER -> {
                next();
                return new Expr.Const(parseInteger(t), t.line());
            }
            case FLOAT -> {
                next();
                return new Expr.Const(Double.parseDouble(t.value().replace("_", "")), t.line());
            }
            case OPERATOR -> {
                if (t.isOperator("(")) {
                    next();
                    Expr e = parseTuple(true, Set.of(), true);
                    expectOperator(")");
                    return e;
                }
                if (t.isOperator("[")) {
                    next();
                    List<Expr> items = new ArrayList<>();
                    while (!current().isOperator("]")) {
                        if (!items.isEmpty()) {
                            expectOperator(",");
                            if (current().isOperator("]")) {
                                break;
                            }
                        }
                        items.add(parseExpression(true));
                    }
                    expectOperator("]");
                    return new Expr.ListLiteral(items, t.line());
                }
                if (t.isOperator("{")) {
                    next();
                    List<Expr> keys = new ArrayList<>();
                    List<Expr> values = new ArrayList<>();
                    while (!current().isOperator("}")) {
                        if (!keys.isEmpty()) {
                            expectOperator(",");
                            if (current().isOperator("}")) {
                                break;
                            }
                        }
                        keys.add(parseExpression(true));
                        expectOperator(":");
                        values.add(parseExpression(true));
                    }
                    expectOperator("}");
                    return new Expr.DictLiteral(keys, values, t.line());
                }
                throw unexpected("an expression");
            }
            default -> throw unexpected("an expression");
        }
    }

    private static long parseInteger(Token t) {
        String s = t.value().replace("_", "").toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("0b")) {
                return Long.parseLong(s.substring(2), 2);
            }
            if (s.startsWith("0o")) {
                return Long.parseLong(s.substring(2), 8);
            }
            if (s.startsWith("0x")) {
                return Long.parseLong(s.substring(2), 16);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new JinjaError("integer literal " + t.value() + " does not fit in 64 bits", t.line());
        }
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            Token t = current();
            if (t.isOperator(".")) {
                next();
                Token attr = current();
                if (attr.kind() == Kind.NAME) {
                    next();
                    node = new Expr.GetAttr(node, attr.value(), t.line());
                } else if (attr.kind() == Kind.INTEGER) {
                    next();
                    node = new Expr.GetItem(node, new Expr.Const(parseInteger(attr), attr.line()), t.line());
                } else {
                    throw unexpected("an attribute name");
                }
            } else if (t.isOperator("[")) {
                next();
                node = parseSubscript(node, t.line());
            } else if (t.isOperator("(")) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr node, int line) {
        Expr[] parts = new Expr[3];
        boolean slice = false;
        int part = 0;
        while (!current().isOperator("]")) {
            if (current().isOperator(":")) {
                next();
                slice = true;
                if (++part > 2) {
                    throw unexpected("']'");
                }
            } else if (current().isOperator(",")) {
                throw new JinjaError("unsupported Jinja feature: tuple subscripts like x[a, b]", current().line());
            } else {
                if (parts[part] != null) {
                    throw unexpected("']'");
                }
                parts[part] = parseExpression(true);
            }
        }
        expectOperator("]");
        if (!slice) {
            if (parts[0] == null) {
                throw new JinjaError("expected an expression in '[]'", line);
            }
            return new Expr.GetItem(node, parts[0], line);
        }
        return new Expr.Slice(node, parts[0], parts[1], parts[2], line);
    }

    private record Args(List<Expr> args, List<String> kwargNames, List<Expr> kwargs) {}

    private Args parseCallArgs() {
        expectOperator("(");
        List<Expr> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> kwargs = new ArrayList<>();
        while (!current().isOperator(")")) {
            if (!args.isEmpty() || !names.isEmpty()) {
                expectOperator(",");
                if (current().isOperator(")")) {
                    break;
                }
            }
            if (current().isOperator("*") || current().isOperator("**")) {
                throw new JinjaError("unsupported Jinja feature: *args and **kwargs in calls", current().line());
            }
            if (current().kind() == Kind.NAME && peek(1).isOperator("=")) {
                names.add(next().value());
                next();
                kwargs.add(parseExpression(true));
            } else {
                if (!names.isEmpty()) {
                    throw new JinjaError("positional argument after keyword argument", current().line());
                }
                args.add(parseExpression(true));
            }
        }
        expectOperator(")");
        return new Args(args, names, kwargs);
    }

    private Expr parseCall(Expr function) {
        int line = current().line();
        Args a = parseCallArgs();
        return new Expr.Call(function, a.args(), a.kwargNames(), a.kwargs(), line);
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            Token t = current();
            if (skipOperator("|")) {
                node = parseFilter(node);
            } else if (t.isName("is")) {
                node = parseTest(node);
            } else if (t.isOperator("(")) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    /** The filters of a filter block ({@code startInline}: the first has no '|') or a set block: {@code a | b(x) | c}. */
    private List<Expr.Filter> filterChain(boolean startInline) {
        List<Expr.Filter> filters = new ArrayList<>();
        if (startInline) {
            filters.add(parseFilter(null));
        }
        while (skipOperator("|")) {
            filters.add(parseFilter(null));
        }
        return filters;
    }

    /** A filter's name and arguments, after its '|' (the caller consumed it). */
    private Expr.Filter parseFilter(Expr value) {
        Token name = expect(Kind.NAME, "a filter name");
        StringBuilder full = new StringBuilder(name.value());
        while (skipOperator(".")) {
            full.append('.').append(expect(Kind.NAME, "a filter name").value());
        }
        String filter = full.toString();
        if (JinjaFilters.UNSUPPORTED.contains(filter)) {
            throw new JinjaError("unsupported Jinja filter '" + filter + "'; RL Casino's Jinja subset has " + JinjaFilters.describe(),
                    name.line());
        }
        if (!JinjaFilters.NAMES.contains(filter) && !soft) {
            unknown.add(new Unknown("filter", filter, name.line()));
        }
        Args a = current().isOperator("(") ? parseCallArgs() : new Args(List.of(), List.of(), List.of());
        return new Expr.Filter(value, filter, a.args(), a.kwargNames(), a.kwargs(), name.line());
    }

    private Expr parseTest(Expr value) {
        int line = next().line();
        boolean negated = skipName("not");
        Token name = expect(Kind.NAME, "a test name");
        if (JinjaTests.UNSUPPORTED.contains(name.value())) {
            throw new JinjaError("unsupported Jinja test '" + name.value() + "'; RL Casino's Jinja subset has "
                    + String.join(", ", JinjaTests.NAMES), name.line());
        }
        if (!JinjaTests.NAMES.contains(name.value()) && !soft) {
            unknown.add(new Unknown("test", name.value(), name.line()));
        }
        List<Expr> args = List.of();
        Token t = current();
        if (t.isOperator("(")) {
            Args a = parseCallArgs();
            if (!a.kwargNames().isEmpty()) {
                throw new JinjaError("keyword arguments to tests are not supported", line);
            }
            args = a.args();
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER || t.kind() == Kind.FLOAT
                || t.isOperator("(") || t.isOperator("[") || t.isOperator("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw new JinjaError("you cannot chain multiple tests with 'is'", t.line());
            }
            args = List.of(parsePostfix(parsePrimary()));
        }
        return new Expr.Test(value, name.value(), args, negated, line);
    }
}
