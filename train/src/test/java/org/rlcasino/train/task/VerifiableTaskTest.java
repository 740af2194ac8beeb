package org.rlcasino.train.task;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.train.rng.SplitMix64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifiableTaskTest {
    @TempDir
    Path dir;

    @Test
    void problemsAndAnswers() {
        VerifiableTask add = new VerifiableTask("addition", 2, 10, 0);
        assertThat(add.problem((37 - 10) * 90 + 45 - 10)).isEqualTo(new Problem("37+45=", "82"));
        assertThat(add.problem(add.size() - 1).answer()).isEqualTo("198");
        assertThat(add.problem(0).prompt()).isEqualTo("10+10=");
        assertThat(add.size()).isEqualTo(90 * 90);
        assertThat(new VerifiableTask("addition", 1, 10, 0).problem(99).prompt()).isEqualTo("9+9=");
        VerifiableTask rev = new VerifiableTask("reverse", 4, 10, 0);
        assertThat(rev.problem(120)).isEqualTo(new Problem("r0120=", "0210"));
        VerifiableTask sort = new VerifiableTask("sort", 4, 10, 0);
        assertThat(sort.problem(3141)).isEqualTo(new Problem("s3141=", "1134"));
        assertThat(add.maxPromptLength()).isEqualTo("99+99=".length());
        assertThat(add.maxCompletionTokens()).isEqualTo(4);
    }

    @Test
    void rewardIsExactMatchFollowedByTheEndToken() {
        VerifiableTask add = new VerifiableTask("addition", 2, 10, 0);
        Problem p = add.problem((37 - 10) * 90 + 45 - 10);
        CharTokenizer tok = add.tokenizer();
        assertThat(add.reward(p, new int[]{tok.encode("8")[0], tok.encode("2")[0], CharTokenizer.END})).isEqualTo(1);
        assertThat(add.reward(p, new int[]{tok.encode("8")[0], tok.encode("2")[0], tok.encode("2")[0]})).isZero();
        assertThat(add.reward(p, new int[]{tok.encode("8")[0], CharTokenizer.END})).isZero();
        assertThat(add.reward(p, new int[]{tok.encode("8")[0], tok.encode("2")[0]})).isZero();
    }

    @Test
    void splitsAreDisjointAndDependOnlyOnTheSeed() {
        VerifiableTask a = new VerifiableTask("addition", 2, 200, 5);
        VerifiableTask b = new VerifiableTask("addition", 2, 200, 5);
        assertThat(a.heldOut()).isEqualTo(b.heldOut());
        assertThat(new HashSet<>(a.heldOut())).hasSize(200);
        assertThat(new VerifiableTask("addition", 2, 200, 6).heldOut()).isNotEqualTo(a.heldOut());
        Set<Problem> held = new HashSet<>(a.heldOut());
        SplitMix64 rng = new SplitMix64(1);
        for (int i = 0; i < 5000; i++) {
            assertThat(held).doesNotContain(a.nextTraining(rng));
        }
    }

    @Test
    void partialRewardCountsTheTargetPositionsMatchedWhileCorrectnessStaysExact() {
        VerifiableTask add = new VerifiableTask("addition", 2, 10, 0, VerifiableTask.Reward.PARTIAL);
        CharTokenizer tok = add.tokenizer();
        Problem p = new Problem("37+45=", "82");
        int eight = tok.encode("8")[0];
        int two = tok.encode("2")[0];
        int[] right = {eight, two, CharTokenizer.END};
        assertThat(add.reward(p, right)).isEqualTo(1.0);
        assertThat(add.correct(p, right)).isTrue();
        // 3 target positions: '8', '2', end
        assertThat(add.reward(p, new int[]{eight, two, two})).isEqualTo(2.0 / 3);
        assertThat(add.reward(p, new int[]{eight, CharTokenizer.END})).isEqualTo(1.0 / 3);
        assertThat(add.reward(p, new int[]{two, two, CharTokenizer.END})).isEqualTo(2.0 / 3);
        assertThat(add.reward(p, new int[]{})).isZero();
        assertThat(add.correct(p, new int[]{eight, two, two})).isFalse();
        assertThat(add.correct(p, new int[]{eight, two})).isFalse();
        // the exact reward of the same completions
        VerifiableTask exact = new VerifiableTask("addition", 2, 10, 0);
        assertThat(exact.reward(p, new int[]{eight, two, two})).isZero();
        assertThat(exact.rewardKind()).isEqualTo(VerifiableTask.Reward.EXACT);
        assertThat(VerifiableTask.Reward.parse(" Partial ")).isEqualTo(VerifiableTask.Reward.PARTIAL);
        assertThatThrownBy(() -> VerifiableTask.Reward.parse("fuzzy")).hasMessageContaining("'exact' or 'partial'");
    }

    @Test
    void tooManyHeldOutPromptsIsRefused() {
        assertThatThrownBy(() -> new VerifiableTask("reverse", 1, 6, 0)).hasMessageContaining("held-out prompts must be in [1, 5]");
    }

    @Test
    void tokenizerRoundTripsThroughJson() throws Exception {
        CharTokenizer t = CharTokenizer.tasks();
        assertThat(t.decode(t.encode("37+45=82"))).isEqualTo("37+45=82");
        assertThat(t.decode(new int[]{t.encode("4")[0], CharTokenizer.END, t.encode("5")[0]})).isEqualTo("4");
        t.save(dir.resolve("tokenizer.json"));
        assertThat(CharTokenizer.load(dir.resolve("tokenizer.json"))).isEqualTo(t);
        assertThatThrownBy(() -> t.encode("3*4")).hasMessageContaining("'*'");
    }

    @Test
    void splitMixResumesFromItsState() {
        SplitMix64 a = new SplitMix64(42);
        a.nextLong();
        SplitMix64 b = new SplitMix64(a.state());
        for (int i = 0; i < 10; i++) {
            assertThat(b.nextDouble()).isEqualTo(a.nextDouble());
        }
    }
}
