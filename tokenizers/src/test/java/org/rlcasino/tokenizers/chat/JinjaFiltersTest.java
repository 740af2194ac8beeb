package org.rlcasino.tokenizers.chat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Each supported filter as jinja2 3.1 (and transformers' tojson) defines it; every expected text is jinja2's. */
class JinjaFiltersTest {
    @Test
    void stringFilters() {
        assertThat(Render.text("[{{ '  a b \\n' | trim }}][{{ 'xxaxx' | trim('x') }}][{{ none | trim }}]")).isEqualTo("[a b][a][None]");
        assertThat(Render.text("{{ 'aBc' | upper }} {{ 'aBc' | lower }} {{ 'hELLO world' | capitalize }} {{ \"hello's WORLD-wide (x)y\" | title }}"))
                .isEqualTo("ABC abc Hello world Hello's World-Wide (X)y");
        assertThat(Render.text("{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ 123 | replace(2, 9) }}"))
                .isEqualTo("bbb bba 193");
        assertThat(Render.text("{{ 'a\\nb\\n\\nc' | indent }}|{{ 'a\\nb' | indent(2, true, true) }}|{{ 'a\\nb' | indent('> ') }}"))
                .isEqualTo("a\n    b\n\n    c|  a\n  b|a\n> b");
        assertThat(Render.text("{{ [1, 'a'] | string }} {{ 'Hello, world! 3 apples_x' | wordcount }} [{{ 'ab' | center(7) }}] {{ 'x<y' | safe }}"))
                .isEqualTo("[1, 'a'] 4 [   ab  ] x<y");
    }

    @Test
    void lengthDefaultAndJoin() {
        assertThat(Render.text("{{ [1, 2] | length }} {{ 'héllo' | length }} {{ {'a': 1} | count }} {{ missing | length }}")).isEqualTo("2 5 1 0");
        assertThat(Render.text("{{ missing | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ 0 | d('z', boolean=true) }}"))
                .isEqualTo("d None d z");
        assertThat(Render.text("{{ [1, 'a', none] | join }} {{ ['a', 'b'] | join(', ') }} {{ [{'n': 'x'}, {'n': 'y'}] | join('|', attribute='n') }}"))
                .isEqualTo("1aNone a, b x|y");
    }

    @Test
    void sequenceFilters() {
        assertThat(Render.text("{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ {'a': 1, 'b': 2} | last }} [{{ [] | first }}]"))
                .isEqualTo("1 3 b []");
        assertThat(Render.text("{{ 'ab' | list }} {{ {'a': 1} | list }} {{ {'a': 1, 'b': [2]} | items | list }}"))
                .isEqualTo("['a', 'b'] ['a'] [('a', 1), ('b', [2])]");
        assertThat(Render.text("{{ 'abc' | reverse }} {{ [1, 2, 3] | reverse | list }} {{ ['b', 'A', 'a', 'B'] | sort }} "
                + "{{ ['b', 'A', 'a', 'B'] | sort(case_sensitive=true) }} {{ [3, 1, 2] | sort(reverse=true) }}"))
                .isEqualTo("cba [3, 2, 1] ['A', 'a', 'b', 'B'] ['A', 'B', 'a', 'b'] [3, 2, 1]");
        assertThat(Render.text("{{ [{'n': 'b', 'k': 1}, {'n': 'a', 'k': 2}, {'n': 'b', 'k': 0}] | sort(attribute='n,k') | map(attribute='k') | list }}"))
                .isEqualTo("[2, 0, 1]");
        assertThat(Render.text("{{ {'b': 1, 'A': 2, 'c': 0} | dictsort }} {{ {'b': 1, 'A': 2, 'c': 0} | dictsort(by='value', reverse=true) }}"))
                .isEqualTo("[('A', 2), ('b', 1), ('c', 0)] [('A', 2), ('b', 1), ('c', 0)]");
        assertThat(Render.text("{{ ['a', 'A', 'b', 'a'] | unique | list }} {{ ['a', 'A'] | unique(case_sensitive=true) | list }}"))
                .isEqualTo("['a', 'b'] ['a', 'A']");
    }

    @Test
    void mapSelectAndReject() {
        List<Map<String, Object>> messages = List.of(Map.of("role", "user", "content", "a"),
                Map.of("role", "assistant", "content", "b", "tool_calls", List.of(Map.of("name", "f"))), Map.of("role", "user", "content", "c"));
        Map<String, Object> vars = Map.of("m", messages);
        assertThat(Render.text("{{ m | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }} "
                + "{{ m | rejectattr('role', '==', 'user') | list | length }} {{ m | selectattr('tool_calls', 'defined') | list | length }}", vars))
                .isEqualTo("['a', 'c'] 1 1");
        assertThat(Render.text("{{ range(6) | select('odd') | list }} {{ range(6) | reject('odd') | list }} {{ [0, 1, '', 'a'] | select | list }} "
                + "{{ [1, 2, 3] | select('>', 1) | list }} {{ ['a', 'b'] | map('upper') | list }} {{ [{'a': 1}, {}] | map(attribute='a', default=0) | list }}"))
                .isEqualTo("[1, 3, 5] [0, 2, 4] [1, 'a'] [2, 3] ['A', 'B'] [1, 0]");
    }

    @Test
    void generatorsAreTrueHaveNoLengthAndRunOnce() {
        assertThat(Render.text("{% if [] | select %}T{% endif %}{% set g = [1, 2] | map('string') %}{{ g | list }}{{ g | list }}"))
                .isEqualTo("T['1', '2'][]");
        assertThat(Render.error("{{ [1] | select | length }}").templateMessage()).isEqualTo("object of type 'generator' has no len()");
    }

    @Test
    void numberFilters() {
        assertThat(Render.text("{{ 'x' | int }} {{ '42.7' | int }} {{ ' 0x1A ' | int(base=16) }} {{ '1_000' | int }} {{ 3.9 | int }} {{ 'nan' | int(7) }}"))
                .isEqualTo("0 42 26 1000 3 7");
        assertThat(Render.text("{{ '1e3' | float }} {{ ' inf ' | float }} {{ 'x' | float }} {{ '1d' | float }} {{ none | float(1.5) }}"))
                .isEqualTo("1000.0 inf 0.0 0.0 1.5");
        assertThat(Render.text("{{ 2.5 | round }} {{ 3.5 | round }} {{ 2.675 | round(2) }} {{ 15 | round(-1) }} {{ 2.1 | round(method='ceil') }} {{ -3 | abs }}"))
                .isEqualTo("2.0 4.0 2.67 20 3.0 3");
        assertThat(Render.text("{{ [1, 2, 3] | sum }} {{ [{'a': 1}, {'a': 2}] | sum(attribute='a') }} {{ ['a', 'B'] | max }} {{ ['a', 'B'] | min }} [{{ [] | min }}]"))
                .isEqualTo("6 3 B a []");
    }

    @Test
    void tojsonIsJsonDumps() {
        assertThat(Render.text("{{ {'a': 1, 'b': [true, none], 'c': 'é\"<&>\\n'} | tojson }}")).isEqualTo("{\"a\": 1, \"b\": [true, null], \"c\": \"é\\\"<&>\\n\"}");
        assertThat(Render.text("{{ {'b': 1, 'a': [1]} | tojson(indent=2, sort_keys=true) }}")).isEqualTo("{\n  \"a\": [\n    1\n  ],\n  \"b\": 1\n}");
        assertThat(Render.error("{{ missing | tojson }}").templateMessage()).isEqualTo("Object of type Undefined is not JSON serializable");
    }

    @Test
    void argumentsBindAsInPython() {
        assertThat(Render.error("{{ 'a' | trim(chars='x', nope=1) }}").templateMessage()).isEqualTo("filter 'trim' got an unexpected keyword argument 'nope'");
        assertThat(Render.error("{{ 'a' | upper(1) }}").templateMessage()).isEqualTo("filter 'upper' takes at most 0 arguments (1 given)");
        assertThat(Render.error("{{ 'a' | replace('a') }}").templateMessage()).isEqualTo("filter 'replace' is missing the argument 'new'");
        assertThat(Render.error("{{ [1] | map('nope') | list }}").templateMessage()).isEqualTo("No filter named 'nope'.");
    }
}
