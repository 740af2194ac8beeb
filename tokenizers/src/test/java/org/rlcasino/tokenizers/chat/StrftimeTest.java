package org.rlcasino.tokenizers.chat;

import java.time.LocalDateTime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Python's strftime in the C locale for the directives chat templates use (expected texts are CPython's). */
class StrftimeTest {
    @Test
    void supportedDirectives() {
        LocalDateTime friday = LocalDateTime.of(2024, 7, 26, 9, 5, 3);
        assertThat(Strftime.format(friday, "%d %b %Y, %A %H:%M:%S (%j) %B %y %m %I %p %a %%"))
                .isEqualTo("26 Jul 2024, Friday 09:05:03 (208) July 24 07 09 AM Fri %");
        LocalDateTime evening = LocalDateTime.of(2001, 1, 2, 23, 0, 0);
        assertThat(Strftime.format(evening, "%I %p %j %y %b %a")).isEqualTo("11 PM 002 01 Jan Tue");
        assertThat(Strftime.format(LocalDateTime.of(2024, 9, 1, 0, 30), "%I:%M %p %B %A")).isEqualTo("12:30 AM September Sunday");
    }

    @Test
    void otherDirectivesAreRefusedByName() {
        LocalDateTime t = LocalDateTime.of(2024, 7, 26, 9, 5, 3);
        assertThatThrownBy(() -> Strftime.format(t, "%Z")).hasMessageContaining("%Z is not supported; supported: %a %A");
        assertThatThrownBy(() -> Strftime.format(t, "%-d")).hasMessageContaining("%- is not supported");
        assertThatThrownBy(() -> Strftime.format(t, "100%")).hasMessageContaining("lone '%'");
    }

    @Test
    void strftimeNowReadsTheTemplatesClock() {
        assertThat(Render.text("{{ strftime_now('%B %d, %Y') }}")).isEqualTo("July 26, 2024");
    }
}
