package org.rlcasino.tokenizers.chat;

import java.util.ArrayList;
import java.util.List;

import org.rlcasino.tokenizers.chat.PythonValues.Tuple;
import org.rlcasino.tokenizers.chat.PythonValues.Undefined;

/**
 * Python's binary operators and comparisons on template values: {@code +} adds numbers and joins
 * strings, lists and tuples; {@code *} also repeats them; {@code /} is true division,
 * {@code //} and {@code %} floor (the result takes the divisor's sign); {@code **} with a negative
 * int exponent gives a float. Integers are 64-bit (overflow is an error, not a bignum).
 */
final class PythonOperators {
    private PythonOperators() {}

    static Object binary(String op, Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        boolean numbers = PythonValues.isNumber(a) && PythonValues.isNumber(b);
        boolean floats = numbers && (a instanceof Double || b instanceof Double);
        switch (op) {
            case "+" -> {
                if (numbers) {
                    return floats ? (Object) (PythonValues.toDouble(a) + PythonValues.toDouble(b))
                            : (Object) Math.addExact(PythonValues.toLong(a), PythonValues.toLong(b));
                }
                if (a instanceof String x && b instanceof String y) {
                    return x + y;
                }
                if (a instanceof String) {
                    throw new JinjaError("can only concatenate str (not \"" + PythonValues.typeName(b) + "\") to str");
                }
                if (a instanceof List<?> x && b instanceof List<?> y) {
                    List<Object> out = new ArrayList<>(x);
                    out.addAll(y);
                    return out;
                }
                if (a instanceof List<?>) {
                    throw new JinjaError("can only concatenate list (not \"" + PythonValues.typeName(b) + "\") to list");
                }
                if (a instanceof Tuple x && b instanceof Tuple y) {
                    List<Object> out = new ArrayList<>(x.items());
                    out.addAll(y.items());
                    return new Tuple(out);
                }
            }
            case "-" -> {
                if (numbers) {
                    return floats ? (Object) (PythonValues.toDouble(a) - PythonValues.toDouble(b))
                            : (Object) Math.subtractExact(PythonValues.toLong(a), PythonValues.toLong(b));
                }
            }
            case "*" -> {
                if (numbers) {
                    return floats ? (Object) (PythonValues.toDouble(a) * PythonValues.toDouble(b))
                            : (Object) Math.multiplyExact(PythonValues.toLong(a), PythonValues.toLong(b));
                }
                Object seq = a instanceof Long || a instanceof Boolean ? b : a;
                Object times = seq == a ? b : a;
                if ((times instanceof Long || times instanceof Boolean)
                        && (seq instanceof String || seq instanceof List || seq instanceof Tuple)) {
                    return repeat(seq, PythonValues.toLong(times));
                }
            }
            case "/" -> {
                if (numbers) {
                    double y = PythonValues.toDouble(b);
                    if (y == 0) {
                        throw new JinjaError("division by zero");
                    }
                    return PythonValues.toDouble(a) / y;
                }
            }
            case "//" -> {
                if (numbers) {
                    if (PythonValues.toDouble(b) == 0) {
                        throw new JinjaError("integer division or modulo by zero");
                    }
                    return floats ? (Object) Math.floor(PythonValues.toDouble(a) / PythonValues.toDouble(b))
                            : (Object) Math.floorDiv(PythonValues.toLong(a), PythonValues.toLong(b));
                }
            }
            case "%" -> {
                if (numbers) {
                    if (PythonValues.toDouble(b) == 0) {
                        throw new JinjaError("integer division or modulo by zero");
                    }
                    if (!floats) {
                        return Math.floorMod(PythonValues.toLong(a), PythonValues.toLong(b));
                    }
                    double x = PythonValues.toDouble(a);
                    double y = PythonValues.toDouble(b);
                    double m = x % y;
                    return m != 0 && (m < 0) != (y < 0) ? m + y : m;
                }
                if (a instanceof String) {
                    throw new JinjaError("printf-style string formatting ('...' % args) is not supported; use ~ or the format of the template's own strings");
                }
            }
            case "**" -> {
                if (numbers) {
                    if (!floats && PythonValues.toLong(b) >= 0) {
                        long base = PythonValues.toLong(a);
                        long result = 1;
                        for (long i = PythonValues.toLong(b); i > 0; i--) {
                            result = Math.multiplyExact(result, base);
                        }
                        return result;
                    }
                    return Math.pow(PythonValues.toDouble(a), PythonValues.toDouble(b));
                }
            }
            default -> throw new JinjaError("unknown operator " + op);
        }
        throw new JinjaError("unsupported operand type(s) for " + op + ": '" + PythonValues.typeName(a) + "' and '"
                + PythonValues.typeName(b) + "'");
    }

    private static Object repeat(Object seq, long times) {
        if (seq instanceof String s) {
            return times <= 0 ? "" : s.repeat(Math.toIntExact(times));
        }
        List<?> items = seq instanceof Tuple t ? t.items() : (List<?>) seq;
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < times; i++) {
            out.addAll(items);
        }
        return seq instanceof Tuple ? new Tuple(out) : out;
    }

    /** One link of a comparison chain: {@code a op b}. */
    static boolean compare(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> PythonValues.eq(a, b);
            case "!=" -> !PythonValues.eq(a, b);
            case "<" -> PythonValues.compare(a, b, op) < 0;
            case "<=" -> PythonValues.compare(a, b, op) <= 0;
            case ">" -> PythonValues.compare(a, b, op) > 0;
            case ">=" -> PythonValues.compare(a, b, op) >= 0;
            case "in" -> contains(b, a);
            case "not in" -> !contains(b, a);
            default -> throw new JinjaError("unknown comparison " + op);
        };
    }

    private static boolean contains(Object container, Object item) {
        if (container == null || container instanceof Long || container instanceof Double || container instanceof Boolean) {
            throw new JinjaError("argument of type '" + PythonValues.typeName(container) + "' is not iterable");
        }
        return PythonValues.contains(container, item);
    }
}
