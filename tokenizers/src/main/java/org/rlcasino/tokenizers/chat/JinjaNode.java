package org.rlcasino.tokenizers.chat;

import java.util.List;

/** The syntax tree of a template: statements ({@link Stmt}) and expressions ({@link Expr}), each with its template line. */
sealed interface JinjaNode {
    int line();

    // ---- statements

    sealed interface Stmt extends JinjaNode {}

    record Text(String text, int line) implements Stmt {}

    record Print(Expr value, int line) implements Stmt {}

    record If(List<Expr> conditions, List<List<Stmt>> bodies, List<Stmt> orElse, int line) implements Stmt {}

    record For(Target target, Expr iterable, Expr filter, List<Stmt> body, List<Stmt> orElse, int line) implements Stmt {}

    record Set(Target target, Expr value, int line) implements Stmt {}

    /** {@code {% set x | filters %}body{% endset %}}: x is the rendered body, through the filters (if any) in order. */
    record SetBlock(Target target, List<Expr.Filter> filters, List<Stmt> body, int line) implements Stmt {}

    record With(List<Target> targets, List<Expr> values, List<Stmt> body, int line) implements Stmt {}

    /** {@code {% filter a | b %}body{% endfilter %}}: the rendered body through the filters in order. */
    record FilterBlock(List<Expr.Filter> filters, List<Stmt> body, int line) implements Stmt {}

    /**
     * {@code {% macro name(a, b=default) %}}: the last {@code defaults.size()} parameters have
     * defaults; {@code catchVarargs}/{@code catchKwargs}: the body uses {@code varargs}/{@code kwargs},
     * so extra positional/keyword arguments land there instead of being an error (jinja2's rule).
     */
    record Macro(String name, List<String> params, List<Expr> defaults, boolean catchVarargs, boolean catchKwargs, List<Stmt> body,
            int line) implements Stmt {}

    /** transformers' {@code {% generation %}} tag (assistant-token masks): the body renders as is. */
    record Generation(List<Stmt> body, int line) implements Stmt {}

    record Break(int line) implements Stmt {}

    record Continue(int line) implements Stmt {}

    /** What {@code set} and {@code for} assign to: names ({@code a} or {@code a, b}) or a namespace attribute ({@code ns.a}). */
    record Target(List<String> names, boolean tuple, String attribute) {}

    // ---- expressions

    sealed interface Expr extends JinjaNode {
        record Const(Object value, int line) implements Expr {}

        record Name(String name, int line) implements Expr {}

        record ListLiteral(List<Expr> items, int line) implements Expr {}

        record TupleLiteral(List<Expr> items, int line) implements Expr {}

        record DictLiteral(List<Expr> keys, List<Expr> values, int line) implements Expr {}

        record GetAttr(Expr object, String name, int line) implements Expr {}

        record GetItem(Expr object, Expr key, int line) implements Expr {}

        record Slice(Expr object, Expr start, Expr stop, Expr step, int line) implements Expr {}

        record Call(Expr function, List<Expr> args, List<String> kwargNames, List<Expr> kwargs, int line) implements Expr {}

        /** {@code value | name(args)}; value is null in a filter block and a set block. */
        record Filter(Expr value, String name, List<Expr> args, List<String> kwargNames, List<Expr> kwargs, int line) implements Expr {}

        record Test(Expr value, String name, List<Expr> args, boolean negated, int line) implements Expr {}

        record Unary(String op, Expr operand, int line) implements Expr {}

        record Binary(String op, Expr left, Expr right, int line) implements Expr {}

        record Concat(List<Expr> parts, int line) implements Expr {}

        record Compare(Expr first, List<String> ops, List<Expr> operands, int line) implements Expr {}

        record And(Expr left, Expr right, int line) implements Expr {}

        record Or(Expr left, Expr right, int line) implements Expr {}

        record Not(Expr operand, int line) implements Expr {}

        record Conditional(Expr test, Expr then, Expr orElse, int line) implements Expr {}
    }
}
