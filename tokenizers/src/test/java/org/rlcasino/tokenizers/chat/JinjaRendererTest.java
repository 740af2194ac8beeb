package org.rlcasino.tokenizers.chat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Statements, scoping, macros, undefined values and the sandbox as transformers' jinja2
 * environment renders them; every expected text and message is jinja2's.
 */
class JinjaRendererTest {
    @Test
    void loopVariables() {
        assertThat(Render.text("{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
                + "{{ loop.first }}{{ loop.last }}{{ loop.length }}[{{ loop.previtem }}|{{ loop.nextitem }}]{{ loop.cycle('o', 'e') }};"
                + "{% endfor %}"))
                .isEqualTo("1032TrueFalse3[|b]o;2121FalseFalse3[a|c]e;3210FalseTrue3[b|]o;");
    }

    @Test
    void loopsFilterBreakContinueElseAndUnpack() {
        assertThat(Render.text("{% for x in range(10) if x is odd %}{{ x }}{{ loop.index }}{{ loop.last }},{% endfor %}"))
                .isEqualTo("11False,32False,53False,74False,95True,");
        assertThat(Render.text("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}"
                + "{{ x }}{% endfor %}")).isEqualTo("0134");
        assertThat(Render.text("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}")).isEqualTo("empty");
        assertThat(Render.text("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}{% for (a, b) in ['xy'] %}{{ b }}{{ a }}"
                + "{% endfor %}")).isEqualTo("a=1;b=2;yx");
        assertThat(Render.text("{% for m in messages[::-1] %}{{ m.role }}{% endfor %}")).isEqualTo("user");
    }

    @Test
    void aSetInALoopBodyLastsOneIterationAndNamespacesCarryState() {
        assertThat(Render.text("{% set x = 'outer' %}{% for i in [1, 2] %}[{{ x }}]{% set x = i %}[{{ x }}]{% endfor %}{{ x }}"))
                .isEqualTo("[outer][1][outer][2]outer");
        assertThat(Render.text("{% if true %}{% set x = 1 %}{% endif %}{{ x }}")).isEqualTo("1");
        assertThat(Render.text("{% set ns = namespace(count=0, items=[]) %}{% for x in [1, 2, 3] %}{% set ns.count = ns.count + x %}"
                + "{% set ns.items = ns.items + [x] %}{% endfor %}{{ ns.count }} {{ ns.items }}")).isEqualTo("6 [1, 2, 3]");
        assertThat(Render.text("{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}{{ ns['a'] }}")).isEqualTo("121");
        assertThat(Render.error("{% set d = {} %}{% set d.x = 1 %}").templateMessage())
                .isEqualTo("cannot assign attribute on non-namespace object");
    }

    @Test
    void setWithAndFilterBlocks() {
        assertThat(Render.text("{% set a, b = 1, 2 %}{{ a }}{{ b }}")).isEqualTo("12");
        assertThat(Render.text("{% set x | trim | upper %}\n  hello\n{% endset %}[{{ x }}]")).isEqualTo("[HELLO]");
        assertThat(Render.text("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]")).isEqualTo("3[]");
        assertThat(Render.text("{% filter trim | replace('a', 'b') %}  aaa  {% endfilter %}")).isEqualTo("bbb");
        assertThat(Render.text("{% generation %}assistant text{% endgeneration %}!")).isEqualTo("assistant text!");
    }

    @Test
    void macros() {
        assertThat(Render.text("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}"
                + "{{ greet('A') }} {{ greet('B', '?') }} {{ greet(punct='.', name='C') }}")).isEqualTo("Hi A! Hi B? Hi C.");
        // defaults are evaluated at the call, after the parameters before them
        assertThat(Render.text("{% macro f(a, b=a ~ 'x') %}{{ a }}-{{ b }}{% endmacro %}{{ f(1) }}|{{ f() }}")).isEqualTo("1-1x|-x");
        // free names resolve in the defining scope when called
        assertThat(Render.text("{% set c = 1 %}{% macro f() %}{{ c }}{% endmacro %}{% set c = 5 %}{{ f() }}")).isEqualTo("5");
        assertThat(Render.text("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}")).isEqualTo("321");
        assertThat(Render.text("{% macro f(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ f(1, 2, x=4) }}")).isEqualTo("1(2,){'x': 4}");
        assertThat(Render.text("{% macro f(a, b) %}[{{ a }}][{{ b }}]{% endmacro %}{{ f(1) }}")).isEqualTo("[1][]");
        assertThat(Render.error("{% macro f(a) %}{% endmacro %}{{ f(1, 2) }}").templateMessage())
                .isEqualTo("macro 'f' takes not more than 1 argument(s)");
        assertThat(Render.error("{% macro f(a) %}{% endmacro %}{{ f(1, z=3) }}").templateMessage())
                .isEqualTo("macro 'f' takes no keyword argument 'z'");
        assertThat(Render.error("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").templateMessage()).contains("nested macro calls");
    }

