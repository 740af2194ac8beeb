package org.rlcasino.scoring.compare;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MaskOverlapTest {
    @Test
    void measuresFollowFromTheCounts() {
        MaskOverlap o = new MaskOverlap(100, 20, 30, 10);
        assertThat(o.union()).isEqualTo(40);
        assertThat(o.jaccard()).isEqualTo(0.25);
        assertThat(o.overlapOfA()).isEqualTo(0.5);
        assertThat(o.overlapOfB()).isCloseTo(1.0 / 3, within(1e-15));
        assertThat(o.densityA()).isEqualTo(0.2);
        assertThat(o.densityB()).isEqualTo(0.3);
        assertThat(o.randomJaccard()).isCloseTo(0.06 / (0.2 + 0.3 - 0.06), within(1e-15));
    }

    @Test
    void randomBaselineOfEqualDensitiesIsAOver2MinusA() {
        for (double a : new double[] {0.001, 0.01, 0.1, 0.5, 0.9, 1.0}) {
            assertThat(MaskOverlap.randomJaccard(a, a)).isCloseTo(a / (2 - a), within(1e-15));
        }
        assertThat(MaskOverlap.randomJaccard(0, 0.3)).isZero();
    }

    @Test
    void emptyMasksAreIdenticalAndEmptyDenominatorsAreNaN() {
        MaskOverlap empty = new MaskOverlap(10, 0, 0, 0);
        assertThat(empty.jaccard()).isEqualTo(1.0);
        assertThat(empty.randomJaccard()).isEqualTo(1.0);
        assertThat(empty.overlapOfA()).isNaN();
        assertThat(empty.overlapOfB()).isNaN();
        assertThat(empty.densityA()).isZero();
        MaskOverlap nothing = MaskOverlap.EMPTY;
        assertThat(nothing.jaccard()).isEqualTo(1.0);
        assertThat(nothing.densityA()).isNaN();
        assertThat(nothing.randomJaccard()).isNaN();
    }

    @Test
    void plusAddsCounts() {
        MaskOverlap sum = new MaskOverlap(10, 2, 3, 1).plus(new MaskOverlap(5, 5, 0, 0));
        assertThat(sum).isEqualTo(new MaskOverlap(15, 7, 3, 1));
    }

    @Test
    void impossibleCountsAreRejected() {
        assertThatThrownBy(() -> new MaskOverlap(10, 11, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("countA");
        assertThatThrownBy(() -> new MaskOverlap(10, 2, 3, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intersection");
        assertThatThrownBy(() -> new MaskOverlap(10, 8, 8, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intersection");
        assertThatThrownBy(() -> new MaskOverlap(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
    }
}
