package org.rlcasino.optimizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdamWConfigTest {
    private static final AdamWConfig D = AdamWConfig.defaults();

    @Test
    void defaultsArePyTorchs() {
        assertThat(D.lr()).isEqualTo(1e-3);
        assertThat(D.beta1()).isEqualTo(0.9);
        assertThat(D.beta2()).isEqualTo(0.999);
        assertThat(D.eps()).isEqualTo(1e-8);
        assertThat(D.weightDecay()).isEqualTo(1e-2);
        assertThat(D.epsInsideSqrt()).isFalse();
        assertThat(D.maxGradNorm()).isZero();
        assertThat(D.clipping()).isFalse();
        assertThat(D.nonFinite()).isEqualTo(NonFinitePolicy.FAIL);
        assertThat(D.schedule()).isEqualTo(LearningRateSchedule.constant());
    }

    @Test
    void withersChangeOneField() {
        AdamWConfig c = D.withLr(0.5).withBetas(0.8, 0.95).withEps(1e-6).withWeightDecay(0.1).withEpsInsideSqrt(true)
                .withMaxGradNorm(1.0).withNonFinite(NonFinitePolicy.SKIP_STEP)
                .withSchedule(LearningRateSchedule.linearWarmup(10));
        assertThat(c).isEqualTo(new AdamWConfig(0.5, 0.8, 0.95, 1e-6, 0.1, true, 1.0, NonFinitePolicy.SKIP_STEP,
                LearningRateSchedule.linearWarmup(10)));
        assertThat(c.clipping()).isTrue();
    }

    @Test
    void boundaryValuesAreAccepted() {
        assertThat(D.withLr(0).lr()).isZero();
        assertThat(D.withBetas(0, 0).beta1()).isZero();
        assertThat(D.withBetas(0.999999, 0.999999).beta2()).isEqualTo(0.999999);
        assertThat(D.withWeightDecay(0).weightDecay()).isZero();
        assertThat(D.withEps(Double.MIN_VALUE).eps()).isEqualTo(Double.MIN_VALUE);
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1e-3, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void rejectsBadLr(double value) {
        assertThatThrownBy(() -> D.withLr(value))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("lr ");
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.1, 1.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsBetasOutsideZeroToOne(double value) {
        assertThatThrownBy(() -> D.withBetas(value, 0.999))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("beta1 ").hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> D.withBetas(0.9, value))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("beta2 ").hasMessageContaining("[0, 1)");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -1e-8, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsBadEps(double value) {
        assertThatThrownBy(() -> D.withEps(value))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("eps ").hasMessageContaining("> 0");
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.01, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsBadWeightDecay(double value) {
        assertThatThrownBy(() -> D.withWeightDecay(value))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("weightDecay ");
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1.0, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsBadMaxGradNorm(double value) {
        assertThatThrownBy(() -> D.withMaxGradNorm(value))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxGradNorm ");
    }

    @Test
    void rejectsNullPolicyAndSchedule() {
        assertThatThrownBy(() -> D.withNonFinite(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nonFinite");
        assertThatThrownBy(() -> D.withSchedule(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schedule");
    }
}
