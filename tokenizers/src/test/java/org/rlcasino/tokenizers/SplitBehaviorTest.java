package org.rlcasino.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The five behaviours on Hugging Face's own examples (pre_tokenizers.Split docs and tests). */
class SplitBehaviorTest {
    private static List<String> split(SplitBehavior b, String text, String regex, boolean invert) {
        List<String> out = new ArrayList<>();
        b.split(text, Pattern.compile(regex), invert, out);
        return out;
    }

    @Test
    void behavioursCutAsHuggingFace() {
        String s = "The-final--countdown";
        assertThat(split(SplitBehavior.REMOVED, s, "-", false)).containsExactly("The", "final", "countdown");
        assertThat(split(SplitBehavior.ISOLATED, s, "-", false)).containsExactly("The", "-", "final", "-", "-", "countdown");
        assertThat(split(SplitBehavior.MERGED_WITH_PREVIOUS, s, "-", false)).containsExactly("The-", "final-", "-", "countdown");
        assertThat(split(SplitBehavior.MERGED_WITH_NEXT, s, "-", false)).containsExactly("The", "-final", "-", "-countdown");
        assertThat(split(SplitBehavior.CONTIGUOUS, s, "-", false)).containsExactly("The", "-", "final", "--", "countdown");
        assertThat(split(SplitBehavior.MERGED_WITH_NEXT, "-a-", "-", false)).containsExactly("-a", "-");
        assertThat(split(SplitBehavior.REMOVED, s, "-", true)).containsExactly("-", "-", "-");
    }

    @Test
    void jsonNamesRoundTrip() {
        for (SplitBehavior b : SplitBehavior.values()) {
            assertThat(SplitBehavior.ofJsonName(b.jsonName())).isSameAs(b);
        }
        assertThat(SplitBehavior.MERGED_WITH_PREVIOUS.jsonName()).isEqualTo("MergedWithPrevious");
        assertThat(SplitBehavior.ofJsonName("merged_with_previous")).isNull();
    }
}