    @Test
    void isInAndNotIn() {
        assertThat(Render.text("{{ 'b' in 'abc' }} {{ 'x' not in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 1.0 in [1] }}"))
                .isEqualTo("True True True True True");
        assertThat(Render.text("{{ 1 is not none }} {{ none is none }} {{ messages is defined }} {{ nope is defined }}"))
                .isEqualTo("True True True False");
    }

    @Test
    void undefinedValuesPrintEmptyAndFailWhenUsed() {
        assertThat(Render.text("[{{ missing }}][{{ messages[0].nope }}][{{ none.x }}][{{ [1][5] }}][{{ 5[1:] }}]")).isEqualTo("[][][][][]");
        assertThat(Render.text("{% if missing %}T{% else %}F{% endif %}{{ missing | default('d') }}{% for x in missing %}x{% endfor %}"))
                .isEqualTo("Fd");
        assertThat(Render.error("{{ missing.x }}").templateMessage()).isEqualTo("'missing' is undefined");
        assertThat(Render.error("{{ messages[0].nope.x }}").templateMessage()).isEqualTo("'dict object' has no attribute 'nope'");
        assertThat(Render.error("{{ [1][5].x }}").templateMessage()).isEqualTo("list object has no element 5");
        assertThat(Render.error("{{ missing + 1 }}").templateMessage()).isEqualTo("'missing' is undefined");
    }

    @Test
    void theSandboxHidesMutatingMethodsAndUnderscoreAttributes() {
        assertThat(Render.text("[{{ messages.append }}][{{ {}.update }}][{{ [].pop }}][{{ messages.__class__ }}][{{ ''.__len__ }}]"))
                .isEqualTo("[][][][][]");
        assertThat(Render.error("{{ messages.append(1) }}").templateMessage())
                .isEqualTo("access to attribute 'append' of 'list' object is unsafe.");
        assertThat(Render.error("{% set d = {} %}{{ d.update({'a': 1}) }}").templateMessage())
                .isEqualTo("access to attribute 'update' of 'dict' object is unsafe.");
        // a dict's own keys that start with '_' are items, not attributes
        assertThat(Render.text("{{ d._private }}", Map.of("d", Map.of("_private", "ok")))).isEqualTo("ok");
        assertThat(Render.error("{{ range(100001) | length }}").templateMessage()).contains("MAX_RANGE (100000)");
    }

    @Test
    void raiseExceptionIsTheTemplatesRefusal() {
        ChatTemplateException e = Render.error("\n{% if messages[0].role != 'system' %}{{ raise_exception('Only system first: ' ~ messages | length) }}"
                + "{% endif %}");
        assertThat(e.raisedByTemplate()).isTrue();
        assertThat(e.templateMessage()).isEqualTo("Only system first: 1");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo("the chat template refused the conversation: Only system first: 1 "
                + "(raise_exception on template line 2 of chat template)");
    }

    @Test
    void runtimeErrorsArePythons() {
        assertThat(Render.error("{{ 'a' + 1 }}").templateMessage()).isEqualTo("can only concatenate str (not \"int\") to str");
        assertThat(Render.error("{{ 1 < 'a' }}").templateMessage()).isEqualTo("'<' not supported between instances of 'int' and 'str'");
        assertThat(Render.error("{% for x in 5 %}{% endfor %}").templateMessage()).isEqualTo("'int' object is not iterable");
        assertThat(Render.error("\n\n{{ 1 / 0 }}").getMessage()).isEqualTo("chat template, template line 3: division by zero");
    }

    @Test
    void globals() {
        assertThat(Render.text("{{ range(3) | list }} {{ range(5, 0, -2) | list }} {{ dict(a=1) }} {{ dict([('e', 5)], f=6) }}"))
                .isEqualTo("[0, 1, 2] [5, 3, 1] {'a': 1} {'e': 5, 'f': 6}");
        assertThat(Render.text("{{ strftime_now('%d %b %Y') }}")).isEqualTo("26 Jul 2024");
        assertThat(Render.text("{{ tools is none }} {{ documents is none }} {{ add_generation_prompt }}")).isEqualTo("True True False");
    }

    @Test
    void callerValuesBecomePythonValues() {
        Map<String, Object> vars = Map.of("n", 3, "f", 2.5f, "items", List.of(1, "a"), "array", new String[] {"x", "y"});
        assertThat(Render.text("{{ n + 1 }} {{ f }} {{ items }} {{ array | join }} {{ n is integer }}", vars))
                .isEqualTo("4 2.5 [1, 'a'] xy True");
    }
}
