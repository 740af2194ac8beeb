package org.rlcasino.io.arrow;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchingTest {
    @Test
    void defaultsAndBounds() {
        assertThat(Batching.DEFAULTS).isEqualTo(new Batching(65536, 1 << 20));
        assertThat(Batching.ofBatch(4096)).isEqualTo(new Batching(4096, 4096));
        assertThat(Batching.DEFAULTS.maxRowsPerBatch()).isEqualTo(16384);
        assertThat(Batching.ofBatch(4096).maxRowsPerBatch()).isEqualTo(256);
        assertThat(new Batching(1, 8).maxRowsPerBatch()).isEqualTo(8);
        // two batches of 4 MiB with rounding and row columns, plus 1 MiB
        assertThat(Batching.DEFAULTS.allocationLimit()).isEqualTo(8L * (1 << 20) * 4 + 128L * 16384 + (1 << 20));
    }

    @Test
    void invalidBatchingIsRejected() {
        assertThatThrownBy(() -> new Batching(10, 5)).hasMessage("chunkElements must be in [1, batchElements=5], got 10");
        assertThatThrownBy(() -> new Batching(1, 0)).hasMessage("batchElements must be in [1, 268435456], got 0");
    }
}
