package org.rlcasino.io.safetensors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DtypeTest {
    @Test
    void parsesTheSafetensorsNames() {
        for (Dtype d : Dtype.values()) {
            assertThat(Dtype.parse(d.safetensorsName())).isSameAs(d);
        }
        assertThat(Dtype.BF16.byteSize()).isEqualTo(2);
        assertThat(Dtype.F64.byteSize()).isEqualTo(8);
        assertThat(Dtype.BOOL.byteSize()).isEqualTo(1);
        assertThat(Dtype.F16.isFloatingPoint()).isTrue();
        assertThat(Dtype.U8.isFloatingPoint()).isFalse();
    }

    @Test
    void refusesUnknownNamesListingTheSupportedOnes() {
        assertThatThrownBy(() -> Dtype.parse("bf16")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported dtype 'bf16' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        assertThatThrownBy(() -> Dtype.parse(null)).hasMessageStartingWith("unsupported dtype 'null'");
    }
}
