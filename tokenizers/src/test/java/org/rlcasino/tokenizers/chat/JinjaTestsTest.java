package org.rlcasino.tokenizers.chat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** jinja2's tests ({@code x is ...}), with its definitions; every expected text is jinja2's. */
class JinjaTestsTest {
    @Test
    void typeTests() {
        assertThat(Render.text("{{ none is none }} {{ 1 is number }} {{ 1.5 is float }} {{ 1 is integer }} {{ true is integer }} {{ true is boolean }} "
                + "{{ 'a' is string }} {{ {} is mapping }} {{ [] is sequence }} {{ {} is sequence }} {{ 1 is iterable }} {{ missing is iterable }} "
                + "{{ range is callable }} {{ 'a'.upper is callable }}"))
                .isEqualTo("True True True True False True True True True True False True True True");
    }

    @Test
    void definedAndValueTests() {
        assertThat(Render.text("{{ missing is defined }} {{ missing is undefined }} {{ messages[0].nope is defined }} {{ none is defined }}"))
                .isEqualTo("False True False True");
        assertThat(Render.text("{{ true is true }} {{ 1 is true }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} "
                + "{{ 2 is in [1, 2] }} {{ 1 is eq 1 }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 2 is ge 2 }} {{ none is sameas none }}"))
                .isEqualTo("True False True True True False True True True True True True");
    }

    @Test
    void caseTestsArePythonsIsLowerAndIsUpper() {
        assertThat(Render.text("{{ 'abc' is lower }} {{ '123' is lower }} {{ 'AB1' is upper }} {{ 'Ab' is upper }}")).isEqualTo("True False True False");
    }

    @Test
    void filterAndTestNamesAreTestable() {
        assertThat(Render.text("{{ 'upper' is filter }} {{ 'batch' is filter }} {{ 'odd' is test }} {{ 'nope' is test }}")).isEqualTo("True True True False");
    }

    @Test
    void negationAndPrecedence() {
        assertThat(Render.text("{{ 1 is not none }} {{ not 1 is none }} {{ none is not defined }} {{ 1 is number or x }}")).isEqualTo("True True False True");
        assertThat(Render.error("{{ 1 is number is number }}").getMessage()).contains("cannot chain");
    }
}
