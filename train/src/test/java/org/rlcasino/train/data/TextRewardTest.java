package org.rlcasino.train.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextRewardTest {
    private final TextReward exact = TextReward.exactMatch();

    @Test
    void theFinalAnswerIsTheLastBoxedElseTheLastNumberElseTheText() {
        assertThat(TextReward.finalAnswer("so \\boxed{12} then \\boxed{\\frac{1}{2}}")).isEqualTo("\\frac{1}{2}");
        assertThat(TextReward.finalAnswer("\\boxed{7} and an unclosed \\boxed{8")).isEqualTo("7");
        assertThat(TextReward.finalAnswer("3 apples and 1,250 pears.")).isEqualTo("1,250");
        assertThat(TextReward.finalAnswer("  Paris ")).isEqualTo("Paris");
    }

    @Test
    void numbersCompareByValueAndTextByItsWords() {
        assertThat(exact.score("The answer is \\boxed{1,000}.", "1000.0")).isEqualTo(1);
        assertThat(exact.score("I get 42", "42")).isEqualTo(1);
        assertThat(exact.score("I get 42 then 43", "42")).isEqualTo(0);
        assertThat(exact.score("\\boxed{$5}", "5")).isEqualTo(1);
        assertThat(exact.score("\\boxed{-3.50}", "-3.5")).isEqualTo(1);
        assertThat(exact.score("\\boxed{x + 1}", "x  +  1")).isEqualTo(1);
        assertThat(exact.score("\\boxed{x + 2}", "x + 1")).isEqualTo(0);
        assertThat(exact.score("nothing", "\\boxed{4}")).isEqualTo(0);
        assertThatThrownBy(() -> exact.score("4", null)).hasMessageContaining("answer column");
    }

    @Test
    void aFormatRewardMatchesTheWholeCompletionAcrossLines() {
        TextReward think = TextReward.parse("format", "<think>.*</think>.*");
        assertThat(think.score("<think>a\nb</think>\n42", null)).isEqualTo(1);
        assertThat(think.score("42 <think>x</think>", null)).isEqualTo(0);
        assertThatThrownBy(() -> TextReward.parse("format", "(")).hasMessageContaining("not a valid regular expression");
        assertThatThrownBy(() -> TextReward.parse("format", null)).hasMessageContaining("needs a pattern");
        assertThatThrownBy(() -> TextReward.parse("bleu", null)).hasMessageContaining("'exact-match' or 'format'");
        assertThat(TextReward.parse(null, null).score("\\boxed{2}", "2")).isEqualTo(1);
    }
}
