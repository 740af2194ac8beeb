package org.rlcasino.io.safetensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Saving weights as save_pretrained does: one file or shards with an index, in F32/F16/BF16, read back whole. */
class CheckpointWriterTest {
    @TempDir
    Path dir;

    static List<CheckpointWriter.Tensor> tensors(float[] flat) {
        return List.of(new CheckpointWriter.Tensor("model.embed_tokens.weight", new long[] {10, 8}, flat, 0),
                new CheckpointWriter.Tensor("model.layers.0.mlp.up_proj.weight", new long[] {16, 8}, flat, 80),
                new CheckpointWriter.Tensor("model.norm.weight", new long[] {8}, flat, 208));
    }

    static float[] flat() {
        SplittableRandom r = new SplittableRandom(3);
        float[] f = new float[216];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return f;
    }

    @Test
    void smallWeightsGoToOneFileAndReadBackExactlyInF32() throws Exception {
        float[] flat = flat();
        List<Path> files = CheckpointWriter.write(dir, tensors(flat), Dtype.F32, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
        assertThat(files).containsExactly(dir.resolve("model.safetensors"));
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertThat(c.metadata()).containsEntry("format", "pt");
            assertThat(c.readFloats("model.layers.0.mlp.up_proj.weight")).containsExactly(java.util.Arrays.copyOfRange(flat, 80, 208));
        }
    }

    @Test
    void largerWeightsAreShardedWithAnIndexAndBf16RoundsToNearest() throws Exception {
        float[] flat = flat();
        // 160 + 256 + 16 bytes in BF16 with a 300-byte limit: [embed], [up_proj], [norm]? no: [embed], [up_proj + norm]
        List<Path> files = CheckpointWriter.write(dir, tensors(flat), Dtype.BF16, 300);
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json");
        String index = Files.readString(dir.resolve("model.safetensors.index.json"));
        assertThat(index).contains("\"total_size\" : 432", "\"model.norm.weight\" : \"model-00002-of-00002.safetensors\"");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            float[] back = c.readFloats("model.embed_tokens.weight");
            for (int i = 0; i < back.length; i++) {
                assertThat(back[i]).isCloseTo(flat[i], org.assertj.core.data.Offset.offset(Math.abs(flat[i]) / 128 + 1e-30f));
                assertThat(Float.floatToRawIntBits(back[i]) & 0xffff).isZero();
            }
        }
        // a later single-file save leaves no shard or index of this one
        CheckpointWriter.write(dir, tensors(flat), Dtype.F16, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList()).containsExactly("model.safetensors");
        }
    }

    @Test
    void badRequestsAreRefused() {
        float[] flat = flat();
        assertThatThrownBy(() -> CheckpointWriter.write(dir, tensors(flat), Dtype.I32, 100)).hasMessageContaining("F32, F16 or BF16");
        assertThatThrownBy(() -> CheckpointWriter.write(dir, tensors(flat), Dtype.F32, 0)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new CheckpointWriter.Tensor("x", new long[] {10, 10}, flat, 200)).hasMessageContaining("do not fit");
    }
}
