package org.rlcasino.tokenizers.chat;

import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlcasino.tokenizers.chat.JinjaNode.Expr;
import org.rlcasino.tokenizers.chat.JinjaNode.Stmt;
import org.rlcasino.tokenizers.chat.JinjaNode.Target;
import org.rlcasino.tokenizers.chat.PythonValues.Function;
import org.rlcasino.tokenizers.chat.PythonValues.Namespace;
import org.rlcasino.tokenizers.chat.PythonValues.Tuple;
import org.rlcasino.tokenizers.chat.PythonValues.Undefined;

/**
 * Renders a parsed template once, as transformers' {@code ImmutableSandboxedEnvironment} does.
 * Scopes follow jinja2: a for loop's body gets a fresh scope each iteration (a {@code set} inside
 * does not outlive the iteration; {@code namespace()} is how templates carry state out), a macro
 * call and a {@code with} block get their own, {@code if} does not open one. Globals:
 * {@code range}, {@code dict}, {@code namespace}, and transformers' {@code raise_exception(message)}
 * and {@code strftime_now(format)} (the local date and time of {@code clock}). The sandbox's unsafe
 * attributes (mutating methods such as {@code list.append}, names that start with '_') are
 * Undefined, as in jinja2.
 */
final class JinjaRenderer {
    /** jinja2's sandbox refuses larger ranges (MAX_RANGE). */
    static final int MAX_RANGE = 100_000;
    /** Nested macro calls allowed: Python would stop a runaway recursion near its limit of 1000 frames. */
    static final int MAX_MACRO_DEPTH = 200;

    private enum Flow { NEXT, BREAK, CONTINUE }

