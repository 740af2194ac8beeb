package org.rlcasino.tokenizers.chat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlcasino.tokenizers.chat.PythonValues.Tuple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code json.dumps} with transformers' tojson options, to the character (expected texts are CPython's). */
class PythonJsonTest {
    private static String dumps(Object v) {
        return PythonJson.dumps(v, false, null, null, false);
    }

    @Test
    void valuesAndEscapes() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("s", "é\"<&>\\\n\t\u0001\u007f😀");
        m.put("n", Arrays.asList(null, true, 1L, 1.5, 1e20, Double.NaN, Double.POSITIVE_INFINITY));
        m.put("t", new Tuple(List.of(1L, 2L)));
        m.put("e", Map.of());
        assertThat(dumps(m)).isEqualTo("{\"s\": \"é\\\"<&>\\\\\\n\\t\\u0001\u007f😀\", \"n\": [null, true, 1, 1.5, 1e+20, NaN, Infinity], "
                + "\"t\": [1, 2], \"e\": {}}");
        assertThat(PythonJson.dumps("é😀\u007f", true, null, null, false)).isEqualTo("\"\\u00e9\\ud83d\\ude00\\u007f\"");
    }

    @Test
    void keysBecomeStrings() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put(1L, "a");
        m.put(2.5, "b");
        m.put(false, "c");
        m.put(null, "d");
        assertThat(dumps(m)).isEqualTo("{\"1\": \"a\", \"2.5\": \"b\", \"false\": \"c\", \"null\": \"d\"}");
        assertThatThrownBy(() -> dumps(Map.of(new Tuple(List.of()), 1L))).hasMessage("keys must be str, int, float, bool or None, not tuple");
    }

    @Test
    void indentSeparatorsAndSortKeys() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("b", 1L);
        m.put("a", Map.of("y", List.of(1L, Map.of()), "x", List.of()));
        assertThat(PythonJson.dumps(List.of(1L), false, 2L, null, false)).isEqualTo("[\n  1\n]");
        assertThat(PythonJson.dumps(Map.of("a", List.of(1L)), false, 0L, null, false)).isEqualTo("{\n\"a\": [\n1\n]\n}");
        assertThat(PythonJson.dumps(List.of(1L), false, "--", null, false)).isEqualTo("[\n--1\n]");
        assertThat(PythonJson.dumps(List.of(1L, 2L), false, null, new Tuple(List.of(",", ":")), false)).isEqualTo("[1,2]");
        assertThat(PythonJson.dumps(m, false, null, null, true)).startsWith("{\"a\": {\"x\": [], \"y\": [1, {}]}, \"b\": 1}");
    }

    @Test
    void otherValuesAreNotSerializable() {
        assertThatThrownBy(() -> dumps(new PythonValues.Undefined("x"))).hasMessage("Object of type Undefined is not JSON serializable");
        assertThatThrownBy(() -> dumps(new PythonValues.Generator("generator", List.of()))).hasMessage("Object of type generator is not JSON serializable");
    }
}
