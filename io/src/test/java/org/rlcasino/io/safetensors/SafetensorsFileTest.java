package org.rlcasino.io.safetensors;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.io.safetensors.SafetensorsBytes.entry;
import static org.rlcasino.io.safetensors.SafetensorsBytes.file;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

class SafetensorsFileTest {
    private static final int N = 1000;

    @TempDir
    Path dir;
    private Path path;
    private float[] values;

    @BeforeEach
    void writeOneTensorOfEachDtype() throws IOException {
        values = new float[N];
        Random random = new Random(2);
        for (int i = 0; i < N; i++) {
            values[i] = (float) (random.nextGaussian() * 100);
        }
        long[] longs = new long[N];
        int[] bytes = new int[N];
        for (int i = 0; i < N; i++) {
            longs[i] = (long) values[i] * 100_000_007L;
            bytes[i] = i % 256;
        }
        path = dir.resolve("model.safetensors");
        SafetensorsWriter.builder().metadata("format", "pt").metadata("step", "100")
                .add("F64", Dtype.F64, new long[] {10, 100}, values)
                .add("F32", Dtype.F32, new long[] {10, 100}, values)
                .add("F16", Dtype.F16, new long[] {10, 100}, values)
                .add("BF16", Dtype.BF16, new long[] {10, 100}, values)
                .add("I64", Dtype.I64, new long[] {N}, longs)
                .add("I32", Dtype.I32, new long[] {N}, Arrays.stream(longs).mapToInt(v -> (int) (v / 1000)).toArray())
                .add("I16", Dtype.I16, new long[] {N}, Arrays.stream(longs).mapToInt(v -> (int) (v % 30000)).toArray())
                .add("I8", Dtype.I8, new long[] {N}, Arrays.stream(bytes).map(v -> v - 128).toArray())
                .add("U8", Dtype.U8, new long[] {N}, bytes)
                .add("BOOL", Dtype.BOOL, new long[] {N}, Arrays.stream(bytes).map(v -> v & 1).toArray())
                .build().write(path);
    }

