package org.rlcasino.io.arrow;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorTableTest {
    @Test
    void jsonRoundTripKeepsOrderShapesAndDtypes() {
        TensorTable table = TensorTable.of(TensorInfo.f32("b", 3, 4), new TensorInfo("a", new long[] {}, "BF16"),
                new TensorInfo("c", new long[] {0}, "F16"));
        String json = table.toJson();
        assertThat(json).isEqualTo("[{\"name\":\"b\",\"shape\":[3,4],\"dtype\":\"F32\"},{\"name\":\"a\",\"shape\":[],\"dtype\":\"BF16\"},"
                + "{\"name\":\"c\",\"shape\":[0],\"dtype\":\"F16\"}]");
        assertThat(TensorTable.fromJson(json)).isEqualTo(table);
        assertThat(table.names()).containsExactly("b", "a", "c");
        assertThat(table.indexOf("a")).isEqualTo(1);
        assertThat(table.get(1).size()).isEqualTo(1);
        assertThat(table.totalElements()).isEqualTo(13);
    }

    @Test
    void matrixViewFoldsTrailingDimensionsIntoColumns() {
        assertThat(TensorInfo.f32("w", 4, 5, 6).matrixRows()).isEqualTo(4);
        assertThat(TensorInfo.f32("w", 4, 5, 6).matrixColumns()).isEqualTo(30);
        assertThat(TensorInfo.f32("b", 7).matrixRows()).isEqualTo(1);
        assertThat(TensorInfo.f32("b", 7).matrixColumns()).isEqualTo(7);
    }

    @Test
    void badTablesAreRejectedWithTheReason() {
        assertThatThrownBy(() -> TensorTable.of(TensorInfo.f32("a", 1), TensorInfo.f32("a", 2)))
                .hasMessage("tensor table names a twice (positions 0 and 1); names must be unique");
        assertThatThrownBy(() -> TensorTable.of(TensorInfo.f32("a", 1)).require("b"))
                .hasMessage("unknown tensor b: the tensor table has a");
        assertThatThrownBy(() -> TensorTable.fromJson("{\"a\": 1}"))
                .hasMessageStartingWith("rlcasino.tensors must be a JSON array of {name, shape, dtype}");
        assertThatThrownBy(() -> TensorTable.fromJson("[{\"name\": \"a\", \"shape\": [1.5]}]"))
                .hasMessageStartingWith("rlcasino.tensors entry 0 must be {\"name\": string, \"shape\": [integers], \"dtype\": string}");
        assertThatThrownBy(() -> TensorTable.fromJson("[{\"name\": \"a\", \"shape\": [1.5], \"dtype\": \"F32\"}]"))
                .hasMessage("rlcasino.tensors entry 0 (a): dimension 0 must be an integer, got 1.5");
        assertThatThrownBy(() -> TensorTable.fromJson("[oops")).hasMessageStartingWith("rlcasino.tensors is not valid JSON");
        assertThatThrownBy(() -> TensorInfo.f32("big", 1L << 40, 1L << 40)).hasMessageContaining("has more than 2^63 elements");
        assertThatThrownBy(() -> new TensorInfo("", new long[] {1}, "F32")).hasMessageContaining("tensor name must be a non-empty string");
        assertThatThrownBy(() -> TensorTable.of((List<TensorInfo>) null)).hasMessage("tensor list must not be null");
    }
}
