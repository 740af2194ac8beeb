package org.rlcasino.optimizer;

import org.junit.jupiter.api.Test;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.optimizer.BsrAdamWOptions.Indexing;
import org.rlcasino.optimizer.BsrAdamWOptions.UnmaskedTensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BsrAdamWOptionsTest {

    @Test
    void defaultsFreezeUnmaskedTensorsAndPickIndexingAutomatically() {
        BsrAdamWOptions d = BsrAdamWOptions.DEFAULTS;
        assertThat(d.unmaskedTensors()).isEqualTo(UnmaskedTensors.FROZEN);
        assertThat(d.indexing()).isEqualTo(Indexing.AUTO);
        assertThat(d.blockShape()).isEqualTo(new BlockShape(16, 16));
        assertThat(d.jvmFastPath()).isTrue();
    }

    @Test
    void withersChangeOneField() {
        BsrAdamWOptions d = BsrAdamWOptions.DEFAULTS;
        assertThat(d.withUnmaskedTensors(UnmaskedTensors.DENSE))
                .isEqualTo(new BsrAdamWOptions(UnmaskedTensors.DENSE, Indexing.AUTO, BlockShape.DEFAULT, true));
        assertThat(d.withIndexing(Indexing.ELEMENT))
                .isEqualTo(new BsrAdamWOptions(UnmaskedTensors.FROZEN, Indexing.ELEMENT, BlockShape.DEFAULT, true));
        assertThat(d.withBlockShape(new BlockShape(1, 64)))
                .isEqualTo(new BsrAdamWOptions(UnmaskedTensors.FROZEN, Indexing.AUTO, new BlockShape(1, 64), true));
        assertThat(d.withJvmFastPath(false))
                .isEqualTo(new BsrAdamWOptions(UnmaskedTensors.FROZEN, Indexing.AUTO, BlockShape.DEFAULT, false));
    }

    @Test
    void rejectsNullFields() {
        assertThatThrownBy(() -> new BsrAdamWOptions(null, Indexing.AUTO, BlockShape.DEFAULT, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unmaskedTensors");
        assertThatThrownBy(() -> BsrAdamWOptions.DEFAULTS.withIndexing(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("indexing");
        assertThatThrownBy(() -> BsrAdamWOptions.DEFAULTS.withBlockShape(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockShape");
    }
}
