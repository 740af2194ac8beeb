package org.rlcasino.io.arrow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Block shapes from text (run-configs, options): {@code RxC}, both sides in [1, 4096]. */
class BlockShapeTest {
    @ParameterizedTest
    @CsvSource({"16x16, 16, 16, true", "1x64, 1, 64, false", " 64X1 , 64, 1, false", "4096x4096, 4096, 4096, true",
            "' 4X8 ', 4, 8, false", "32 x 1, 32, 1, false", "3x128, 3, 128, false"})
    void parsesRowsByColumns(String text, int rows, int columns, boolean square) {
        BlockShape s = BlockShape.parse(text);
        assertThat(s).isEqualTo(new BlockShape(rows, columns));
        assertThat(s.square()).isEqualTo(square);
        assertThat(BlockShape.parse(s.toString())).isEqualTo(s);
    }

    @Test
    void theDefaultIsSixteenBySixteen() {
        assertThat(BlockShape.parse("16x16")).isEqualTo(BlockShape.DEFAULT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"16", "16by16", "0x16", "16x0", "4097x1", "x16", "16x", "-1x4", "99999999999x1", "",
            "axb", "16x16x", "16xx16", "x", "1.5x2", "16 16", "0x0"})
    void refusesAnythingElseSayingWhatItExpects(String text) {
        assertThatThrownBy(() -> BlockShape.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RxC with sides in [1, 4096]").hasMessageContaining("'" + text + "'");
    }

    @Test
    void constructorRejectsNonPositiveSides() {
        assertThatThrownBy(() -> new BlockShape(0, 16)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x16");
        assertThatThrownBy(() -> new BlockShape(16, -2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16x-2");
    }
}
