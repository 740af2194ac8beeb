package org.rlcasino.optimizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockShapeTest {

    @Test
    void parsesRowsByColumns() {
        assertThat(BlockShape.parse("16x16")).isEqualTo(new BlockShape(16, 16)).isEqualTo(BlockShape.DEFAULT);
        assertThat(BlockShape.parse("1x64")).isEqualTo(new BlockShape(1, 64));
        assertThat(BlockShape.parse(" 4X8 ")).isEqualTo(new BlockShape(4, 8));
        assertThat(BlockShape.parse("32 x 1")).isEqualTo(new BlockShape(32, 1));
    }

    @Test
    void toStringRoundTrips() {
        BlockShape shape = new BlockShape(3, 128);
        assertThat(shape.toString()).isEqualTo("3x128");
        assertThat(BlockShape.parse(shape.toString())).isEqualTo(shape);
    }

    @ParameterizedTest
    @ValueSource(strings = {"16", "axb", "16x", "x16", "16x16x", "16xx16", "", "x", "1.5x2", "16 16"})
    void rejectsMalformedText(String text) {
        assertThatThrownBy(() -> BlockShape.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16x16").hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x4", "4x0", "-1x4", "0x0"})
    void rejectsEmptyBlocks(String text) {
        assertThatThrownBy(() -> BlockShape.parse(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1x1");
    }

    @Test
    void constructorRejectsNonPositiveSides() {
        assertThatThrownBy(() -> new BlockShape(0, 16)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x16");
        assertThatThrownBy(() -> new BlockShape(16, -2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16x-2");
    }
}
