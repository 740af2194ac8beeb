package org.rlcasino.io.safetensors;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.rlcasino.io.safetensors.SafetensorsBytes.entry;
import static org.rlcasino.io.safetensors.SafetensorsBytes.file;

/** Header validation, through {@link SafetensorsFile#open}: every malformation and its message. */
class SafetensorsHeaderTest {
    @TempDir
    Path dir;

    /** A malformed file, the tensor its message must name (null: none) and the facts it must state. */
    record Malformed(String name, byte[] bytes, String tensor, List<String> facts) {
        Malformed(String name, byte[] bytes, String tensor, String... facts) {
            this(name, bytes, tensor, List.of(facts));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final byte[] TWO_TENSORS =
            file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[3]", 4, 16) + "}", 16);

    static Stream<Malformed> malformedFiles() {
        String w = entry("w", "F32", "[2]", 0, 8);
        return Stream.of(
                // The length field and the header as a whole.
                new Malformed("empty file", new byte[0], null, "file has 0 bytes", "fewer than the 8-byte header length"),
                new Malformed("shorter than 8 bytes", new byte[] {2, 0, 0}, null, "file has 3 bytes"),
                new Malformed("header length beyond the file", file(100, "{}".getBytes(StandardCharsets.UTF_8), 0), null,
                        "header length 100 goes beyond the end of the file (10 bytes, so at most 2)"),
                new Malformed("header length negative as a signed long", file(-1, new byte[4], 0), null,
                        "header length 18446744073709551615 goes beyond the end of the file"),
                new Malformed("header length 0", file(0, new byte[0], 0), null, "header is empty"),
                new Malformed("header only spaces", file("        ", 0), null, "header is empty"),
                new Malformed("header not UTF-8", file(2 + 3, new byte[] {'{', '"', (byte) 0xFF, '"', '}'}, 0), null,
                        "header is not valid UTF-8", "byte 0xFF at header byte 2"),
                new Malformed("header not JSON", file("{\"w\": ", 0), null, "header is not valid JSON"),
                new Malformed("header with trailing content", file("{} {}", 0), null, "header is not valid JSON"),
                new Malformed("header an array", file("[1,2]", 0), null, "header is an array ([1,2])",
                        "expected a JSON object"),
                new Malformed("header a string", file("\"x\"", 0), null, "header is a string"),
                // One tensor's entry.
                new Malformed("entry not an object", file("{\"w\":5}", 0), "w", "entry is a number (5)"),
                new Malformed("missing dtype", file("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "w",
                        "entry has no \"dtype\""),
                new Malformed("missing shape", file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "w",
                        "entry has no \"shape\""),
                new Malformed("missing data_offsets", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "w",
                        "entry has no \"data_offsets\""),
                new Malformed("dtype not a string", file("{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                        "w", "\"dtype\" is a number (4)"),
                new Malformed("unknown dtype", file("{" + entry("w", "F8_E4M3", "[2]", 0, 2) + "}", 2), "w",
                        "unsupported dtype 'F8_E4M3'", "BF16"),
                new Malformed("dtype in lower case", file("{" + entry("w", "f32", "[2]", 0, 8) + "}", 8), "w",
                        "unsupported dtype 'f32'"),
                new Malformed("shape not an array", file("{" + entry("w", "F32", "2", 0, 8) + "}", 8), "w",
                        "\"shape\" is a number (2)"),
                new Malformed("shape with a fraction", file("{" + entry("w", "F32", "[2.5]", 0, 8) + "}", 8), "w",
                        "\"shape\"[0] is a number (2.5)", "expected an integer"),
                new Malformed("shape with a string", file("{" + entry("w", "F32", "[\"2\"]", 0, 8) + "}", 8), "w",
                        "\"shape\"[0] is a string"),
                new Malformed("negative dimension", file("{" + entry("w", "F32", "[2,-1]", 0, 8) + "}", 8), "w",
                        "shape [2, -1] has a negative dimension -1"),
                new Malformed("dimension beyond 64 bits", file("{" + entry("w", "F32", "[100000000000000000000]", 0, 8)
                        + "}", 8), "w", "\"shape\"[0] 100000000000000000000 does not fit in 64 bits"),
                new Malformed("shape over 2^63 bytes", file("{" + entry("w", "F32", "[4294967296,4294967296]", 0, 8)
                        + "}", 8), "w", "shape [4294967296, 4294967296] needs more than 2^63 bytes as F32"),
                new Malformed("data_offsets not an array", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":\"0,8\"}}",
                        8), "w", "\"data_offsets\" is a string"),
                new Malformed("data_offsets of one entry", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}",
                        8), "w", "\"data_offsets\" [8] has 1 entries, expected 2"),
                new Malformed("data_offsets with a fraction", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]}}",
                        8), "w", "\"data_offsets\"[1] is a number (8.0)"),
                new Malformed("negative data_offsets", file("{" + entry("w", "F32", "[2]", -8, 0) + "}", 8), "w",
                        "\"data_offsets\" [-8,0] has a negative offset"),
                new Malformed("data_offsets reversed", file("{" + entry("w", "F32", "[2]", 8, 0) + "}", 8), "w",
                        "data_offsets [8, 0] end before they begin"),
                new Malformed("shape and bytes disagree", file("{" + entry("h.0.attn.c_attn.weight", "F32", "[768,2304]", 0, 100)
                        + "}", 100), "h.0.attn.c_attn.weight",
                        "shape [768, 2304] needs 7077888 bytes as F32 but data_offsets [0, 100] give 100"),
                new Malformed("shape and bytes disagree for BF16", file("{" + entry("w", "BF16", "[3]", 0, 8) + "}", 8), "w",
                        "shape [3] needs 6 bytes as BF16 but data_offsets [0, 8] give 8"),
                // The data section: bounds, overlaps, gaps, coverage.
                new Malformed("offsets beyond the data", file("{" + w + "}", 4), "w",
                        "data_offsets [0, 8] end beyond the data section's 4 bytes"),
                new Malformed("overlapping tensors", file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12)
                        + "}", 12), "b", "data_offsets [4, 12] overlap those of tensor 'a' [0, 8]"),
                new Malformed("same offsets twice", file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "I32", "[2]", 0, 8)
                        + "}", 8), "b", "overlap those of tensor 'a'"),
                new Malformed("gap between tensors", file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12)
                        + "}", 12), "b", "leave a gap: bytes [4, 8) of the data section belong to no tensor",
                        "after tensor 'a' [0, 4]"),
                new Malformed("data not starting at 0", file("{" + entry("a", "F32", "[1]", 4, 8) + "}", 8), "a",
                        "bytes [0, 4)", "the data must start at offset 0"),
                new Malformed("bytes after the last tensor", file("{" + entry("a", "F32", "[1]", 0, 4) + "}", 8), null,
                        "the data section has 8 bytes but the tensors cover only [0, 4)", "after tensor 'a' [0, 4]"),
                new Malformed("data but no tensors", file("{}", 4), null, "the data section has 4 bytes",
                        "the header lists no tensors"),
                // Names and keys.
                new Malformed("duplicate tensor name", file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8)
                        + "}", 8), "a", "name appears twice in the header"),
                new Malformed("duplicate key in an entry", file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],"
                        + "\"data_offsets\":[0,4]}}", 4), "a", "key \"dtype\" appears twice"),
                new Malformed("duplicate __metadata__", file("{\"__metadata__\":{},\"__metadata__\":{}}", 0), null,
                        "__metadata__ appears twice"),
                new Malformed("duplicate metadata key", file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), null,
                        "__metadata__: key 'k' appears twice"),
                new Malformed("metadata not an object", file("{\"__metadata__\":[\"k\"]}", 0), null,
                        "__metadata__ is an array ([\"k\"])", "expected an object of string values"),
                new Malformed("metadata value not a string", file("{\"__metadata__\":{\"k\":1}}", 0), null,
                        "__metadata__: key 'k' has a number (1), expected a string"),
                new Malformed("metadata value an object", file("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}", 0), null,
                        "__metadata__: key 'k' has an object"),
                // A good file cut short.
                new Malformed("truncated data", Arrays.copyOf(TWO_TENSORS, TWO_TENSORS.length - 3), "b",
                        "data_offsets [4, 16] end beyond the data section's 13 bytes", "truncated?"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void malformedFilesFailWithAMessageNamingFileTensorAndFact(Malformed malformed) {
        Path path = SafetensorsBytes.write(dir, "bad-" + malformed.name().replace(' ', '-') + ".safetensors",
                malformed.bytes());
        SafetensorsFormatException e = catchThrowableOfType(SafetensorsFormatException.class,
                () -> SafetensorsFile.open(path).close());
        assertThat(e).as(malformed.name()).isNotNull();
        assertThat(e).isInstanceOf(IllegalArgumentException.class);
        assertThat(e.getMessage()).startsWith(path + ": ");
        assertThat(e.file()).isEqualTo(path);
        assertThat(e.tensor()).isEqualTo(malformed.tensor());
        if (malformed.tensor() != null) {
            assertThat(e.getMessage()).startsWith(path + ": tensor '" + malformed.tensor() + "': ");
        }
        for (String fact : malformed.facts()) {
            assertThat(e.getMessage()).contains(fact);
        }
    }

    @Test
    void theTruncatedCaseReallyIsAPrefixOfAValidFile() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(SafetensorsBytes.write(dir, "whole.safetensors", TWO_TENSORS))) {
            assertThat(f.tensors()).extracting(SafetensorsEntry::name).containsExactly("a", "b");
        }
    }

    @Test
    void everyTruncationOfAValidFileIsAFormatError() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafetensorsWriter.builder().metadata("format", "pt")
                .add("a", Dtype.BF16, new long[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6})
                .add("empty", Dtype.F32, new long[] {0}, new float[0])
                .add("b", Dtype.I64, new long[] {2}, new long[] {7, 8})
                .build().write(good);
        byte[] bytes = Files.readAllBytes(good);
        for (int length = 0; length < bytes.length; length++) {
            Path cut = SafetensorsBytes.write(dir, "cut.safetensors", Arrays.copyOf(bytes, length));
            int n = length;
            assertThatCode(() -> SafetensorsFile.open(cut).close()).as("cut to %d bytes", n)
                    .isInstanceOf(SafetensorsFormatException.class);
        }
    }

    @Test
    void corruptedHeadersEitherParseOrFailAsFormatErrors() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafetensorsWriter.builder().metadata("k", "v")
                .add("x", Dtype.F32, new long[] {2, 2}, new float[4])
                .add("y", Dtype.U8, new long[] {3}, new int[] {1, 2, 3})
                .build().write(good);
        byte[] bytes = Files.readAllBytes(good);
        Random random = new Random(7);
        List<String> failures = new ArrayList<>();
        for (int trial = 0; trial < 200; trial++) {
            byte[] bad = bytes.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                int at = random.nextInt(bytes.length - 7); // the header and length, mostly
                bad[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) "{}[]\",:0-9 e".charAt(random.nextInt(12));
            }
            Path path = SafetensorsBytes.write(dir, "fuzz.safetensors", bad);
            try (SafetensorsFile f = SafetensorsFile.open(path)) {
                for (SafetensorsEntry t : f.tensors()) {
                    f.slice(t.name());
                }
            } catch (SafetensorsFormatException expected) {
                // Fine: a precise error.
            } catch (RuntimeException e) {
                failures.add(trial + ": " + e);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void acceptsWhatTheFormatAllows() throws IOException {
        // Null metadata, extra keys in an entry, an empty tensor between two others, padding, a scalar.
        String header = "{\"__metadata__\":null," + entry("a", "F32", "[1]", 0, 4) + ","
                + "\"e\":{\"dtype\":\"F16\",\"shape\":[0,3],\"data_offsets\":[4,4],\"extra\":true},"
                + entry("s", "I8", "[]", 4, 5) + "}       ";
        Path path = SafetensorsBytes.write(dir, "ok.safetensors", file(header, 5));
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            assertThat(f.metadata()).isEmpty();
            assertThat(f.tensors()).extracting(SafetensorsEntry::name).containsExactly("a", "e", "s");
            assertThat(f.tensor("e").numel()).isZero();
            assertThat(f.tensor("s").numel()).isEqualTo(1);
            assertThat(f.readInts("s")).containsExactly(4);
        }
    }

    @Test
    void anEmptyHeaderIsAValidEmptyFile() throws IOException {
        Path path = SafetensorsBytes.write(dir, "empty.safetensors", file("{}      ", 0));
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            assertThat(f.tensors()).isEmpty();
            assertThat(f.metadata()).isEmpty();
        }
    }

    @Test
    void aHeaderLengthOverTheLimitIsRefusedBeforeReadingIt() throws IOException {
        // A sparse file: 100 MB of holes cost no disk.
        Path path = dir.resolve("huge-header.safetensors");
        long length = SafetensorsHeader.MAX_HEADER_BYTES + 1;
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.setLength(8 + length);
            raf.write(file(length, new byte[0], 0));
        }
        assertThatCode(() -> SafetensorsFile.open(path).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(path + ": header length 100000001 exceeds the limit of 100000000 bytes");
    }
}
