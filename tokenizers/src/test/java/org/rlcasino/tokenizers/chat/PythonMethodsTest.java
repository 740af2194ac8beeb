package org.rlcasino.tokenizers.chat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The str, list and dict methods templates call, as CPython 3 defines them; every expected text is jinja2's. */
class PythonMethodsTest {
    @Test
    void strip() {
        assertThat(Render.text("[{{ '  a  '.strip() }}][{{ '\\n\\na\\n'.lstrip('\\n') }}][{{ 'xxaxx'.rstrip('x') }}][{{ 'abcba'.strip('ab') }}]"
                + "[{{ '\\u3000a\\u00a0'.strip() }}]")).isEqualTo("[a][a\n][xxa][c][a]");
    }

    @Test
    void split() {
        assertThat(Render.text("{{ 'a,b,,c'.split(',') }} {{ ' a  b \\t c '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} "
                + "{{ ''.split(',') }} {{ ''.split() }} {{ 'a<think>b</think>c'.split('</think>')[-1] }}"))
                .isEqualTo("['a', 'b', '', 'c'] ['a', 'b', 'c'] ['a', 'b c'] ['a,b', 'c'] [''] [] c");
        assertThat(Render.text("{{ 'a\\nb\\r\\nc'.splitlines() }} {{ 'a=b=c'.partition('=') }} {{ 'a=b=c'.rpartition('=') }}"))
                .isEqualTo("['a', 'b', 'c'] ('a', '=', 'b=c') ('a=b', '=', 'c')");
    }

    @Test
    void startswithEndswithAndPredicates() {
        assertThat(Render.text("{{ 'abc'.startswith('a') }} {{ 'abc'.startswith(('x', 'ab')) }} {{ 'abc'.endswith('bc') }} {{ 'ABC'.isupper() }} "
                + "{{ '123'.isdigit() }} {{ 'ab1'.isalnum() }} {{ ' \\n'.isspace() }} {{ 'Ab Cd'.istitle() }}"))
                .isEqualTo("True True True True True True True True");
    }

    @Test
    void replaceAndOtherTransforms() {
        assertThat(Render.text("{{ 'hello world'.replace('o', '0', 1) }} {{ 'hello world'.title() }} {{ 'hELLo'.capitalize() }} {{ 'aBc'.swapcase() }} "
                + "{{ 'abc'.removeprefix('a') }} {{ '-'.join(['a', 'b']) }} {{ '7'.zfill(3) }} {{ 'a'.center(4, '*') }}"))
                .isEqualTo("hell0 world Hello World Hello AbC bc a-b 007 *a**");
        assertThat(Render.text("{{ 'héllo'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ 'banana'.count('an') }} {{ '😀ab'.find('a') }}"))
                .isEqualTo("2 3 -1 2 1");
    }

    @Test
    void listAndDictMethods() {
        assertThat(Render.text("{{ [1, 2, 1].count(1) }} {{ ['a', 'b'].index('b') }} {{ {'a': 1}.keys() | list }} {{ {'a': 1}.items() | list }} "
                + "{{ {'k': 'v'}.get('k') }} {{ {'k': 'v'}.get('x', 'd') }} {{ {'k': 'v'}.get('x') }}"))
                .isEqualTo("2 1 ['a'] [('a', 1)] v d None");
        // a method wins over a key of the same name, as Python's getattr does
        assertThat(Render.text("{{ d.items() | list }} {{ d['items'] }}", java.util.Map.of("d", java.util.Map.of("items", 1)))).isEqualTo("[('items', 1)] 1");
    }

    @Test
    void pythonMethodsOutsideTheSubsetAreRefusedByName() {
        assertThat(Render.error("{{ '{}'.format(1) }}").templateMessage()).startsWith("unsupported method str.format(); RL Casino's Jinja subset has");
        assertThat(Render.error("{{ {}.fromkeys([1]) }}").templateMessage()).startsWith("unsupported method dict.fromkeys()");
    }
}
