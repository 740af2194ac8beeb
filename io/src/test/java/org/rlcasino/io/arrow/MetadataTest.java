package org.rlcasino.io.arrow;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataTest {
    @Test
    void keepsTheOrderGiven() {
        assertThat(Metadata.of("z", "1", "a", "2", "m", "3").keySet()).containsExactly("z", "a", "m");
        assertThat(MetadataJson.writeStringMap(Metadata.of("z", "1", "a", "2"))).isEqualTo("{\"z\":\"1\",\"a\":\"2\"}");
    }

    @Test
    void refusesOddArgumentsNullsAndRepeatedKeys() {
        assertThatThrownBy(() -> Metadata.of("a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Metadata.of("a", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Metadata.of("a", "1", "a", "2")).hasMessageContaining("'a' given twice");
        assertThatThrownBy(() -> Metadata.of("a", "1").put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
    }
}
