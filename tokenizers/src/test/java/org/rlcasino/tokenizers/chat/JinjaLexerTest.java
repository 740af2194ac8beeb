package org.rlcasino.tokenizers.chat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whitespace control and literals as jinja2 3.1 lexes them with transformers' settings
 * (trim_blocks, lstrip_blocks, keep_trailing_newline=False); every expected text is jinja2's.
 */
class JinjaLexerTest {
    @Test
    void trimBlocksDropsOneNewlineAfterABlockTag() {
        assertThat(Render.text("{% if true %}\nyes\n{% endif %}\nafter")).isEqualTo("yes\nafter");
        assertThat(Render.text("{% set x = 1 %}\n\n{{ x }}")).isEqualTo("\n1");
        assertThat(Render.text("a {# comment #}\nb")).isEqualTo("a b");
    }

    @Test
    void lstripBlocksDropsTheIndentOfABlockTagOnItsOwnLine() {
        assertThat(Render.text("a\n    {% if true %}\n    b\n    {% endif %}\nc")).isEqualTo("a\n    b\nc");
        assertThat(Render.text("   {% if true %}x{% endif %}")).isEqualTo("x");
        assertThat(Render.text("a\n\t \t{% if true %}b{% endif %}")).isEqualTo("a\nb");
        // not before a variable, nor after other text on the line
        assertThat(Render.text("a\n    {{ 'x' }}")).isEqualTo("a\n    x");
        assertThat(Render.text("a   {% if true %}b{% endif %}")).isEqualTo("a   b");
    }

    @Test
    void minusStripsAllWhitespaceAndPlusKeepsIt() {
        assertThat(Render.text("a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}  \n  c")).isEqualTo("abc");
        assertThat(Render.text("a \n {{- 'x' -}} \n b")).isEqualTo("axb");
        assertThat(Render.text("a\n    {%+ if true %}b{% endif +%}\nc")).isEqualTo("a\n    b\nc");
        assertThat(Render.text("a\n  {# note #}\nb {#- c -#} d\n{#+ e +#}\nf")).isEqualTo("a\nbd\n\nf");
    }

    @Test
    void oneTrailingNewlineIsDroppedAndLineEndingsBecomeNewlines() {
        assertThat(Render.text("line\n")).isEqualTo("line");
        assertThat(Render.text("line\n\n")).isEqualTo("line\n");
        assertThat(Render.text("a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\rd")).isEqualTo("a\nb\nc\nd");
    }

    @Test
    void rawBlocksAreText() {
        assertThat(Render.text("{% raw %}{{ not a var }}{% if %}{% endraw %}!")).isEqualTo("{{ not a var }}{% if %}!");
        assertThat(Render.text("x\n  {%- raw -%}  {{ y }}  {%- endraw -%}  \nz")).isEqualTo("x{{ y }}z");
    }

    @Test
    void literalsDecodeAsPython() {
        assertThat(Render.text("{{ 'a\\tb\\\\c\\'d\\x41\\u00e9\\U0001F600\\101' }}|{{ \"q\\\"q\" }}|{{ 'unknown\\q' }}"))
                .isEqualTo("a\tb\\c'dAé😀A|q\"q|unknown\\q");
        assertThat(Render.text("{{ 'a' \"b\" 'c' }}")).isEqualTo("abc");
        assertThat(Render.text("{{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1.5e3 }} {{ 2E-3 }}")).isEqualTo("1000 31 15 5 1500.0 0.002");
        assertThat(Render.text("{{ '}}' }}{% if '%}' %}ok{% endif %}")).isEqualTo("}}ok");
    }

    @Test
    void anUnclosedTagOrCommentNamesItsLine() {
        assertThat(Render.error("a\n{{ x\n").line()).isEqualTo(2);
        assertThat(Render.error("a\nb\n{# never closed").getMessage()).contains("line 3").contains("'#}'");
        assertThat(Render.error("{% raw %}x").getMessage()).contains("endraw");
    }
}
