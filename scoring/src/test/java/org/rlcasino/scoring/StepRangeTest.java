package org.rlcasino.scoring;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlcasino.io.arrow.DeltaStep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StepRangeTest {
    private static final List<DeltaStep> FILE = List.of(new DeltaStep(100, null, 0), new DeltaStep(200, null, 0),
            new DeltaStep(300, null, 0), new DeltaStep(400, null, 0));

    @Test
    void parsesInclusiveRangesAndOpenEnds() {
        assertThat(StepRange.parse("10:40")).isEqualTo(new StepRange(10, 40));
        assertThat(StepRange.parse(":100")).isEqualTo(new StepRange(null, 100));
        assertThat(StepRange.parse("50:")).isEqualTo(new StepRange(50, null));
        assertThat(StepRange.parse("7")).isEqualTo(new StepRange(7, 7));
        assertThat(StepRange.parse(":")).isEqualTo(StepRange.ALL);
        assertThat(StepRange.parse("10:40").toString()).isEqualTo("10:40");
    }

    @Test
    void rejectsMalformedAndEmptyRanges() {
        assertThatThrownBy(() -> StepRange.parse("a:b")).hasMessageContaining("A:B");
        assertThatThrownBy(() -> StepRange.parse("40:10")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> StepRange.parse("-1:3")).hasMessageContaining(">= 0");
    }

    @Test
    void selectsTheFileStepsInRangeBothEndsIncluded() {
        assertThat(StepRange.parse("200:300").select(FILE)).containsExactly(200, 300);
        assertThat(StepRange.parse(":200").select(FILE)).containsExactly(100, 200);
        assertThat(StepRange.parse("150:").select(FILE)).containsExactly(200, 300, 400);
        assertThat(StepRange.ALL.select(FILE)).containsExactly(100, 200, 300, 400);
    }

    @Test
    void boundsOutsideTheFileOrAnEmptySelectionAreErrors() {
        assertThatThrownBy(() -> StepRange.parse("50:200").select(FILE)).hasMessageContaining("step 50 is not in the file")
                .hasMessageContaining("steps 100..400");
        assertThatThrownBy(() -> StepRange.parse(":500").select(FILE)).hasMessageContaining("step 500 is not in the file");
        assertThatThrownBy(() -> StepRange.parse("210:290").select(FILE)).hasMessageContaining("selects none");
    }
}