    private static final class Scope {
        final Map<String, Object> vars = new HashMap<>();
        final Scope parent;

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object lookup(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.vars.containsKey(name)) {
                    return s.vars.get(name);
                }
            }
            return MISSING;
        }
    }

    private static final Object MISSING = new Object();

    /** A method bound to its receiver: {@code "a,b".split} or {@code message.items}. */
    record BoundMethod(Object receiver, String name) implements Function {
        @Override
        public Object call(List<Object> args, Map<String, Object> kwargs) {
            return PythonMethods.call(receiver, name, args, kwargs);
        }
    }

    /** A macro, bound to the scope it was defined in: its free names resolve there when it is called. */
    private final class Macro implements Function {
        private final JinjaNode.Macro macro;
        private final Scope scope;

        Macro(JinjaNode.Macro macro, Scope scope) {
            this.macro = macro;
            this.scope = scope;
        }

        /** Binds the arguments as jinja2's {@code Macro.__call__} does; defaults are evaluated at the call, in order. */
        @Override
        public Object call(List<Object> args, Map<String, Object> kwargs) {
            if (macroDepth >= MAX_MACRO_DEPTH) {
                throw new JinjaError("macro '" + macro.name() + "': more than " + MAX_MACRO_DEPTH + " nested macro calls (runaway recursion?)");
            }
            List<String> params = macro.params();
            int n = params.size();
            int firstDefault = n - macro.defaults().size();
            Map<String, Object> rest = new LinkedHashMap<>(kwargs);
            Scope s = new Scope(scope);
            for (int i = 0; i < n; i++) {
                String p = params.get(i);
                Object v;
                if (i < args.size()) {
                    v = args.get(i);
                } else if (rest.containsKey(p)) {
                    v = rest.remove(p);
                } else if (i >= firstDefault) {
                    v = eval(macro.defaults().get(i - firstDefault), s);
                } else {
                    v = new Undefined("parameter '" + p + "' was not provided");
                }
                s.vars.put(p, v);
            }
            if (macro.catchKwargs()) {
                s.vars.put("kwargs", new LinkedHashMap<Object, Object>(rest));
            } else if (!rest.isEmpty()) {
                throw new JinjaError("macro '" + macro.name() + "' takes no keyword argument '" + rest.keySet().iterator().next() + "'");
            }
            if (macro.catchVarargs()) {
                s.vars.put("varargs", new Tuple(new ArrayList<>(args.subList(Math.min(n, args.size()), args.size()))));
            } else if (args.size() > n) {
                throw new JinjaError("macro '" + macro.name() + "' takes not more than " + n + " argument(s)");
            }
            StringBuilder out = new StringBuilder();
            macroDepth++;
            try {
                exec(macro.body(), s, out);
            } finally {
                macroDepth--;
            }
            return out.toString();
        }
    }

    /** jinja2's {@code loop} object. */
    static final class Loop {
        final List<Object> items;
        int index0;

        Loop(List<Object> items) {
            this.items = items;
        }

        Object attribute(String name) {
            int n = items.size();
            return switch (name) {
                case "index0" -> (long) index0;
                case "index" -> (long) index0 + 1;
                case "revindex0" -> (long) (n - index0 - 1);
                case "revindex" -> (long) (n - index0);
                case "first" -> index0 == 0;
                case "last" -> index0 == n - 1;
                case "length" -> (long) n;
                case "depth" -> 1L;
                case "depth0" -> 0L;
                case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
                case "nextitem" -> index0 < n - 1 ? items.get(index0 + 1) : new Undefined("there is no next item");
                case "cycle" -> (Function) (args, kwargs) -> {
                    if (args.isEmpty()) {
                        throw new JinjaError("no items for cycling given");
                    }
                    return args.get(index0 % args.size());
                };
                default -> new Undefined("'jinja2.runtime.LoopContext object' has no attribute '" + name + "'");
            };
        }
    }

    private final Map<String, Object> globals = new HashMap<>();
    private int macroDepth;

    JinjaRenderer(Clock clock) {
        globals.put("range", (Function) JinjaRenderer::range);
        globals.put("dict", (Function) (args, kwargs) -> {
            Map<Object, Object> d = dict(args, "dict");
            d.putAll(kwargs);
            return d;
        });
        globals.put("namespace", (Function) (args, kwargs) -> {
            Namespace ns = new Namespace();
            dict(args, "namespace").forEach((k, v) -> ns.attributes.put(PythonValues.str(k), v));
            ns.attributes.putAll(kwargs);
            return ns;
        });
        globals.put("raise_exception", (Function) (args, kwargs) -> {
            throw new JinjaError(args.isEmpty() ? "" : PythonValues.str(args.get(0)), -1, true);
        });
        globals.put("strftime_now", (Function) (args, kwargs) -> {
            if (args.size() != 1 || !(args.get(0) instanceof String format)) {
                throw new JinjaError("strftime_now takes one format string, e.g. strftime_now(\"%d %b %Y\")");
            }
            return Strftime.format(LocalDateTime.now(clock), format);
        });
        for (String name : List.of("lipsum", "cycler", "joiner")) {
            globals.put(name, (Function) (args, kwargs) -> {
                throw new JinjaError("unsupported Jinja global '" + name + "()'");
            });
        }
    }

    /** Python's {@code dict(arg)} for at most one positional argument: a mapping or an iterable of pairs. */
    private static Map<Object, Object> dict(List<Object> args, String function) {
        Map<Object, Object> d = new LinkedHashMap<>();
        if (args.size() > 1) {
            throw new JinjaError(function + "() expected at most 1 positional argument, got " + args.size());
        }
        if (args.isEmpty()) {
            return d;
        }
        if (args.get(0) instanceof Map<?, ?> m) {
            d.putAll(m);
            return d;
        }
        for (Object pair : PythonValues.iterate(args.get(0))) {
            List<Object> kv = pair instanceof List || pair instanceof Tuple ? PythonValues.iterate(pair) : List.of();
            if (kv.size() != 2) {
                throw new JinjaError(function + "() takes a mapping or (key, value) pairs, got an item " + PythonValues.repr(pair));
            }
            d.put(kv.get(0), kv.get(1));
        }
        return d;
    }

    /** Renders {@code template} with {@code variables} (template values, see {@link PythonValues}) over the globals. */
    String render(List<Stmt> template, Map<String, Object> variables) {
        Scope context = new Scope(null);
        context.vars.putAll(globals);
        context.vars.putAll(variables);
        StringBuilder out = new StringBuilder();
        exec(template, new Scope(context), out);
        return out.toString();
    }

    private static Object range(List<Object> args, Map<String, Object> kwargs) {
        if (args.isEmpty() || args.size() > 3 || !kwargs.isEmpty()) {
            throw new JinjaError("range() takes 1 to 3 integer arguments");
        }
        long[] a = new long[args.size()];
        for (int i = 0; i < a.length; i++) {
            if (!(args.get(i) instanceof Long || args.get(i) instanceof Boolean)) {
                throw new JinjaError("'" + PythonValues.typeName(args.get(i)) + "' object cannot be interpreted as an integer");
            }
            a[i] = PythonValues.toLong(args.get(i));
        }
        long start = a.length == 1 ? 0 : a[0];
        long stop = a.length == 1 ? a[0] : a[1];
        long step = a.length == 3 ? a[2] : 1;
        if (step == 0) {
            throw new JinjaError("range() arg 3 must not be zero");
        }
        List<Object> out = new ArrayList<>();
        for (long x = start; step > 0 ? x < stop : x > stop; x += step) {
            if (out.size() >= MAX_RANGE) {
                throw new JinjaError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
            }
            out.add(x);
        }
        return out;
    }

    // ---- statements

    private Flow exec(List<Stmt> body, Scope scope, StringBuilder out) {
        for (Stmt s : body) {
            Flow f;
            try {
                f = exec(s, scope, out);
            } catch (JinjaError e) {
                throw e.at(s.line());
            }
            if (f != Flow.NEXT) {
                return f;
            }
        }
        return Flow.NEXT;
    }

    private Flow exec(Stmt s, Scope scope, StringBuilder out) {
        switch (s) {
            case JinjaNode.Text t -> out.append(t.text());
            case JinjaNode.Print p -> out.append(PythonValues.str(eval(p.value(), scope)));
            case JinjaNode.If f -> {
                for (int i = 0; i < f.conditions().size(); i++) {
                    if (PythonValues.truthy(eval(f.conditions().get(i), scope))) {
                        return exec(f.bodies().get(i), scope, out);
                    }
                }
                return exec(f.orElse(), scope, out);
            }
            case JinjaNode.For f -> {
                return execFor(f, scope, out);
            }
            case JinjaNode.Set set -> assign(set.target(), eval(set.value(), scope), scope, set.line());
            case JinjaNode.SetBlock set -> {
                StringBuilder b = new StringBuilder();
                exec(set.body(), new Scope(scope), b);
                assign(set.target(), applyFilters(set.filters(), b.toString(), scope), scope, set.line());
            }
            case JinjaNode.With w -> {
                List<Object> values = new ArrayList<>();
                for (Expr e : w.values()) {
                    values.add(eval(e, scope));
                }
                Scope inner = new Scope(scope);
                for (int i = 0; i < values.size(); i++) {
                    assign(w.targets().get(i), values.get(i), inner, w.line());
                }
                return exec(w.body(), inner, out);
            }
            case JinjaNode.FilterBlock fb -> {
                StringBuilder b = new StringBuilder();
                Flow flow = exec(fb.body(), new Scope(scope), b);
                out.append(PythonValues.str(applyFilters(fb.filters(), b.toString(), scope)));
                return flow;
            }
            case JinjaNode.Macro m -> scope.vars.put(m.name(), new Macro(m, scope));
            case JinjaNode.Generation g -> {
                return exec(g.body(), new Scope(scope), out);
            }
            case JinjaNode.Break b -> {
                return Flow.BREAK;
            }
            case JinjaNode.Continue c -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NEXT;
    }

    private Flow execFor(JinjaNode.For f, Scope scope, StringBuilder out) {
        Object iterable = eval(f.iterable(), scope);
        if (iterable == null) {
            throw new JinjaError("'NoneType' object is not iterable", f.line());
        }
        List<Object> items = PythonValues.iterate(iterable);
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = new Scope(scope);
                assign(f.target(), item, s, f.line());
                if (PythonValues.truthy(eval(f.filter(), s))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            return exec(f.orElse(), scope, out);
        }
        Loop loop = new Loop(items);
        for (int i = 0; i < items.size(); i++) {
            loop.index0 = i;
            Scope s = new Scope(scope);
            s.vars.put("loop", loop);
            assign(f.target(), items.get(i), s, f.line());
            if (exec(f.body(), s, out) == Flow.BREAK) {
                break;
            }
        }
        return Flow.NEXT;
    }

    private void assign(Target target, Object value, Scope scope, int line) {
        if (target.attribute() != null) {
            String name = target.names().get(0);
            Object ns = scope.lookup(name);
            if (!(ns instanceof Namespace namespace)) {
                throw new JinjaError("cannot assign attribute on non-namespace object", line);
            }
            namespace.attributes.put(target.attribute(), value);
            return;
        }
        if (!target.tuple()) {
            scope.vars.put(target.names().get(0), value);
            return;
        }
        List<Object> items = PythonValues.iterate(value);
        int want = target.names().size();
        if (items.size() < want) {
            throw new JinjaError("not enough values to unpack (expected " + want + ", got " + items.size() + ")", line);
        }
        if (items.size() > want) {
            throw new JinjaError("too many values to unpack (expected " + want + ")", line);
        }
        for (int i = 0; i < want; i++) {
            scope.vars.put(target.names().get(i), items.get(i));
        }
    }

    // ---- expressions

    private Object eval(Expr e, Scope scope) {
        try {
            return evalUnchecked(e, scope);
        } catch (JinjaError err) {
            throw err.at(e.line());
        } catch (ArithmeticException err) {
            throw new JinjaError(err.getMessage().contains("overflow") ? "integer overflow (RL Casino's templates use 64-bit integers)"
                    : err.getMessage(), e.line());
        }
    }

    private Object evalUnchecked(Expr e, Scope scope) {
        switch (e) {
            case Expr.Const c -> {
                return c.value();
            }
            case Expr.Name n -> {
                Object v = scope.lookup(n.name());
                return v == MISSING ? new Undefined("'" + n.name() + "' is undefined") : v;
            }
            case Expr.ListLiteral l -> {
                List<Object> out = new ArrayList<>();
                for (Expr x : l.items()) {
                    out.add(eval(x, scope));
                }
                return out;
            }
            case Expr.TupleLiteral t -> {
                List<Object> out = new ArrayList<>();
                for (Expr x : t.items()) {
                    out.add(eval(x, scope));
                }
                return new Tuple(out);
            }
            case Expr.DictLiteral d -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object key = eval(d.keys().get(i), scope);
                    if (key instanceof List || key instanceof Map || key instanceof Undefined) {
                        throw new JinjaError("unhashable type: '" + PythonValues.typeName(key) + "'");
                    }
                    Object existing = PythonValues.findKey(out, key);
                    out.put(existing != null ? existing : key, eval(d.values().get(i), scope));
                }
                return out;
            }
            case Expr.GetAttr g -> {
                return getAttr(eval(g.object(), scope), g.name());
            }
            case Expr.GetItem g -> {
                return getItem(eval(g.object(), scope), eval(g.key(), scope));
            }
            case Expr.Slice s -> {
                Object v = eval(s.object(), scope);
                if (v instanceof Undefined u) {
                    throw u.error();
                }
                Object start = s.start() == null ? null : eval(s.start(), scope);
                Object stop = s.stop() == null ? null : eval(s.stop(), scope);
                Object step = s.step() == null ? null : eval(s.step(), scope);
                Object sliced = PythonValues.slice(v, start, stop, step);
                return sliced != null ? sliced : new Undefined(objectType(v) + " has no element slice(" + PythonValues.repr(start) + ", "
                        + PythonValues.repr(stop) + ", " + PythonValues.repr(step) + ")");
            }
            case Expr.Call c -> {
                Object fn = eval(c.function(), scope);
                List<Object> args = new ArrayList<>();
                for (Expr a : c.args()) {
                    args.add(eval(a, scope));
                }
                return call(fn, args, kwargs(c.kwargNames(), c.kwargs(), scope));
            }
            case Expr.Filter f -> {
                return applyFilters(List.of(f), eval(f.value(), scope), scope);
            }
            case Expr.Test t -> {
                Object v = eval(t.value(), scope);
                List<Object> args = new ArrayList<>();
                for (Expr a : t.args()) {
                    args.add(eval(a, scope));
                }
                return JinjaTests.test(t.name(), v, args) != t.negated();
            }
            case Expr.Unary u -> {
                Object v = eval(u.operand(), scope);
                if (v instanceof Undefined und) {
                    throw und.error();
                }
                if (!PythonValues.isNumber(v)) {
                    throw new JinjaError("bad operand type for unary " + u.op() + ": '" + PythonValues.typeName(v) + "'");
                }
                if (u.op().equals("+")) {
                    return v instanceof Boolean ? PythonValues.toLong(v) : v;
                }
                return v instanceof Double d ? (Object) (-d) : (Object) Math.negateExact(PythonValues.toLong(v));
            }
            case Expr.Binary b -> {
                return PythonOperators.binary(b.op(), eval(b.left(), scope), eval(b.right(), scope));
            }
            case Expr.Concat c -> {
                StringBuilder sb = new StringBuilder();
                for (Expr p : c.parts()) {
                    sb.append(PythonValues.str(eval(p, scope)));
                }
                return sb.toString();
            }
            case Expr.Compare c -> {
                Object left = eval(c.first(), scope);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.operands().get(i), scope);
                    if (!PythonOperators.compare(c.ops().get(i), left, right)) {
                        return false;
                    }
                    left = right;
                }
                return true;
            }
            case Expr.And a -> {
                Object left = eval(a.left(), scope);
                return PythonValues.truthy(left) ? eval(a.right(), scope) : left;
            }
            case Expr.Or o -> {
                Object left = eval(o.left(), scope);
                return PythonValues.truthy(left) ? left : eval(o.right(), scope);
            }
            case Expr.Not n -> {
                return !PythonValues.truthy(eval(n.operand(), scope));
            }
            case Expr.Conditional c -> {
                if (PythonValues.truthy(eval(c.test(), scope))) {
                    return eval(c.then(), scope);
                }
                return c.orElse() != null ? eval(c.orElse(), scope)
                        : new Undefined("the inline if-expression on line " + c.line() + " evaluated to false and no else section was defined.");
            }
        }
    }

    private Map<String, Object> kwargs(List<String> names, List<Expr> values, Scope scope) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), eval(values.get(i), scope));
        }
        return out;
    }

    private Object applyFilters(List<Expr.Filter> filters, Object value, Scope scope) {
        for (Expr.Filter f : filters) {
            List<Object> args = new ArrayList<>();
            for (Expr a : f.args()) {
                args.add(eval(a, scope));
            }
            try {
                value = JinjaFilters.apply(f.name(), value, args, kwargs(f.kwargNames(), f.kwargs(), scope));
            } catch (JinjaError e) {
                throw e.at(f.line());
            }
        }
        return value;
    }

    static Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
        if (fn instanceof Function f) {
            return f.call(args, kwargs);
        }
        if (fn instanceof Undefined u) {
            throw u.error();
        }
        throw new JinjaError("'" + PythonValues.typeName(fn) + "' object is not callable");
    }

    /** jinja2's {@code object_type_repr}: how Undefined messages name a value's type. */
    private static String objectType(Object obj) {
        if (obj == null) {
            return "None";
        }
        if (obj instanceof Namespace) {
            return "jinja2.utils.Namespace object";
        }
        if (obj instanceof Loop) {
            return "jinja2.runtime.LoopContext object";
        }
        return PythonValues.typeName(obj) + " object";
    }

    /**
     * {@code obj.name} as jinja2's sandbox resolves it: the Python attribute (a method) first, then
     * {@code obj[name]}; an unsafe attribute (a mutating method, a name starting with '_') is Undefined.
     */
    static Object getAttr(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        if (obj instanceof Loop loop && !name.startsWith("_")) {
            return loop.attribute(name);
        }
        if (obj instanceof Namespace ns && ns.attributes.containsKey(name)) {
            return ns.attributes.get(name);
        }
        if (name.startsWith("_") && !(obj instanceof Map<?, ?> m && m.containsKey(name)) || PythonMethods.isMutating(obj, name)) {
            return new Undefined("access to attribute '" + name + "' of '" + PythonValues.typeName(obj) + "' object is unsafe.");
        }
        if (PythonMethods.has(obj, name)) {
            return new BoundMethod(obj, name);
        }
        if (obj instanceof Map<?, ?> m) {
            Object key = PythonValues.findKey(m, name);
            if (key != null) {
                return m.get(key);
            }
        }
        return new Undefined("'" + objectType(obj) + "' has no attribute '" + name + "'");
    }

    /** {@code obj[key]} as jinja2 resolves it: the item first, then, for a string key, the attribute. */
    static Object getItem(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        if (key instanceof Undefined u) {
            throw u.error();
        }
        if (obj instanceof Map<?, ?> m) {
            Object k = PythonValues.findKey(m, key);
            if (k != null || (key == null && m.containsKey(null))) {
                return m.get(k);
            }
        } else if ((obj instanceof List || obj instanceof Tuple || obj instanceof String)
                && (key instanceof Long || key instanceof Boolean)) {
            long i = PythonValues.toLong(key);
            long n = PythonValues.len(obj);
            if (i >= -n && i < n) {
                return PythonValues.index(obj, i);
            }
        }
        if (key instanceof String name) {
            return getAttr(obj, name);
        }
        return new Undefined(objectType(obj) + " has no element " + PythonValues.repr(key));
    }
}
