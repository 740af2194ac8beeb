package org.rlcasino.io.safetensors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsEntryTest {
    @Test
    void copiesTheShapeInAndOut() {
        long[] shape = {2, 3};
        SafetensorsEntry t = new SafetensorsEntry("w", Dtype.F16, shape, 10, 22);
        shape[0] = 99;
        assertThat(t.shape()).containsExactly(2, 3);
        t.shape()[1] = 99;
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.rank()).isEqualTo(2);
        assertThat(t.dim(1)).isEqualTo(3);
        assertThat(t.numel()).isEqualTo(6);
        assertThat(t.byteSize()).isEqualTo(12);
    }

    @Test
    void comparesAndPrintsShapeContents() {
        SafetensorsEntry a = new SafetensorsEntry("w", Dtype.F32, new long[] {2}, 0, 8);
        SafetensorsEntry b = new SafetensorsEntry("w", Dtype.F32, new long[] {2}, 0, 8);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new SafetensorsEntry("w", Dtype.I32, new long[] {2}, 0, 8));
        assertThat(a).hasToString("SafetensorsEntry[w, F32, [2], data_offsets [0, 8]]");
    }

    @Test
    void scalarsAndEmptyTensors() {
        assertThat(new SafetensorsEntry("s", Dtype.I64, new long[0], 0, 8).numel()).isEqualTo(1);
        assertThat(new SafetensorsEntry("e", Dtype.F32, new long[] {0, 1L << 62}, 4, 4).numel()).isZero();
    }

    @Test
    void offsetsAndSizesAreLongs() {
        // 16 GiB of F32 at an offset past 4 GiB: nothing here may pass through an int.
        long bytes = 65536L * 65536 * 4;
        SafetensorsEntry t = new SafetensorsEntry("big", Dtype.F32, new long[] {65536, 65536}, 5L << 30, (5L << 30) + bytes);
        assertThat(t.numel()).isEqualTo(1L << 32);
        assertThat(t.byteSize()).isEqualTo(1L << 34);
        assertThat(SafetensorsEntry.byteCount(new long[] {1L << 31, 1L << 31}, Dtype.F64)).isEqualTo(-1);
        assertThat(SafetensorsEntry.elementCount(new long[] {1L << 40, 1L << 30})).isEqualTo(-1);
        assertThat(SafetensorsEntry.elementCount(new long[] {1L << 40, 1L << 30, 0})).isZero();
        assertThat(SafetensorsEntry.elementCount(new long[] {0, -1})).isEqualTo(-1);
    }

    @Test
    void rejectsInconsistentValues() {
        assertThatThrownBy(() -> new SafetensorsEntry("w", Dtype.F32, new long[] {2}, 0, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor 'w': shape [2] needs 8 bytes as F32 but data offsets [0, 4] give 4");
        assertThatThrownBy(() -> new SafetensorsEntry("w", Dtype.F32, new long[] {-2}, 0, 0))
                .hasMessageContaining("negative dimension");
        assertThatThrownBy(() -> new SafetensorsEntry("w", Dtype.U8, new long[] {1}, -1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
