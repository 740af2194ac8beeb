package org.rlcasino.io.safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsCheckpointTest {
    private static final String INDEX = """
            {"metadata": {"total_size": 40},
             "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
                            "a.bias": "model-00001-of-00002.safetensors",
                            "b.weight": "model-00002-of-00002.safetensors"}}
            """;

    @TempDir
    Path dir;
    private Path shard1;
    private Path shard2;

    @BeforeEach
    void writeTwoShards() throws IOException {
        shard1 = dir.resolve("model-00001-of-00002.safetensors");
        shard2 = dir.resolve("model-00002-of-00002.safetensors");
        SafetensorsWriter.builder().metadata("format", "pt").metadata("step", "1")
                .add("a.weight", Dtype.BF16, new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .add("a.bias", Dtype.F32, new long[] {3}, new float[] {7, 8, 9})
                .build().write(shard1);
        SafetensorsWriter.builder().metadata("format", "pt").metadata("step", "2").metadata("extra", "x")
                .add("b.weight", Dtype.F16, new long[] {4}, new float[] {10, 11, 12, 13})
                .build().write(shard2);
    }

    private static Path write(Path path, String text) throws IOException {
        Files.writeString(path, text);
        return path;
    }

    private static void assertTheTwoShards(SafetensorsCheckpoint ckpt, Path first, Path second) {
        assertThat(ckpt.files()).containsExactly(first, second);
        assertThat(ckpt.tensors()).extracting(SafetensorsEntry::name).containsExactly("a.weight", "a.bias", "b.weight");
        assertThat(ckpt.contains("b.weight")).isTrue();
        assertThat(ckpt.contains("c")).isFalse();
        assertThat(ckpt.tensor("b.weight").dtype()).isEqualTo(Dtype.F16);
        assertThat(ckpt.fileOf("a.bias")).isEqualTo(first);
        assertThat(ckpt.fileOf("b.weight")).isEqualTo(second);
        assertThat(ckpt.readFloats("a.weight")).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(ckpt.readFloats("b.weight")).containsExactly(10, 11, 12, 13);
        float[] part = new float[2];
        ckpt.readFloats("b.weight", 2, part, 0, 2);
        assertThat(part).containsExactly(12, 13);
        assertThat(ckpt.slice("a.bias").byteSize()).isEqualTo(12);
        // Shards disagree on "step": the first shard's value is kept.
        assertThat(ckpt.metadata()).containsExactly(Map.entry("format", "pt"), Map.entry("step", "1"),
                Map.entry("extra", "x"));
    }

    @Test
    void opensThroughTheIndex() throws IOException {
        Path index = write(dir.resolve("model.safetensors.index.json"), INDEX);
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(index)) {
            assertTheTwoShards(ckpt, shard1, shard2);
        }
    }

    @Test
    void aDirectoryWithAnIndexOpensThroughIt() throws IOException {
        write(dir.resolve("model.safetensors.index.json"), INDEX);
        // A stray shard the index does not name is not part of the checkpoint.
        SafetensorsWriter.builder().add("stray", Dtype.F32, new long[] {1}, new float[1]).build()
                .write(dir.resolve("optimizer.safetensors"));
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
            assertTheTwoShards(ckpt, shard1, shard2);
        }
    }

    @Test
    void aDirectoryWithoutAnIndexIsAllItsSafetensorsFiles() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve(".model.safetensors.123.tmp"), "half-written");
        Files.writeString(dir.resolve(".hidden.safetensors"), "not a checkpoint file");
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
            assertTheTwoShards(ckpt, shard1, shard2);
            assertThat(ckpt.toString()).isEqualTo("SafetensorsCheckpoint[" + dir + ", 2 files, 3 tensors]");
        }
    }

    @Test
    void aListOfFilesOrOneFile() throws IOException {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(List.of(shard1, shard2))) {
            assertTheTwoShards(ckpt, shard1, shard2);
        }
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(List.of(shard2, shard1))) {
            assertThat(ckpt.tensors()).extracting(SafetensorsEntry::name).containsExactly("b.weight", "a.weight", "a.bias");
            assertThat(ckpt.metadata()).containsEntry("step", "2");
        }
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(shard2)) {
            assertThat(ckpt.files()).containsExactly(shard2);
            assertThat(ckpt.readFloats("b.weight")).containsExactly(10, 11, 12, 13);
        }
    }

    @Test
    void aTensorInTwoShardsIsAnErrorNamingBothFiles() throws IOException {
        Path other = dir.resolve("other.safetensors");
        SafetensorsWriter.builder().add("a.bias", Dtype.F32, new long[] {1}, new float[1]).build().write(other);
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(List.of(shard1, other)))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(other + ": tensor 'a.bias': also in " + shard1 + "; a tensor must be in exactly one shard of a checkpoint");
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir))
                .isInstanceOf(SafetensorsFormatException.class).hasMessageContaining("also in");
    }

    @Test
    void aMissingTensorNamesTheNearestOnes() throws IOException {
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(List.of(shard1, shard2))) {
            assertThatThrownBy(() -> ckpt.readFloats("a.weights")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no tensor 'a.weights' among 3; nearest: 'a.weight', ");
        }
    }

    @Test
    void badIndexesFailNamingTheIndexTensorAndFact() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        Object[][] cases = {
                {"{\"weight_map\": {", null, "index is not valid JSON"},
                {"[1]", null, "index is an array ([1]), expected a JSON object with \"weight_map\""},
                {"", null, "index is empty"},
                {"{\"metadata\": {}}", null, "index has no \"weight_map\""},
                {"{\"weight_map\": [1]}", null, "a \"weight_map\" that is an array"},
                {"{\"weight_map\": {}}", null, "\"weight_map\" is empty"},
                {"{\"weight_map\": {\"a.bias\": 3}}", "a.bias", "\"weight_map\" gives a number (3), expected a shard file name"},
                {"{\"weight_map\": {\"a.bias\": \"model-00003.safetensors\"}}", "a.bias",
                        "\"weight_map\" names shard 'model-00003.safetensors', which is not a file"},
                {"{\"weight_map\": {\"a.bias\": \"model-00002-of-00002.safetensors\", \"b.weight\": \"model-00002-of-00002.safetensors\"}}",
                        "a.bias", "\"weight_map\" says it is in 'model-00002-of-00002.safetensors' but no shard has it"},
                {INDEX.replace("\"b.weight\": \"model-00002-of-00002.safetensors\"", "\"b.weight\": \"model-00001-of-00002.safetensors\""),
                        "b.weight", "but no shard has it"},
                {INDEX.replace("\"a.bias\": \"model-00001-of-00002.safetensors\",", ""), "a.bias",
                        "is in shard " + shard1 + " but not in \"weight_map\""},
                {"{\"weight_map\": {\"a\": \"x.safetensors\", \"a\": \"y.safetensors\"}}", null, "not valid JSON"},
        };
        for (Object[] c : cases) {
            write(index, (String) c[0]);
            assertThatThrownBy(() -> SafetensorsCheckpoint.open(index)).as((String) c[0])
                    .isInstanceOfSatisfying(SafetensorsFormatException.class, e -> {
                        assertThat(e.file()).isEqualTo(index);
                        assertThat(e.tensor()).isEqualTo(c[1]);
                        assertThat(e.getMessage()).startsWith(index + ": ").contains((String) c[2]);
                    });
        }
        // A tensor the index puts in the wrong shard, when both shards exist.
        write(index, INDEX.replace("\"a.bias\": \"model-00001-of-00002.safetensors\"",
                "\"a.bias\": \"model-00002-of-00002.safetensors\""));
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(index))
                .hasMessage(index + ": tensor 'a.bias': \"weight_map\" says it is in 'model-00002-of-00002.safetensors' but it is in "
                        + shard1);
    }

    @Test
    void directoriesWithoutACheckpointAndBadListsFail() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(empty)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(empty + ": directory holds no *.safetensors files and no *.safetensors.index.json");
        write(dir.resolve("model.safetensors.index.json"), INDEX);
        write(dir.resolve("other.safetensors.index.json"), INDEX);
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(dir + ": holds 2 shard indexes [model.safetensors.index.json, other.safetensors.index.json]; open one of them");
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a checkpoint needs at least one safetensors file");
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(List.of(shard1, shard1.getParent().resolve("./" + shard1.getFileName()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("is listed twice");
    }

    @Test
    void aBadShardFailsTheWholeCheckpoint() throws IOException {
        Files.write(shard2, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(shard2 + ": file has 3 bytes, fewer than the 8-byte header length that starts every safetensors file");
    }
}
