package org.rlcasino.io.config;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExperimentSectionTest {
    private static RunConfig parse(String experiment) {
        return RunConfigLoader.parse("test.json", ("{\"name\": \"x\", \"experiment\": " + experiment + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void checkpointsAloneGetThePaperDefaults() {
        ExperimentSection e = parse("{\"checkpoints\": \"ckpts\"}").experiment();
        MaskQualitySection m = e.maskQuality();
        assertThat(m.firstSteps()).isEqualTo(100);
        assertThat(m.steps()).isEqualTo(":");
        assertThat(m.sparsities()).containsExactly(90.0, 95.0, 97.5, 99.0);
        assertThat(m.methods()).containsExactly("magnitude", "momentum-paper", "momentum-reference", "fisher");
        assertThat(m.window()).isEqualTo(5);
        assertThat(m.eps()).isEqualTo(1e-8);
        assertThat(m.truth()).isEqualTo("auto");
        assertThat(m.basis()).isEqualTo("start");
        assertThat(m.bases()).containsExactly(org.rlcasino.io.arrow.DeltaBasis.START);
        assertThat(m.seedBaseline()).isNull();
        assertThat(m.blocks()).isEmpty();
        assertThat(m.randomSeed()).isNull();
        assertThat(e.speed()).isNull();
        assertThat(e.quality()).isNull();
    }

    @Test
    void qualityDefaults() {
        QualitySection q = parse("{\"quality\": {\"from\": \"grpo\", \"steps\": 10}}").experiment().quality();
        assertThat(q.base()).isEqualTo("grpo");
        assertThat(q.kind()).isEqualTo("grpo");
        assertThat(q.sparsities()).containsExactly(97.5);
        assertThat(q.maskMethods()).containsExactly("magnitude");
        assertThat(q.maskBlocks()).containsExactly("element");
        assertThat(q.seeds()).containsExactly(0L, 1L, 2L);
        assertThat(q.dense()).isTrue();
        assertThat(q.random()).isTrue();
        assertThat(q.maskFirstSteps()).isEqualTo(100);
    }

    @Test
    void speedDefaults() {
        SpeedSection s = parse("{\"speed\": {}}").experiment().speed();
        assertThat(s.sparsities()).isEqualTo(List.of(90.0, 95.0, 97.5, 99.0));
        assertThat(s.warmup()).isEqualTo(3);
        assertThat(s.repeats()).isEqualTo(10);
        assertThat(s.params()).isEqualTo(4_194_304L);
        assertThat(s.maskShape()).isEqualTo("block16x16");
        assertThat(s.csv()).isNull();
        assertThat(s.batch()).isEqualTo(16);
    }

    @Test
    void badValuesNameTheirField() {
        assertThatThrownBy(() -> parse("{\"maskQuality\": {\"sparsities\": [0]}}")).isInstanceOf(RunConfigException.class)
                .hasMessageContaining("$.experiment.maskQuality").hasMessageContaining("sparsities");
        assertThatThrownBy(() -> parse("{\"maskQuality\": {\"sparsities\": [90, 90]}}")).hasMessageContaining("lists a sparsity twice");
        assertThatThrownBy(() -> parse("{\"maskQuality\": {\"window\": 1}}")).hasMessageContaining("window must be >= 2");
        assertThatThrownBy(() -> parse("{\"maskQuality\": {\"eps\": 0}}")).hasMessageContaining("eps must be finite and > 0");
        assertThatThrownBy(() -> parse("{\"maskQuality\": {\"tolerance\": -1}}")).hasMessageContaining("tolerance must be");
        assertThatThrownBy(() -> parse("{\"maskQuality\": {\"basis\": \"all\"}}"))
                .hasMessageContaining("$.experiment.maskQuality").hasMessageContaining("basis must be start, step or both, got 'all'");
        assertThatThrownBy(() -> parse("{\"maskQuality\": {\"seedBaseline\": -1}}")).hasMessageContaining("seedBaseline must be a seed >= 0");
        assertThatThrownBy(() -> parse("{\"maskQuality\": {\"blocks\": [\"element\"]}}"))
                .hasMessageContaining("blocks: 'element' is not a block shape RxC");
        assertThatThrownBy(() -> parse("{\"quality\": {\"from\": \"a\", \"steps\": 1, \"maskBlocks\": [\"16 x 16\"]}}"))
                .hasMessageContaining("maskBlocks: '16 x 16' is neither element nor a block shape RxC");
        assertThatThrownBy(() -> parse("{\"checkpoints\": \"\"}")).hasMessageContaining("$.experiment").hasMessageContaining("checkpoints");
        assertThatThrownBy(() -> parse("{\"checkpoints\": \"c\", \"deltasPhase\": \"grpo\"}")).hasMessageContaining("deltasPhase goes with training");
        assertThatThrownBy(() -> parse("{\"quality\": {\"from\": \"a\", \"steps\": 1, \"maskMethods\": [], \"dense\": false, \"random\": false}}"))
                .hasMessageContaining("quality has no arm");
        assertThat(parse("{\"quality\": {\"from\": \"a\", \"steps\": 1, \"maskBlocks\": [\"16x32\", \"1x64\", \"64x1\"]}}")
                .experiment().quality().maskBlocks()).as("rectangles and stripes").containsExactly("16x32", "1x64", "64x1");
        assertThatThrownBy(() -> parse("{\"quality\": {\"from\": \"a\", \"steps\": 1, \"maskBlocks\": [\"8x8\", \"8x8\"]}}"))
                .hasMessageContaining("maskBlocks lists a structure twice");
        assertThatThrownBy(() -> parse("{\"speed\": {\"params\": 10}}")).hasMessageContaining("params must be in");
        assertThatThrownBy(() -> parse("{\"speed\": {\"csv\": \" \"}}")).hasMessageContaining("csv must name a file");
        assertThatThrownBy(() -> parse("{\"speed\": {}, \"plots\": true}")).hasMessageContaining("unknown key 'plots' at $.experiment");
    }
}
