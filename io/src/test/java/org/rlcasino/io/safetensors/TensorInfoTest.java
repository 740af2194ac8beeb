package org.rlcasino.io.safetensors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorInfoTest {
    @Test
    void copiesTheShapeInAndOut() {
        long[] shape = {2, 3};
        TensorInfo t = new TensorInfo("w", Dtype.F16, shape, 10, 22);
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
        TensorInfo a = new TensorInfo("w", Dtype.F32, new long[] {2}, 0, 8);
        TensorInfo b = new TensorInfo("w", Dtype.F32, new long[] {2}, 0, 8);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new TensorInfo("w", Dtype.I32, new long[] {2}, 0, 8));
        assertThat(a).hasToString("TensorInfo[w, F32, [2], data_offsets [0, 8]]");
    }

    @Test
    void scalarsAndEmptyTensors() {
        assertThat(new TensorInfo("s", Dtype.I64, new long[0], 0, 8).numel()).isEqualTo(1);
        assertThat(new TensorInfo("e", Dtype.F32, new long[] {0, 1L << 62}, 4, 4).numel()).isZero();
    }

    @Test
    void offsetsAndSizesAreLongs() {
        // 16 GiB of F32 at an offset past 4 GiB: nothing here may pass through an int.
        long bytes = 65536L * 65536 * 4;
        TensorInfo t = new TensorInfo("big", Dtype.F32, new long[] {65536, 65536}, 5L << 30, (5L << 30) + bytes);
        assertThat(t.numel()).isEqualTo(1L << 32);
        assertThat(t.byteSize()).isEqualTo(1L << 34);
        assertThat(TensorInfo.byteCount(new long[] {1L << 31, 1L << 31}, Dtype.F64)).isEqualTo(-1);
        assertThat(TensorInfo.elementCount(new long[] {1L << 40, 1L << 30})).isEqualTo(-1);
        assertThat(TensorInfo.elementCount(new long[] {1L << 40, 1L << 30, 0})).isZero();
        assertThat(TensorInfo.elementCount(new long[] {0, -1})).isEqualTo(-1);
    }

    @Test
    void rejectsInconsistentValues() {
        assertThatThrownBy(() -> new TensorInfo("w", Dtype.F32, new long[] {2}, 0, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor 'w': shape [2] needs 8 bytes as F32 but data offsets [0, 4] give 4");
        assertThatThrownBy(() -> new TensorInfo("w", Dtype.F32, new long[] {-2}, 0, 0))
                .hasMessageContaining("negative dimension");
        assertThatThrownBy(() -> new TensorInfo("w", Dtype.U8, new long[] {1}, -1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
