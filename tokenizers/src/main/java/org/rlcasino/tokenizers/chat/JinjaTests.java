package org.rlcasino.tokenizers.chat;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.rlcasino.tokenizers.chat.PythonValues.Function;
import org.rlcasino.tokenizers.chat.PythonValues.Generator;
import org.rlcasino.tokenizers.chat.PythonValues.Tuple;
import org.rlcasino.tokenizers.chat.PythonValues.Undefined;

/**
 * jinja2's tests ({@code x is defined}, {@code x is string}, ..., and the operator names
 * {@code select('==', 2)} takes), with jinja2 3.1's definitions. Unknown tests are refused when
 * the template is parsed.
 */
final class JinjaTests {
    private JinjaTests() {}

    /** The supported tests. */
    static final Set<String> NAMES = Collections.unmodifiableSet(new TreeSet<>(Set.of("defined", "undefined", "none", "boolean",
            "true", "false", "integer", "float", "number", "string", "mapping", "sequence", "iterable", "callable", "odd", "even",
            "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">", "ge",
            ">=", "in", "lower", "upper", "sameas", "filter", "test")));

    /** jinja2's other built-in tests, refused by name when the template is parsed. */
    static final Set<String> UNSUPPORTED = Set.of("escaped");

    static boolean test(String name, Object v, List<Object> args) {
        switch (name) {
            case "defined" -> {
                return !(v instanceof Undefined);
            }
            case "undefined" -> {
                return v instanceof Undefined;
            }
            case "none" -> {
                return v == null;
            }
            case "boolean" -> {
                return v instanceof Boolean;
            }
            case "true" -> {
                return Boolean.TRUE.equals(v);
            }
            case "false" -> {
                return Boolean.FALSE.equals(v);
            }
            case "integer" -> {
                return v instanceof Long;
            }
            case "float" -> {
                return v instanceof Double;
            }
            case "number" -> {
                return PythonValues.isNumber(v);
            }
            case "string" -> {
                return v instanceof String;
            }
            case "mapping" -> {
                return v instanceof Map;
            }
            case "sequence" -> {
                return v instanceof String || v instanceof List || v instanceof Tuple || v instanceof Map;
            }
            case "iterable" -> {
                return v instanceof String || v instanceof List || v instanceof Tuple || v instanceof Map || v instanceof Undefined
                        || v instanceof Generator;
            }
            case "callable" -> {
                return v instanceof Function;
            }
            case "odd", "even" -> {
                return PythonValues.eq(PythonOperators.binary("%", v, 2L), name.equals("odd") ? 1L : 0L);
            }
            case "divisibleby" -> {
                return PythonValues.eq(PythonOperators.binary("%", v, arg(args, name)), 0L);
            }
            case "eq", "equalto", "==" -> {
                return PythonValues.eq(v, arg(args, name));
            }
            case "ne", "!=" -> {
                return !PythonValues.eq(v, arg(args, name));
            }
            case "lt", "lessthan", "<" -> {
                return PythonOperators.compare("<", v, arg(args, name));
            }
            case "le", "<=" -> {
                return PythonOperators.compare("<=", v, arg(args, name));
            }
            case "gt", "greaterthan", ">" -> {
                return PythonOperators.compare(">", v, arg(args, name));
            }
            case "ge", ">=" -> {
                return PythonOperators.compare(">=", v, arg(args, name));
            }
            case "in" -> {
                return PythonOperators.compare("in", v, arg(args, name));
            }
            case "lower", "upper" -> {
                return (Boolean) PythonMethods.call(PythonValues.str(v), "is" + name, List.of(), Map.of());
            }
            case "filter" -> { // jinja2's filters, including those outside the subset (refused when used)
                return v instanceof String s && (JinjaFilters.NAMES.contains(s) || JinjaFilters.UNSUPPORTED.contains(s));
            }
            case "test" -> {
                return v instanceof String s && (NAMES.contains(s) || UNSUPPORTED.contains(s));
            }
            case "sameas" -> {
                Object other = arg(args, name);
                return v == other || (v == null && other == null) || (v instanceof Boolean && v.equals(other));
            }
            // an unknown test in an if statement or conditional expression, which jinja2 reports only when evaluated
            default -> throw new JinjaError("No test named '" + name + "' found.");
        }
    }

    private static Object arg(List<Object> args, String test) {
        if (args.size() != 1) {
            throw new JinjaError("the '" + test + "' test takes one argument, got " + args.size());
        }
        return args.get(0);
    }
}