    @Test
    void exposesMetadataAndTensorsInFileOrder() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.path()).isEqualTo(path);
            assertThat(file.metadata()).containsExactly(java.util.Map.entry("format", "pt"), java.util.Map.entry("step", "100"));
            assertThat(file.tensors()).extracting(SafetensorsEntry::name)
                    .containsExactly("F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL");
            SafetensorsEntry bf16 = file.tensor("BF16");
            assertThat(bf16.dtype()).isEqualTo(Dtype.BF16);
            assertThat(bf16.shape()).containsExactly(10, 100);
            assertThat(bf16.numel()).isEqualTo(N);
            assertThat(bf16.byteSize()).isEqualTo(2L * N);
            assertThat(bf16.dataStart()).isEqualTo((8L + 4 + 2) * N);
            assertThat(file.contains("BF16")).isTrue();
            assertThat(file.contains("bf16")).isFalse();
        }
        // File order is data order, not header order.
        Path reordered = SafetensorsBytes.write(dir, "reordered.safetensors",
                file("{" + entry("second", "F32", "[1]", 4, 8) + "," + entry("first", "F32", "[1]", 0, 4) + "}", 8));
        try (SafetensorsFile file = SafetensorsFile.open(reordered)) {
            assertThat(file.tensors()).extracting(SafetensorsEntry::name).containsExactly("first", "second");
        }
    }

    @Test
    void convertsEveryDtypeToFloat() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertBitIdentical("F32", file.readFloats("F32"), values);
            assertBitIdentical("F64", file.readFloats("F64"), values);
            float[] f16 = new float[N];
            float[] bf16 = new float[N];
            float[] ints = new float[N];
            for (int i = 0; i < N; i++) {
                f16[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
                bf16[i] = Float.intBitsToFloat((Float.floatToRawIntBits(values[i]) + 0x7FFF
                        + ((Float.floatToRawIntBits(values[i]) >>> 16) & 1)) & 0xFFFF_0000);
                ints[i] = (float) ((long) values[i] * 100_000_007L);
            }
            assertBitIdentical("F16", file.readFloats("F16"), f16);
            assertBitIdentical("BF16", file.readFloats("BF16"), bf16);
            assertBitIdentical("I64", file.readFloats("I64"), ints);
            long[] i32 = file.readLongs("I32");
            float[] asFloats = file.readFloats("I32");
            for (int i = 0; i < N; i++) {
                assertThat(asFloats[i]).isEqualTo((float) i32[i]);
            }
            assertThat(file.readFloats("U8")[255]).isEqualTo(255f);
            assertThat(file.readFloats("I8")[0]).isEqualTo(-128f);
            assertThat(file.readFloats("BOOL")[3]).isEqualTo(1f);
        }
    }

    @Test
    void f64IsRoundedToNearestFloat() throws IOException {
        Path f64 = dir.resolve("f64.safetensors");
        byte[] header = file("{" + entry("d", "F64", "[3]", 0, 24) + "}", 0);
        byte[] bytes = Arrays.copyOf(header, header.length + 24);
        MemorySegment data = MemorySegment.ofArray(bytes).asSlice(header.length);
        double[] doubles = {0.1, 1e300, -1e-300};
        for (int i = 0; i < 3; i++) {
            data.set(ElementDecoder.F64_LE, 8L * i, doubles[i]);
        }
        try (SafetensorsFile file = SafetensorsFile.open(SafetensorsBytes.write(dir, "f64.safetensors", bytes))) {
            assertThat(file.readFloats("d")).containsExactly(0.1f, Float.POSITIVE_INFINITY, -0f);
        }
    }

    @Test
    void rangeReadsMatchWholeReadsForEveryDtype() throws IOException {
        Random random = new Random(4);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            for (SafetensorsEntry t : file.tensors()) {
                float[] whole = file.readFloats(t.name());
                for (int trial = 0; trial < 50; trial++) {
                    int offset = random.nextInt(N);
                    int count = random.nextInt(N - offset + 1);
                    float[] dst = new float[count + 7];
                    file.readFloats(t.name(), offset, dst, 3, count);
                    assertBitIdentical(t.name(), Arrays.copyOfRange(dst, 3, 3 + count),
                            Arrays.copyOfRange(whole, offset, offset + count));
                    assertThat(dst[0]).isZero();
                    assertThat(dst[count + 3]).isZero();
                    if (!t.dtype().isFloatingPoint()) {
                        long[] longs = new long[count];
                        file.readLongs(t.name(), offset, longs, 0, count);
                        assertThat(longs).containsExactly(Arrays.copyOfRange(file.readLongs(t.name()), offset, offset + count));
                        if (t.dtype() != Dtype.I64) {
                            int[] ints = new int[count];
                            file.readInts(t.name(), offset, ints, 0, count);
                            assertThat(Arrays.stream(ints).asLongStream().toArray()).containsExactly(longs);
                        }
                    }
                }
            }
        }
    }

    @Test
    void rangeReadsOutsideTheTensorOrTheArrayFail() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            float[] dst = new float[10];
            assertThatThrownBy(() -> file.readFloats("F32", N - 5, dst, 0, 10))
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessage(path + ": tensor 'F32': elements [995, 1005) are outside its 1000 elements");
            assertThatThrownBy(() -> file.readFloats("F32", -1, dst, 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> file.readFloats("F32", 0, dst, 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> file.readFloats("F32", Long.MAX_VALUE, dst, 0, 1))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            file.readFloats("F32", N, dst, 10, 0); // an empty range at the end is fine
        }
    }

    @Test
    void integerReadsRefuseFloatTensorsAndValuesThatDoNotFit() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThatThrownBy(() -> file.readInts("F32")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(path + ": tensor 'F32' is F32; readInts needs an integer or BOOL tensor (use readFloats)");
            assertThatThrownBy(() -> file.readLongs("BF16")).hasMessageContaining("tensor 'BF16' is BF16; readLongs");
            long[] longs = file.readLongs("I64");
            int firstBig = IntStream.range(0, N).filter(i -> longs[i] != (int) longs[i]).findFirst().orElseThrow();
            assertThatThrownBy(() -> file.readInts("I64")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(path + ": tensor 'I64': element " + firstBig + " is " + longs[firstBig]
                            + ", outside the int range; use readLongs");
            int[] small = new int[1];
            int fits = IntStream.range(0, N).filter(i -> longs[i] == (int) longs[i]).findFirst().orElseThrow();
            file.readInts("I64", fits, small, 0, 1);
            assertThat(small[0]).isEqualTo(longs[fits]);
        }
    }

    @Test
    void boolBytesOtherThanZeroAreTrue() throws IOException {
        byte[] bytes = file("{" + entry("m", "BOOL", "[3]", 0, 3) + "}", 3); // data bytes 0, 1, 2
        try (SafetensorsFile file = SafetensorsFile.open(SafetensorsBytes.write(dir, "bool.safetensors", bytes))) {
            assertThat(file.readInts("m")).containsExactly(0, 1, 1);
            assertThat(file.readFloats("m")).containsExactly(0f, 1f, 1f);
        }
    }

    @Test
    void aMissingTensorNamesTheNearestOnes() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThatThrownBy(() -> file.readFloats("BF61")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(path + ": no tensor 'BF61' among 10; nearest: 'BF16', ");
        }
    }

    @Test
    void slicesAreReadOnlyViewsOfTheLittleEndianBytes() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            MemorySegment slice = file.slice("F32");
            assertThat(slice.byteSize()).isEqualTo(4L * N);
            assertThat(slice.isReadOnly()).isTrue();
            assertThat(slice.isMapped()).isTrue();
            assertThat(slice.get(ElementDecoder.F32_LE, 4L * 7)).isEqualTo(values[7]);
            assertThat(slice.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) Float.floatToRawIntBits(values[0]));
            assertThatThrownBy(() -> slice.set(ValueLayout.JAVA_BYTE, 0, (byte) 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
        }
    }

    @Test
    void closingUnmapsIdempotently() throws IOException {
        SafetensorsFile file = SafetensorsFile.open(path);
        MemorySegment slice = file.slice("F32");
        file.close();
        file.close();
        assertThatThrownBy(() -> slice.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> file.readFloats("F32")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void threadsReadConcurrently() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            float[] expected = file.readFloats("BF16");
            List<float[]> results = IntStream.range(0, 8).parallel().mapToObj(k -> {
                float[] out = new float[N];
                for (int off = 0; off < N; off += 100) {
                    file.readFloats("BF16", off, out, off, 100);
                }
                return out;
            }).toList();
            results.forEach(r -> assertBitIdentical("BF16", r, expected));
        }
    }

    @Test
    void aMissingFileIsAnIOException() {
        assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("absent.safetensors")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void readFloatDifferenceEqualsTwoReadsAndASubtractionForEveryPairOfFloatDtypes() throws IOException {
        int n = 10_007; // more than one internal block, not a multiple of it
        Random random = new Random(11);
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
            y[i] = (float) random.nextGaussian() * 3;
        }
        for (Dtype afterType : List.of(Dtype.BF16, Dtype.F16, Dtype.F32)) {
            for (Dtype beforeType : List.of(Dtype.BF16, Dtype.F16, Dtype.F32)) {
                Path a = dir.resolve("a-" + afterType + "-" + beforeType + ".safetensors");
                Path b = dir.resolve("b-" + afterType + "-" + beforeType + ".safetensors");
                SafetensorsWriter.builder().add("w", afterType, new long[] {n}, x).build().write(a);
                SafetensorsWriter.builder().add("w", beforeType, new long[] {n}, y).build().write(b);
                try (SafetensorsFile after = SafetensorsFile.open(a); SafetensorsFile before = SafetensorsFile.open(b)) {
                    for (int[] range : new int[][] {{0, n}, {3, 5000}, {4095, 4099}, {n - 1, 1}}) {
                        int offset = range[0];
                        int count = range[1];
                        float[] expected = new float[count];
                        float[] previous = new float[count];
                        after.readFloats("w", offset, expected, 0, count);
                        before.readFloats("w", offset, previous, 0, count);
                        for (int i = 0; i < count; i++) {
                            expected[i] -= previous[i];
                        }
                        float[] actual = new float[count + 2];
                        after.readFloatDifference("w", before, offset, actual, 2, count);
                        assertThat(Arrays.copyOfRange(actual, 2, count + 2)).as(afterType + " - " + beforeType)
                                .isEqualTo(expected);
                    }
                    assertThatThrownBy(() -> after.readFloatDifference("w", before, n - 1, new float[2], 0, 2))
                            .isInstanceOf(IndexOutOfBoundsException.class);
                }
            }
        }
    }
}
