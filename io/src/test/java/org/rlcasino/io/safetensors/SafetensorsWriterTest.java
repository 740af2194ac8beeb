package org.rlcasino.io.safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    private static float[] floats(int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static float[] widenedF16(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
        }
        return out;
    }

    private static float[] widenedBf16(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = BFloat16.toFloat(BFloat16.fromFloat(values[i]));
        }
        return out;
    }

    @Test
    void roundTripsEveryDtype() throws IOException {
        float[] f = floats(12, 1);
        Path path = dir.resolve("all.safetensors");
        SafetensorsWriter.builder()
                .add("f64", Dtype.F64, new long[] {3, 4}, f)
                .add("f32", Dtype.F32, new long[] {3, 4}, f)
                .add("f16", Dtype.F16, new long[] {12}, f)
                .add("bf16", Dtype.BF16, new long[] {2, 2, 3}, f)
                .add("i64", Dtype.I64, new long[] {3}, new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE})
                .add("i32", Dtype.I32, new long[] {3}, new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE})
                .add("i16", Dtype.I16, new long[] {3}, new int[] {-32768, 1, 32767})
                .add("i8", Dtype.I8, new long[] {3}, new byte[] {-128, 0, 127})
                .add("u8", Dtype.U8, new long[] {4}, new int[] {0, 1, 128, 255})
                .add("u8bytes", Dtype.U8, new long[] {2}, new byte[] {(byte) 200, 7})
                .add("bool", new long[] {2, 2}, new boolean[] {true, false, false, true})
                .add("scalar", Dtype.F32, new long[0], new float[] {42f})
                .build().write(path);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertBitIdentical("f64", file.readFloats("f64"), f);
            assertBitIdentical("f32", file.readFloats("f32"), f);
            assertBitIdentical("f16", file.readFloats("f16"), widenedF16(f));
            assertBitIdentical("bf16", file.readFloats("bf16"), widenedBf16(f));
            assertThat(file.readLongs("i64")).containsExactly(Long.MIN_VALUE, -1, Long.MAX_VALUE);
            assertThat(file.readInts("i32")).containsExactly(Integer.MIN_VALUE, 0, Integer.MAX_VALUE);
            assertThat(file.readInts("i16")).containsExactly(-32768, 1, 32767);
            assertThat(file.readInts("i8")).containsExactly(-128, 0, 127);
            assertThat(file.readInts("u8")).containsExactly(0, 1, 128, 255);
            assertThat(file.readInts("u8bytes")).containsExactly(200, 7);
            assertThat(file.readInts("bool")).containsExactly(1, 0, 0, 1);
            assertThat(file.readFloats("bool")).containsExactly(1f, 0f, 0f, 1f);
            assertThat(file.readFloats("scalar")).containsExactly(42f);
            assertThat(file.tensor("bf16").shape()).containsExactly(2, 2, 3);
            assertThat(file.tensor("scalar").shape()).isEmpty();
            assertThat(file.tensors()).extracting(SafetensorsEntry::dtype).containsExactly(Dtype.F64, Dtype.F32, Dtype.F16,
                    Dtype.BF16, Dtype.I64, Dtype.I32, Dtype.I16, Dtype.I8, Dtype.U8, Dtype.U8, Dtype.BOOL, Dtype.F32);
        }
    }

    @Test
    void f16RoundsToNearestEvenAsWorkedOutByHand() throws IOException {
        // value, expected f16 bits
        Object[][] cases = {
                {1f + 0x1p-11f, 0x3C00}, // tie between 1 and 1 + 2^-10: even (1)
                {1f + 3 * 0x1p-11f, 0x3C02}, // tie between 0x3C01 and 0x3C02: even
                {-(1f + 0x1p-11f), 0xBC00},
                {1f / 3, 0x3555},
                {-2.5f, 0xC100},
                {65504f, 0x7BFF}, // largest finite
                {65519f, 0x7BFF}, // rounds down
                {65520f, 0x7C00}, // tie above the largest finite: to infinity
                {1e6f, 0x7C00},
                {0x1p-24f, 0x0001}, // smallest subnormal
                {0x1p-25f, 0x0000}, // tie: to even (0)
                {3 * 0x1p-25f, 0x0002}, // tie between 1 and 2 subnormal ulps: even
                {0x1p-14f - 0x1p-25f, 0x0400}, // tie between the largest subnormal and the smallest normal
                {1e-8f, 0x0000},
                {-0f, 0x8000},
                {Float.POSITIVE_INFINITY, 0x7C00},
                {Float.NEGATIVE_INFINITY, 0xFC00},
                {Float.NaN, 0x7E00},
        };
        float[] values = new float[cases.length];
        for (int i = 0; i < cases.length; i++) {
            values[i] = (Float) cases[i][0];
        }
        Path path = dir.resolve("f16.safetensors");
        SafetensorsWriter.builder().add("h", Dtype.F16, new long[] {values.length}, values).build().write(path);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            MemorySegment slice = file.slice("h");
            float[] read = file.readFloats("h");
            for (int i = 0; i < cases.length; i++) {
                int bits = slice.get(ElementDecoder.I16_LE, 2L * i) & 0xFFFF;
                assertThat(bits).as("%a", values[i]).isEqualTo(cases[i][1]);
                assertThat(Float.floatToRawIntBits(read[i]))
                        .isEqualTo(Float.floatToRawIntBits(Float.float16ToFloat((short) bits)));
            }
        }
    }

    @Test
    void bf16IsWrittenWithBFloat16Rounding() throws IOException {
        int[] bits = {0x3F80_8000, 0x3F81_8000, 0x7F7F_FFFF, 0x0001_8000, 0x8000_0000, 0x7FC0_0000, 0xFF80_0000};
        int[] expected = {0x3F80, 0x3F82, 0x7F80, 0x0002, 0x8000, 0x7FC0, 0xFF80};
        float[] values = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            values[i] = Float.intBitsToFloat(bits[i]);
        }
        Path path = dir.resolve("bf16.safetensors");
        SafetensorsWriter.builder().add("b", Dtype.BF16, new long[] {bits.length}, values).build().write(path);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            float[] read = file.readFloats("b");
            for (int i = 0; i < bits.length; i++) {
                assertThat(file.slice("b").get(ElementDecoder.I16_LE, 2L * i) & 0xFFFF).isEqualTo(expected[i]);
                assertThat(Float.floatToRawIntBits(read[i])).isEqualTo(expected[i] << 16);
            }
        }
    }

    @Test
    void f32KeepsEveryBitIncludingNanPayloadsAndSubnormals() throws IOException {
        int[] bits = {0x0000_0000, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0x7FC0_1234, 0xFFFF_FFFF,
                0x0000_0001, 0x807F_FFFF, 0x7F7F_FFFF};
        float[] values = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            values[i] = Float.intBitsToFloat(bits[i]);
        }
        Path path = dir.resolve("f32.safetensors");
        SafetensorsWriter.builder().add("s", Dtype.F32, new long[] {bits.length}, values).build().write(path);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            float[] read = file.readFloats("s");
            for (int i = 0; i < bits.length; i++) {
                assertThat(Float.floatToRawIntBits(read[i])).as("[%d]", i).isEqualTo(bits[i]);
            }
        }
    }

    @Test
    void layoutIsPaddedHeaderThenContiguousDataInTheOrderAdded() throws IOException {
        SafetensorsWriter writer = SafetensorsWriter.builder()
                .metadata("format", "pt")
                .add("z.last_name_first", Dtype.F32, new long[] {2}, new float[] {1, 2})
                .add("a", Dtype.BF16, new long[] {3}, new float[] {1, 2, 3})
                .add("m", Dtype.U8, new long[] {1}, new int[] {9})
                .build();
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"z.last_name_first\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]},"
                + "\"m\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[14,15]}}";
        int padded = (json.length() + 7) / 8 * 8;
        byte[] header = writer.headerBytes();
        assertThat(header.length).isEqualTo(8 + padded);
        assertThat(MemorySegment.ofArray(header).get(ElementDecoder.I64_LE, 0)).isEqualTo(padded);
        assertThat(new String(header, 8, padded, StandardCharsets.UTF_8)).isEqualTo(json + " ".repeat(padded - json.length()));
        assertThat(writer.tensors()).extracting(SafetensorsEntry::dataStart).containsExactly(0L, 8L, 14L);
        assertThat(writer.fileSize()).isEqualTo(8 + padded + 15);

        Path path = dir.resolve("layout.safetensors");
        writer.write(path);
        byte[] bytes = Files.readAllBytes(path);
        assertThat(bytes).hasSize((int) writer.fileSize());
        assertThat(Arrays.copyOf(bytes, header.length)).isEqualTo(header);
        // 1f, 2f as little-endian F32; then bf16 1, 2, 3; then the byte 9.
        assertThat(Arrays.copyOfRange(bytes, header.length, bytes.length)).containsExactly(
                0, 0, (byte) 0x80, 0x3F, 0, 0, 0, 0x40, (byte) 0x80, 0x3F, 0, 0x40, 0x40, 0x40, 9);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTo(out);
        assertThat(out.toByteArray()).isEqualTo(bytes);
    }

    @Test
    void headerLengthIsAlwaysAMultipleOf8() {
        for (int n = 0; n < 16; n++) {
            SafetensorsWriter writer = SafetensorsWriter.builder().metadata("k", "x".repeat(n)).build();
            byte[] header = writer.headerBytes();
            assertThat((header.length - 8) % 8).isZero();
            assertThat(new String(header, 8, header.length - 8, StandardCharsets.UTF_8))
                    .startsWith("{\"__metadata__\":{\"k\":\"" + "x".repeat(n) + "\"}}").matches("[^ ]*\\}} *");
        }
    }

    @Test
    void writesAnEmptyFileAndUnicodeNamesAndMetadata() throws IOException {
        Path empty = dir.resolve("empty.safetensors");
        SafetensorsWriter.builder().build().write(empty);
        assertThat(Files.readAllBytes(empty)).hasSize(16);
        try (SafetensorsFile file = SafetensorsFile.open(empty)) {
            assertThat(file.tensors()).isEmpty();
        }
        Path unicode = dir.resolve("unicode.safetensors");
        SafetensorsWriter.builder().metadata("note", "größe \"quoted\" \\ \n ✓").metadata("format", "pt")
                .add("层.0.权重", Dtype.F32, new long[] {1}, new float[] {3f})
                .build().write(unicode);
        try (SafetensorsFile file = SafetensorsFile.open(unicode)) {
            assertThat(file.metadata()).containsExactly(Map.entry("note", "größe \"quoted\" \\ \n ✓"),
                    Map.entry("format", "pt"));
            assertThat(file.readFloats("层.0.权重")).containsExactly(3f);
        }
    }

    @Test
    void streamsLargeTensorsChunkByChunk() throws IOException {
        int n = 300_001; // several 64 KiB chunks, and not a multiple of anything
        float[] expected = floats(n, 5);
        Path path = dir.resolve("stream.safetensors");
        SafetensorsWriter.builder()
                .add("big", Dtype.BF16, new long[] {n}, sink -> {
                    Random sizes = new Random(3);
                    for (int at = 0; at < n; ) {
                        int len = Math.min(n - at, 1 + sizes.nextInt(50_000));
                        sink.writeFloats(expected, at, len);
                        at += len;
                    }
                    assertThat(sink.remaining()).isZero();
                })
                .add("ids", Dtype.I64, new long[] {3, 1000}, sink -> {
                    for (int row = 0; row < 3; row++) {
                        int[] chunk = new int[1000];
                        Arrays.fill(chunk, row - 1);
                        sink.writeInts(chunk, 0, chunk.length);
                    }
                })
                .build().write(path);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            float[] part = new float[1000];
            file.readFloats("big", 250_000, part, 0, part.length);
            assertBitIdentical("big[250000..]", part, Arrays.copyOfRange(widenedBf16(expected), 250_000, 251_000));
            assertBitIdentical("big", file.readFloats("big"), widenedBf16(expected));
            long[] ids = file.readLongs("ids");
            assertThat(ids[0]).isEqualTo(-1);
            assertThat(ids[1500]).isZero();
            assertThat(ids[2999]).isEqualTo(1);
        }
    }

    @Test
    void aSourceThatWritesTooFewOrTooManyElementsFailsAndLeavesNoFile() {
        Path path = dir.resolve("bad.safetensors");
        SafetensorsWriter tooFew = SafetensorsWriter.builder()
                .add("t", Dtype.F32, new long[] {4}, sink -> sink.writeFloats(new float[3], 0, 3)).build();
        assertThatThrownBy(() -> tooFew.write(path)).isInstanceOf(IllegalStateException.class)
                .hasMessage("tensor 't': its source wrote 3 of 4 elements");
        SafetensorsWriter tooMany = SafetensorsWriter.builder()
                .add("t", Dtype.F32, new long[] {4}, sink -> sink.writeFloats(new float[5], 0, 5)).build();
        assertThatThrownBy(() -> tooMany.write(path)).isInstanceOf(IllegalStateException.class)
                .hasMessage("tensor 't': writeFloats of 5 elements but only 4 of its 4 remain");
        AtomicReference<SafetensorsWriter.TensorSink> kept = new AtomicReference<>();
        SafetensorsWriter late = SafetensorsWriter.builder()
                .add("t", Dtype.F32, new long[] {1}, sink -> {
                    sink.writeFloats(new float[1], 0, 1);
                    kept.set(sink);
                })
                .add("u", Dtype.F32, new long[] {1}, sink -> kept.get().writeFloats(new float[1], 0, 1)).build();
        assertThatThrownBy(() -> late.write(path)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tensor 't': writeFloats after its source returned");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aFailingWriteKeepsThePreviousFileAndLeavesNoTemporary() throws IOException {
        Path path = dir.resolve("model.safetensors");
        SafetensorsWriter.builder().add("old", Dtype.F32, new long[] {1}, new float[] {1}).build().write(path);
        byte[] before = Files.readAllBytes(path);
        SafetensorsWriter failing = SafetensorsWriter.builder()
                .add("a", Dtype.F32, new long[] {100_000}, new float[100_000])
                .add("b", Dtype.F32, new long[] {2}, sink -> {
                    sink.writeFloats(new float[1], 0, 1);
                    throw new IOException("disk full");
                }).build();
        assertThatThrownBy(() -> failing.write(path)).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(Files.readAllBytes(path)).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(path);
        }
    }

    @Test
    void valuesThatDoNotFitTheDtypeFailNamingTensorAndElement() {
        Path path = dir.resolve("range.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.builder().add("m", Dtype.U8, new long[] {3}, new int[] {1, 300, 2})
                .build().write(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor 'm': element 1 is 300, outside U8's range [0, 255]");
        assertThatThrownBy(() -> SafetensorsWriter.builder().add("m", Dtype.BOOL, new long[] {2}, new int[] {1, 2})
                .build().write(path)).hasMessage("tensor 'm': element 1 is 2, outside BOOL's range 0 or 1");
        assertThatThrownBy(() -> SafetensorsWriter.builder().add("m", Dtype.BOOL, new long[] {2}, new byte[] {-1, 0})
                .build().write(path)).hasMessage("tensor 'm': element 0 is -1, outside BOOL's range 0 or 1");
        assertThatThrownBy(() -> SafetensorsWriter.builder().add("c", Dtype.I32, new long[] {1}, new long[] {1L << 40})
                .build().write(path)).hasMessageContaining("tensor 'c': element 0 is 1099511627776, outside I32's range");
        assertThatThrownBy(() -> SafetensorsWriter.builder().add("c", Dtype.I8, new long[] {1}, new int[] {128})
                .build().write(path)).hasMessage("tensor 'c': element 0 is 128, outside I8's range [-128, 127]");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void builderRejectsBadDeclarations() {
        SafetensorsWriter.Builder b = SafetensorsWriter.builder().add("a", Dtype.F32, new long[] {1}, new float[1]);
        assertThatThrownBy(() -> b.add("a", Dtype.F32, new long[] {1}, new float[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tensor 'a' is already added");
        assertThatThrownBy(() -> b.add("__metadata__", Dtype.F32, new long[] {1}, new float[1]))
                .hasMessage("'__metadata__' cannot be a tensor name");
        assertThatThrownBy(() -> b.add("", Dtype.F32, new long[] {1}, new float[1]))
                .hasMessage("'' cannot be a tensor name");
        assertThatThrownBy(() -> b.add("n", Dtype.F32, new long[] {2, -1}, sink -> { }))
                .hasMessage("tensor 'n': shape [2, -1] has a negative dimension or more than 2^63 bytes as F32");
        assertThatThrownBy(() -> b.add("l", Dtype.F32, new long[] {2, 3}, new float[5]))
                .hasMessage("tensor 'l': shape [2, 3] has 6 elements but 5 values were given");
        assertThatThrownBy(() -> b.add("f", Dtype.I32, new long[] {1}, new float[1]))
                .hasMessage("tensor 'f': float[] values cannot be written as I32");
        assertThatThrownBy(() -> b.add("i", Dtype.BF16, new long[] {1}, new int[1]))
                .hasMessage("tensor 'i': int[] values cannot be written as BF16");
        assertThatThrownBy(() -> b.add("y", Dtype.I32, new long[] {1}, new byte[1]))
                .hasMessage("tensor 'y': byte[] values cannot be written as I32");
        assertThatThrownBy(() -> b.metadata("k", "1").metadata("k", "2"))
                .hasMessage("metadata key 'k' is already set");
    }

    @Test
    void aSinkRefusesValuesOfTheWrongKind() {
        Path path = dir.resolve("kind.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.builder()
                .add("t", Dtype.F16, new long[] {1}, sink -> sink.writeInts(new int[1], 0, 1)).build().write(path))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tensor 't' is F16; writeInts cannot write it");
        assertThatThrownBy(() -> SafetensorsWriter.builder()
                .add("t", Dtype.I64, new long[] {1}, sink -> sink.writeBooleans(new boolean[1], 0, 1)).build().write(path))
                .hasMessage("tensor 't' is I64; writeBooleans cannot write it");
        assertThat(dir).isEmptyDirectory();
    }
}
