package org.rlcasino.eval.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;

class QualityArmTest {

    @Test
    void theQuickstartsOwnContinuationsAreArmsOfItsQualitySectionGroupedWithTheGeneratedOnes() {
        RunConfig config = RunConfigLoader.load(Path.of("..", "run-configs", "quickstart.json"));
        var q = config.experiment().quality();
        List<QualityArm> own = QualityArm.ofPhases(config.phases(), q, config.seed());
        assertThat(own).extracting(QualityArm::name).containsExactly("bsr", "dense", "random");
        assertThat(own).extracting(QualityArm::group).containsExactly("bsr magnitude 97.5", "dense", "random 97.5");
        assertThat(own).extracting(QualityArm::seed).containsOnly(config.seed());
        List<String> generatedGroups = QualityArm.of(q).stream().map(QualityArm::group).distinct().toList();
        assertThat(generatedGroups).containsExactlyInAnyOrderElementsOf(own.stream().map(QualityArm::group).toList());
        assertThat(QualityArm.of(q)).extracting(QualityArm::seed).doesNotContain(config.seed());
    }

    @Test
    void phasesFromAnotherPhaseOrOfAnotherKindAreNotArms() {
        RunConfig config = RunConfigLoader.load(Path.of("..", "run-configs", "quickstart.json"));
        var q = config.experiment().quality();
        // sft starts from nothing and warm from sft: neither starts from quality.from ("warm")
        assertThat(QualityArm.ofPhases(config.phases().subList(0, 2), q, 0)).isEmpty();
    }
}
