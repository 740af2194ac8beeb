package org.rlcasino.io.arrow;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Block shapes from text (run-configs, options): {@code RxC}, both sides in [1, 4096]. */
class MaskBlockShapeTest {
    @ParameterizedTest
    @CsvSource({"16x16, 16, 16, true", "1x64, 1, 64, false", " 64X1 , 64, 1, false", "4096x4096, 4096, 4096, true"})
    void parsesRowsByColumns(String text, int rows, int columns, boolean square) {
        MaskBlockShape s = MaskBlockShape.parse(text);
        assertThat(s).isEqualTo(new MaskBlockShape(rows, columns));
        assertThat(s.square()).isEqualTo(square);
        assertThat(MaskBlockShape.parse(s.toString())).isEqualTo(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"16", "16by16", "0x16", "16x0", "4097x1", "x16", "16x", "-1x4", "99999999999x1", ""})
    void refusesAnythingElseSayingWhatItExpects(String text) {
        assertThatThrownBy(() -> MaskBlockShape.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RxC with sides in [1, 4096]").hasMessageContaining("'" + text + "'");
    }
}
