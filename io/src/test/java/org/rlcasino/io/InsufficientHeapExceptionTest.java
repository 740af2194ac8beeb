package org.rlcasino.io;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InsufficientHeapExceptionTest {
    @Test
    void refusesAnEstimateAboveTheLimitAndSaysHowMuch() {
        assertThatCode(() -> InsufficientHeapException.require("x", 1_000, 1_000)).doesNotThrowAnyException();
        assertThatThrownBy(() -> InsufficientHeapException.require("momentum scoring of 1,000,000,000 parameters", 24_000_000_000L,
                4_000_000_000L))
                .isInstanceOfSatisfying(InsufficientHeapException.class, e -> {
                    assertThat(e.neededBytes()).isEqualTo(24_000_000_000L);
                    assertThat(e.maxBytes()).isEqualTo(4_000_000_000L);
                    assertThat(e.what()).startsWith("momentum scoring");
                })
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("momentum scoring of 1,000,000,000 parameters needs about 24.0 GB of Java heap, more than this JVM's "
                        + "limit of 4.0 GB: raise the limit (java -Xmx29g)");
    }

    @Test
    void suggestsAQuarterAndOneGibibyteMoreRoundedUp() {
        assertThat(InsufficientHeapException.suggestedXmx(0)).isEqualTo("1g");
        assertThat(InsufficientHeapException.suggestedXmx(4L << 30)).isEqualTo("6g");
        assertThat(InsufficientHeapException.gigabytes(512_000_000)).isEqualTo("512.0 MB");
    }
}
