package org.rlcasino.io.config;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScorerNameTest {
    @Test
    void parsesTheNamesOfEachVocabulary() {
        assertThat(ScorerName.parse("--method", "momentum", ScorerName.SCORERS)).isEqualTo(ScorerName.MOMENTUM);
        assertThat(ScorerName.parse("methods", "momentum-reference", ScorerName.PREDICTORS))
                .isEqualTo(ScorerName.MOMENTUM_REFERENCE);
        assertThat(ScorerName.MOMENTUM_REFERENCE.momentumFormula()).isEqualTo("reference");
        assertThat(ScorerName.MOMENTUM.momentumFormula()).isNull();
        assertThat(ScorerName.labels(ScorerName.PREDICTORS))
                .containsExactly("magnitude", "momentum-paper", "momentum-reference", "fisher");
    }

    @Test
    void anUnknownNameIsRefusedWithTheValidNames() {
        assertThatThrownBy(() -> ScorerName.parse("--method", "momentum-paper", ScorerName.SCORERS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--method: unknown scorer 'momentum-paper'; use magnitude, momentum or fisher");
        assertThatThrownBy(() -> ScorerName.parse("methods", "momentum", ScorerName.PREDICTORS))
                .hasMessage("methods: unknown scorer 'momentum'; use magnitude, momentum-paper, momentum-reference or fisher");
        assertThat(ScorerName.describe(List.of(ScorerName.FISHER))).isEqualTo("fisher");
    }
}
