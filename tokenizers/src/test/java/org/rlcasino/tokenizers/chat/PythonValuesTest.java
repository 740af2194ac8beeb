package org.rlcasino.tokenizers.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlcasino.tokenizers.chat.PythonValues.Generator;
import org.rlcasino.tokenizers.chat.PythonValues.Tuple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CPython's str/repr, equality, ordering, slicing and iteration over the Java values templates see. */
class PythonValuesTest {
    @Test
    void floatReprIsCPythons() {
        assertThat(List.of(0.1, 1e16, 1e15, 123456789.0, 1e-4, 1e-5, 0.1 + 0.2, 1.0 / 3, 2.5e-7, -0.0, 100.0, 1e22))
                .extracting(PythonValues::floatRepr)
                .containsExactly("0.1", "1e+16", "1000000000000000.0", "123456789.0", "0.0001", "1e-05", "0.30000000000000004",
                        "0.3333333333333333", "2.5e-07", "-0.0", "100.0", "1e+22");
        assertThat(PythonValues.floatRepr(Double.NaN)).isEqualTo("nan");
        assertThat(PythonValues.floatRepr(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
    }

    @Test
    void reprOfStringsAndContainers() {
        assertThat(PythonValues.repr(List.of("it's", "say \"hi\"", "both ' \"", "tab\t", "\u0007", "é", "\u200b")))
                .isEqualTo("[\"it's\", 'say \"hi\"', 'both \\' \"', 'tab\\t', '\\x07', 'é', '\\u200b']");
        Map<Object, Object> d = new LinkedHashMap<>();
        d.put("a", Arrays.asList(1L, null, true));
        d.put(2L, new Tuple(List.of("x")));
        assertThat(PythonValues.repr(d)).isEqualTo("{'a': [1, None, True], 2: ('x',)}");
        assertThat(PythonValues.str(new PythonValues.Undefined("x"))).isEmpty();
    }

    @Test
    void equalityAndKeysFollowPython() {
        assertThat(PythonValues.eq(1L, 1.0)).isTrue();
        assertThat(PythonValues.eq(true, 1L)).isTrue();
        assertThat(PythonValues.eq(List.of(1L), new Tuple(List.of(1L)))).isFalse();
        Map<Object, Object> d = new LinkedHashMap<>(Map.of(1L, "a"));
        assertThat(PythonValues.findKey(d, true)).isEqualTo(1L);
        assertThat(PythonValues.compare(List.of(1L, 2L), List.of(1L, 3L), "<")).isNegative();
        assertThat(PythonValues.compare("B", "a", "<")).isNegative();
        assertThatThrownBy(() -> PythonValues.compare(1L, "a", "<")).hasMessage("'<' not supported between instances of 'int' and 'str'");
    }

    @Test
    void slicingCountsCodePointsAndClamps() {
        List<Object> items = List.of(0L, 1L, 2L, 3L, 4L);
        assertThat(PythonValues.slice(items, null, null, -1L)).isEqualTo(List.of(4L, 3L, 2L, 1L, 0L));
        assertThat(PythonValues.slice(items, 3L, 1L, -1L)).isEqualTo(List.of(3L, 2L));
        assertThat(PythonValues.slice(items, -10L, 2L, null)).isEqualTo(List.of(0L, 1L));
        assertThat(PythonValues.slice("héllo😀x", 1L, 3L, null)).isEqualTo("él");
        assertThat(PythonValues.slice("héllo😀x", null, null, -1L)).isEqualTo("x😀olléh");
        // not a sequence, or a bound that is not an int: Python's TypeError, which jinja2 turns into an Undefined
        assertThat(PythonValues.slice(5L, 1L, null, null)).isNull();
        assertThat(PythonValues.slice("abc", "a", null, null)).isNull();
        assertThatThrownBy(() -> PythonValues.slice(items, null, null, 0L)).hasMessage("slice step cannot be zero");
    }

    @Test
    void aGeneratorIsConsumedByIteration() {
        Generator g = new Generator("generator", new ArrayList<>(List.of(1L, 2L, 3L)));
        assertThat(PythonValues.truthy(g)).isTrue();
        assertThat(PythonValues.contains(g, 2L)).isTrue(); // consumes 1 and 2
        assertThat(PythonValues.iterate(g)).containsExactly(3L);
        assertThat(PythonValues.iterate(g)).isEmpty();
        assertThat(PythonValues.truthy(new Generator("generator", new ArrayList<>()))).isTrue();
        assertThatThrownBy(() -> PythonValues.len(g)).hasMessage("object of type 'generator' has no len()");
    }

    @Test
    void callerDataBecomesTemplateValues() {
        assertThat(PythonValues.fromJava(Map.of("n", 3, "s", (short) 2, "f", 0.5f))).isEqualTo(Map.of("n", 3L, "s", 2L, "f", 0.5));
        assertThat(PythonValues.fromJava(new Object[] {1, "a"})).isEqualTo(List.of(1L, "a"));
        assertThatThrownBy(() -> PythonValues.fromJava(new java.math.BigInteger("99999999999999999999"))).hasMessageContaining("64 bits");
        assertThatThrownBy(() -> PythonValues.fromJava(new Object())).hasMessageContaining("a chat template cannot use a value of type");
    }
}
