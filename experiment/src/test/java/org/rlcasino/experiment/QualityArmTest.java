package org.rlcasino.experiment;

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

    @Test
    void blockStructuresGiveOneArmPerMethodSparsityAndStructureWithTheirOwnMaskFile() {
        RunConfig config = RunConfigLoader.load(Path.of("..", "run-configs", "block-vs-element.json"));
        var q = config.experiment().quality();
        assertThat(q.maskBlocks()).containsExactly("element", "8x8", "16x16", "32x32", "1x64");
        List<QualityArm> seed1 = QualityArm.of(q).stream().filter(a -> a.seed() == 1).toList();
        assertThat(seed1).extracting(QualityArm::name).containsExactly("q-dense-s1", "q-bsr-magnitude-97.5-s1",
                "q-bsr-magnitude-8x8-97.5-s1", "q-bsr-magnitude-16x16-97.5-s1", "q-bsr-magnitude-32x32-97.5-s1",
                "q-bsr-magnitude-1x64-97.5-s1", "q-random-97.5-s1");
        assertThat(seed1).extracting(QualityArm::group).containsExactly("dense", "bsr magnitude 97.5",
                "bsr magnitude 8x8 97.5", "bsr magnitude 16x16 97.5", "bsr magnitude 32x32 97.5", "bsr magnitude 1x64 97.5",
                "random 97.5");
        assertThat(seed1).extracting(QualityArm::mask).containsExactly(null, "masks/magnitude-97.5.arrow",
                "masks/magnitude-8x8-97.5.arrow", "masks/magnitude-16x16-97.5.arrow", "masks/magnitude-32x32-97.5.arrow",
                "masks/magnitude-1x64-97.5.arrow", null);
        // the generated phase's backward computes gradients in the mask's own blocks
        assertThat(QualityArmPhases.phase(seed1.get(3), q, config.phases().get(1), Path.of("runs/x")).mask().block())
                .isEqualTo("16x16");
        assertThat(QualityArmPhases.phase(seed1.get(1), q, config.phases().get(1), Path.of("runs/x")).mask().block())
                .isEqualTo("16x16");
        assertThat(QualityArmPhases.phase(seed1.get(5), q, config.phases().get(1), Path.of("runs/x")).mask().block())
                .as("a row-stripe mask's backward runs in its stripes").isEqualTo("1x64");
    }
}
