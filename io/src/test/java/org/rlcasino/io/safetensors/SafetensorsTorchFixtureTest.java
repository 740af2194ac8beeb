package org.rlcasino.io.safetensors;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/**
 * The fixtures of {@code io/src/test/python/gen_safetensors_fixtures.py}: safetensors files written
 * from PyTorch tensors, with torch's own conversions to float32 as the expected values. The reader
 * must agree bit for bit, and the writer must reproduce each file byte for byte from the same
 * source values (NaN excepted: torch 1.13 writes every bf16 NaN as 0xFFFF, the writer a quiet NaN
 * of the same sign).
 */
class SafetensorsTorchFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Path resource(String name) {
        try {
            return Path.of(SafetensorsTorchFixtureTest.class.getResource("/safetensors/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode expected(String fixture) throws IOException {
        return JSON.readTree(resource(fixture + ".expected.json").toFile());
    }

    private static float[] floatsFromBits(JsonNode bits) {
        float[] values = new float[bits.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = Float.intBitsToFloat((int) bits.get(i).longValue());
        }
        return values;
    }

    private static long[] longs(JsonNode node) {
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = node.get(i).longValue();
        }
        return values;
    }

    private static Map<String, String> metadata(JsonNode expected) {
        Map<String, String> metadata = new LinkedHashMap<>();
        expected.get("metadata").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().textValue()));
        return metadata;
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "bf16", "mixed", "sharded/model-00001-of-00002", "sharded/model-00002-of-00002"})
    void readerAgreesWithTorchBitForBit(String fixture) throws IOException {
        JsonNode expected = expected(fixture);
        try (SafetensorsFile file = SafetensorsFile.open(resource(fixture + ".safetensors"))) {
            assertThat(file.metadata()).containsExactlyEntriesOf(metadata(expected));
            List<String> names = new ArrayList<>();
            expected.get("tensors").fieldNames().forEachRemaining(names::add);
            assertThat(file.tensors()).extracting(SafetensorsEntry::name).containsExactlyElementsOf(names);
            for (String name : names) {
                JsonNode t = expected.get("tensors").get(name);
                SafetensorsEntry info = file.tensor(name);
                assertThat(info.dtype()).as(name).isEqualTo(Dtype.parse(t.get("dtype").textValue()));
                assertThat(info.shape()).as(name).containsExactly(longs(t.get("shape")));
                assertBitIdentical(fixture + ":" + name, file.readFloats(name), floatsFromBits(t.get("f32_bits")));
                if (t.has("int_values")) {
                    assertThat(file.readLongs(name)).as(name).containsExactly(longs(t.get("int_values")));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "bf16", "mixed", "sharded/model-00001-of-00002", "sharded/model-00002-of-00002"})
    void writerReproducesTheTorchFilesFromTheSameValues(String fixture) throws IOException {
        JsonNode expected = expected(fixture);
        SafetensorsWriter.Builder builder = SafetensorsWriter.builder().metadata(metadata(expected));
        Map<String, float[]> sources = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : expected.get("tensors").properties()) {
            JsonNode t = e.getValue();
            Dtype dtype = Dtype.parse(t.get("dtype").textValue());
            long[] shape = longs(t.get("shape"));
            if (t.has("source_f32_bits")) {
                float[] source = floatsFromBits(t.get("source_f32_bits"));
                sources.put(e.getKey(), source);
                builder.add(e.getKey(), dtype, shape, source);
            } else if (dtype == Dtype.F64) {
                builder.add(e.getKey(), dtype, shape, floatsFromBits(t.get("f32_bits"))); // float-valued doubles
            } else {
                builder.add(e.getKey(), dtype, shape, longs(t.get("int_values")));
            }
        }
        Path written = dir.resolve("java.safetensors");
        SafetensorsWriter writer = builder.build();
        writer.write(written);

        byte[] ours = Files.readAllBytes(written);
        byte[] theirs = Files.readAllBytes(resource(fixture + ".safetensors"));
        assertThat(ours).hasSameSizeAs(theirs);
        int headerEnd = writer.headerBytes().length;
        assertThat(new String(ours, 0, headerEnd, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(theirs, 0, headerEnd, java.nio.charset.StandardCharsets.UTF_8));
        MemorySegment a = MemorySegment.ofArray(ours);
        MemorySegment b = MemorySegment.ofArray(theirs);
        for (SafetensorsEntry t : writer.tensors()) {
            int size = t.dtype().byteSize();
            for (long i = 0; i < t.numel(); i++) {
                long at = headerEnd + t.dataStart() + i * size;
                MemorySegment x = a.asSlice(at, size);
                MemorySegment y = b.asSlice(at, size);
                if (x.mismatch(y) < 0) {
                    continue;
                }
                float[] source = sources.get(t.name());
                boolean nan = source != null && Float.isNaN(source[(int) i]) && size == 2
                        && Float.isNaN(decode(t.dtype(), x)) && Float.isNaN(decode(t.dtype(), y));
                assertThat(nan).as("%s: tensor %s element %d differs from torch's bytes", fixture, t.name(), i).isTrue();
            }
        }
    }

    private static float decode(Dtype dtype, MemorySegment halfBits) {
        short s = halfBits.get(ElementDecoder.I16_LE, 0);
        return dtype == Dtype.BF16 ? BFloat16.toFloat(s) : Float.float16ToFloat(s);
    }

    @Test
    void theTorchIndexOpensAsOneCheckpoint() throws IOException {
        Path sharded = resource("sharded");
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(sharded);
             SafetensorsCheckpoint viaIndex = SafetensorsCheckpoint.open(sharded.resolve("model.safetensors.index.json"))) {
            assertThat(ckpt.files()).containsExactlyElementsOf(viaIndex.files());
            assertThat(ckpt.tensors()).extracting(SafetensorsEntry::name)
                    .containsExactly("h.0.attn.weight", "h.0.attn.bias", "h.1.attn.weight", "lm_head.weight");
            assertThat(ckpt.metadata()).containsExactly(Map.entry("format", "pt"));
            JsonNode second = expected("sharded/model-00002-of-00002").get("tensors");
            assertBitIdentical("lm_head.weight", ckpt.readFloats("lm_head.weight"),
                    floatsFromBits(second.get("lm_head.weight").get("f32_bits")));
            long total = ckpt.tensors().stream().mapToLong(SafetensorsEntry::byteSize).sum();
            JsonNode index = JSON.readTree(sharded.resolve("model.safetensors.index.json").toFile());
            assertThat(total).isEqualTo(index.get("metadata").get("total_size").longValue());
        }
    }

    @Test
    void theFixturesCoverTheCasesTheyClaim() throws IOException {
        // Guards against a regenerated fixture losing its special values: NaN, infinities, subnormals, -0.
        float[] bf16 = floatsFromBits(expected("bf16").get("tensors").get("specials").get("f32_bits"));
        float[] f16 = floatsFromBits(expected("f16").get("tensors").get("specials").get("f32_bits"));
        for (float[] values : List.of(bf16, f16)) {
            assertThat(values).contains(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
            assertThat(hasBits(values, 0x8000_0000)).isTrue();
            assertThat(java.util.stream.IntStream.range(0, values.length).anyMatch(i -> Float.isNaN(values[i]))).isTrue();
        }
        assertThat(hasBits(f16, Float.floatToRawIntBits(0x1p-24f))).isTrue();
        assertThat(bf16).contains(Float.intBitsToFloat(0x0002_0000)); // a subnormal bf16
        assertThat(Files.size(resource("mixed.safetensors"))).isLessThan(4096);
    }

    private static boolean hasBits(float[] values, int bits) {
        for (float v : values) {
            if (Float.floatToRawIntBits(v) == bits) {
                return true;
            }
        }
        return false;
    }

}
