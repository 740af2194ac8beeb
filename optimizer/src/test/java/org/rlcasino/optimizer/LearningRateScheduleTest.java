package org.rlcasino.optimizer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningRateScheduleTest {

    @Test
    void constantIsOneAtEveryStep() {
        LearningRateSchedule s = LearningRateSchedule.constant();
        for (long t : new long[] {0, 1, 10, 1_000_000_000_000L}) {
            assertThat(s.factor(t)).isEqualTo(1.0);
        }
    }

    @Test
    void linearWarmupFollowsHuggingFacesConstantScheduleWithWarmup() {
        // get_constant_schedule_with_warmup: current_step / max(1, num_warmup_steps) while warming up, then 1
        LearningRateSchedule s = LearningRateSchedule.linearWarmup(10);
        assertThat(s.factor(0)).isZero();
        assertThat(s.factor(1)).isEqualTo(0.1);
        assertThat(s.factor(3)).isCloseTo(0.3, within(1e-15));
        assertThat(s.factor(5)).isEqualTo(0.5);
        assertThat(s.factor(9)).isCloseTo(0.9, within(1e-15));
        assertThat(s.factor(10)).isEqualTo(1.0);
        assertThat(s.factor(11)).isEqualTo(1.0);
        assertThat(s.factor(100_000)).isEqualTo(1.0);
    }

    @Test
    void zeroWarmupIsConstant() {
        LearningRateSchedule s = LearningRateSchedule.linearWarmup(0);
        assertThat(s.factor(0)).isEqualTo(1.0);
        assertThat(s.factor(7)).isEqualTo(1.0);
        LearningRateSchedule c = LearningRateSchedule.cosine(0, 100, 0.0);
        assertThat(c.factor(0)).isEqualTo(1.0);
    }

    @Test
    void cosineFollowsHuggingFacesCosineScheduleWithWarmup() {
        // get_cosine_schedule_with_warmup(num_warmup_steps=0, num_training_steps=100): 0.5·(1 + cos(π·t/100))
        LearningRateSchedule s = LearningRateSchedule.cosine(0, 100, 0.0);
        assertThat(s.factor(25)).isCloseTo(0.8535533905932737, within(1e-15));
        assertThat(s.factor(50)).isCloseTo(0.5, within(1e-15));
        assertThat(s.factor(75)).isCloseTo(0.14644660940672627, within(1e-15));
        assertThat(s.factor(100)).isCloseTo(0.0, within(1e-15));
    }

    @Test
    void cosineWithWarmupAndMinFactorAtKnownPoints() {
        LearningRateSchedule s = LearningRateSchedule.cosine(10, 110, 0.1);
        assertThat(s.factor(0)).isZero();
        assertThat(s.factor(5)).isEqualTo(0.5);
        assertThat(s.factor(10)).isEqualTo(1.0);
        assertThat(s.factor(35)).isCloseTo(0.1 + 0.9 * 0.8535533905932737, within(1e-15));
        assertThat(s.factor(60)).isCloseTo(0.55, within(1e-15));
        assertThat(s.factor(110)).isCloseTo(0.1, within(1e-15));
        assertThat(s.factor(111)).isCloseTo(0.1, within(1e-15));
        assertThat(s.factor(10_000)).isCloseTo(0.1, within(1e-15));
        double previous = s.factor(10);
        for (long t = 11; t <= 120; t++) {
            double f = s.factor(t);
            assertThat(f).as("non-increasing after warm-up at %d", t).isLessThanOrEqualTo(previous);
            previous = f;
        }
    }

    @Test
    void cosineWithoutDecayPhaseDropsToTheFloorAfterWarmup() {
        LearningRateSchedule s = LearningRateSchedule.cosine(4, 4, 0.2);
        assertThat(s.factor(2)).isEqualTo(0.5);
        assertThat(s.factor(4)).isEqualTo(1.0);
        assertThat(s.factor(5)).isCloseTo(0.2, within(1e-15));
    }

    @Test
    void rejectsInvalidArguments() {
        assertThatThrownBy(() -> LearningRateSchedule.linearWarmup(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warmupSteps");
        assertThatThrownBy(() -> LearningRateSchedule.cosine(-1, 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warmupSteps");
        assertThatThrownBy(() -> LearningRateSchedule.cosine(0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("totalSteps");
        assertThatThrownBy(() -> LearningRateSchedule.cosine(20, 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("totalSteps");
        for (double bad : new double[] {-0.1, 1.1, Double.NaN}) {
            assertThatThrownBy(() -> LearningRateSchedule.cosine(0, 10, bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minFactor");
        }
    }
}
