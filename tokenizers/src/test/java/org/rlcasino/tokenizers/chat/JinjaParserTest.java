package org.rlcasino.tokenizers.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jinja2's grammar and precedence, and templates refused when they are loaded: syntax errors on
 * their line, constructs outside the subset by name (docs/tokenizers.md lists them).
 */
class JinjaParserTest {
    @Test
    void precedenceIsJinja2s() {
        assertThat(Render.text("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ -2 ** 2 }} {{ 2 * 3 ~ 4 }} {{ 2 ** 3 ** 2 }}")).isEqualTo("7 9 4 64 64");
        assertThat(Render.text("{{ not 1 == 2 }} {{ not true and false }} {{ not 1 in [1] }} {{ 1 is odd and 2 is even }}"))
                .isEqualTo("True False False True");
        // filters bind tighter than arithmetic; ~ tighter than +
        assertThat(Render.text("{{ messages | length - 1 }} {{ 'ab' ~ 'cd' | upper }} {{ -1 | abs }}")).isEqualTo("0 abCD 1");
        assertThat(Render.error("{{ 1 + 1 ~ 1 + 1 }}").templateMessage()).isEqualTo("unsupported operand type(s) for +: 'int' and 'str'");
        assertThat(Render.text("{{ 'a' if true else 'b' ~ 'c' }}|{{ ('a' if false else 'b') ~ 'c' }}")).isEqualTo("a|bc");
    }

    @Test
    void literalsAndSubscripts() {
        assertThat(Render.text("{{ [1, 'a', none, true] }} {{ (1,) }} {{ () }} {{ {'a': 1, 2: 'b'} }} {{ [1, 2,] }} {{ 1, 2 }}"))
                .isEqualTo("[1, 'a', None, True] (1,) () {'a': 1, 2: 'b'} [1, 2] (1, 2)");
        assertThat(Render.text("{{ messages[0].role }} {{ messages.0['content'] }} {{ 'abcde'[1:4:2] }} {{ 'abc'[::-1] }}"))
                .isEqualTo("user hi bd cba");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
            "{% call f() %}x{% endcall %} => unsupported Jinja tag 'call'",
            "{% block body %}x{% endblock %} => unsupported Jinja tag 'block'",
            "{% extends 'base.jinja' %} => unsupported Jinja tag 'extends'",
            "{% include 'other.jinja' %} => unsupported Jinja tag 'include'",
            "{% import 'macros.jinja' as m %} => unsupported Jinja tag 'import'",
            "{% from 'macros.jinja' import f %} => unsupported Jinja tag 'from'",
            "{% autoescape true %}x{% endautoescape %} => unsupported Jinja tag 'autoescape'",
            "{% do messages.append(1) %} => unknown Jinja tag 'do'",
            "{% for x in [1] recursive %}{% endfor %} => recursive for loops",
            "{{ [1, 2] | batch(1) | list }} => unsupported Jinja filter 'batch'",
            "{{ '%s' | format(1) }} => unsupported Jinja filter 'format'",
            "{% if true %}{{ 'x' | escape }}{% endif %} => unsupported Jinja filter 'escape'",
            "{{ 'x' is escaped }} => unsupported Jinja test 'escaped'",
            "{{ f(*args) }} => *args and **kwargs"})
    void constructsOutsideTheSubsetAreRefusedByName(String template, String message) {
        ChatTemplateException e = Render.error(template);
        assertThat(e.getMessage()).contains(message).contains("line 1");
        assertThat(e.raisedByTemplate()).isFalse();
    }

    @Test
    void theRefusalListsWhatIsSupported() {
        assertThat(Render.error("{% call f() %}{% endcall %}").getMessage()).contains("macro").contains("for/else");
        assertThat(Render.error("{{ 1 | batch(2) }}").getMessage()).contains("tojson").contains("selectattr");
    }

    @Test
    void syntaxErrorsNameTheirLine() {
        assertThat(Render.error("a\n{% if true %}\nb").line()).isEqualTo(3);
        assertThat(Render.error("a\n{% if true %}\nb").getMessage()).contains("endif");
        assertThat(Render.error("{% for x in [1] %}\n{% endif %}").getMessage()).contains("line 2").contains("'{% endif %}'");
        assertThat(Render.error("{% for x in %}{% endfor %}").getMessage()).contains("expected an expression");
        assertThat(Render.error("\n\n{{ (1 }}").line()).isEqualTo(3);
        assertThat(Render.error("{% frobnicate %}").getMessage()).contains("unknown Jinja tag 'frobnicate'");
        assertThat(Render.error("{% break %}").getMessage()).contains("'break' outside of a for loop");
        assertThat(Render.error("{% set none = 1 %}").getMessage()).contains("cannot assign to 'none'");
        assertThat(Render.error("{% macro f(a=1, b) %}{% endmacro %}").getMessage()).contains("non-default argument follows default argument");
    }

    @Test
    void unknownFiltersAndTestsFailWhenLoadedUnlessInAnIf() {
        ChatTemplateException e = Render.error("line 1\n{{ 1 | from_json }}");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).contains("No filter named 'from_json'");
        assertThat(Render.error("{{ 1 is nope }}").getMessage()).contains("No test named 'nope'");
        // as jinja2 3.1: in an if statement or a conditional expression, only when evaluated
        assertThat(Render.text("{% if false %}{{ x | from_json }}{% endif %}{{ 1 | nope if false else 2 }}")).isEqualTo("2");
        assertThat(Render.error("{% if true %}{{ 1 | nope }}{% endif %}").templateMessage()).isEqualTo("No filter named 'nope' found.");
        // a loop inside the if is a frame of its own
        assertThat(Render.error("{% if true %}{% for x in [] %}{{ x | nope }}{% endfor %}{% endif %}").getMessage())
                .contains("No filter named 'nope'");
    }
}
