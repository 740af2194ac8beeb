package org.rlcasino.tokenizers.chat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlcasino.tokenizers.chat.PythonValues.Tuple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Python's arithmetic and comparison operators on template values. */
class PythonOperatorsTest {
    @Test
    void divisionFloorsAndModuloTakesTheDivisorsSign() {
        assertThat(Render.text("{{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }}"))
                .isEqualTo("3.5 3 -4 1 2 3.0 0.5 1024 0.5");
    }

    @Test
    void sequencesJoinAndRepeat() {
        assertThat(PythonOperators.binary("+", List.of(1L), List.of(2L))).isEqualTo(List.of(1L, 2L));
        assertThat(PythonOperators.binary("+", new Tuple(List.of(1L)), new Tuple(List.of(2L)))).isEqualTo(new Tuple(List.of(1L, 2L)));
        assertThat(PythonOperators.binary("*", "ab", 3L)).isEqualTo("ababab");
        assertThat(PythonOperators.binary("*", 2L, List.of(0L))).isEqualTo(List.of(0L, 0L));
        assertThat(PythonOperators.binary("*", List.of(1L), -1L)).isEqualTo(List.of());
    }

    @Test
    void comparisonsChain() {
        assertThat(Render.text("{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 1 == 1.0 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ (1, 2) == (1, 2) }} {{ [1] == (1,) }}"))
                .isEqualTo("True False True True True True False");
    }

    @Test
    void errorsArePythons() {
        assertThatThrownBy(() -> PythonOperators.binary("+", "a", 1L)).hasMessage("can only concatenate str (not \"int\") to str");
        assertThatThrownBy(() -> PythonOperators.binary("-", "a", 1L)).hasMessage("unsupported operand type(s) for -: 'str' and 'int'");
        assertThatThrownBy(() -> PythonOperators.binary("/", 1L, 0L)).hasMessage("division by zero");
        assertThatThrownBy(() -> PythonOperators.compare("in", 1L, 5L)).hasMessage("argument of type 'int' is not iterable");
        assertThatThrownBy(() -> PythonOperators.binary("%", "%s", 1L)).hasMessageContaining("printf-style");
        // 64-bit integers: overflow is an error rather than a silent wrap
        assertThat(Render.error("{{ 2 ** 70 }}").templateMessage()).contains("64-bit");
    }
}
