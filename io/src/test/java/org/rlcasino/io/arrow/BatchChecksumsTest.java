package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowBuffer;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchChecksumsTest {
    @TempDir
    Path dir;
    BufferAllocator allocator;

    @BeforeEach
    void openAllocator() {
        allocator = new RootAllocator(64L << 20);
    }

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
        allocator.close();
    }

    /** A small file of {@code format} with several record batches, written by the project's writer. */
    private Path write(RlcasinoFormat format, String name) throws IOException {
        Path file = dir.resolve(name);
        switch (format) {
            case DELTAS -> DeltaStreamWriterTest.write(file, DeltaStreamWriterTest.randomDeltas(1, 2), new int[] {1, 2},
                    DeltaStreamOptions.DEFAULTS.withBatching(new Batching(64, 256)), allocator, 3);
            case SCORES -> ScoreFileWriterTest.write(file, ScoreFileWriterTest.randomScores(2), allocator);
            case MASK -> MaskFileWriterTest.write(file, MaskFileWriterTest.randomMask(3, 0.1), allocator);
            case METRICS -> MetricTableWriterTest.write(file, 11, allocator);
        }
        return file;
    }

    /** Everything the format's reader returns, one line per chunk, tensor or row. */
    private List<String> contents(RlcasinoFormat format, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        switch (format) {
            case DELTAS, SCORES -> {
                try (FloatChunkFileReader reader = format == RlcasinoFormat.DELTAS ? DeltaStreamReader.open(file, allocator)
                        : ScoreFileReader.open(file, allocator)) {
                    float[] values = new float[reader.batching().chunkElements()];
                    while (reader.next()) {
                        reader.readValues(values, 0);
                        String step = reader instanceof DeltaStreamReader deltas ? deltas.step() + " " : "";
                        lines.add(step + reader.tensor().name() + " " + reader.offset() + " "
                                + Arrays.toString(Arrays.copyOf(values, reader.length())));
                    }
                }
            }
            case MASK -> {
                try (MaskFileReader reader = MaskFileReader.open(file, allocator)) {
                    for (MaskTensor tensor = reader.nextTensor(); tensor != null; tensor = reader.nextTensor()) {
                        lines.add(tensor.tensor().name() + " " + Arrays.toString(tensor.indices()) + " " + tensor.blocks());
                    }
                }
            }
            case METRICS -> {
                try (MetricTableReader reader = MetricTableReader.open(file, allocator)) {
                    while (reader.next()) {
                        lines.add(reader.row().toString());
                    }
                }
            }
        }
        return lines;
    }

    /** Record batch {@code batch} of {@code file} as Arrow wrote it: its block and its message (nodes, buffer layout). */
    private <T> T inspectBatch(Path file, int batch, BatchInspector<T> inspector) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            ArrowBlock block = reader.getRecordBlocks().get(batch);
            channel.position(block.getOffset());
            try (ArrowRecordBatch message = MessageSerializer.deserializeRecordBatch(new ReadChannel(channel), block, allocator)) {
                return inspector.apply(block, message);
            }
        }
    }

    private interface BatchInspector<T> {
        T apply(ArrowBlock block, ArrowRecordBatch message);
    }

    private int batchCount(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            return reader.getRecordBlocks().size();
        }
    }

    /** File position of the middle byte of the largest buffer (the values) of record batch {@code batch}. */
    private long valueByte(Path file, int batch) throws IOException {
        return inspectBatch(file, batch, (block, message) -> {
            ArrowBuffer largest = message.getBuffersLayout().stream().max(Comparator.comparingLong(ArrowBuffer::getSize)).orElseThrow();
            return block.getOffset() + block.getMetadataLength() + largest.getOffset() + largest.getSize() / 2;
        });
    }

    /** A copy of {@code file} with one bit of the byte at {@code position} flipped. */
    private static Path flipped(Path file, Path target, long position) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[Math.toIntExact(position)] ^= 1;
        Files.write(target, bytes);
        return target;
    }

    /** The documented checksum of record batch {@code batch}, recomputed from the file's bytes. */
    private int documentedChecksum(Path file, int batch) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return inspectBatch(file, batch, (block, message) -> {
            CRC32C crc = new CRC32C();
            ByteBuffer counts = ByteBuffer.allocate(8 * (1 + 2 * message.getNodes().size())).order(ByteOrder.LITTLE_ENDIAN);
            counts.putLong(message.getLength());
            for (ArrowFieldNode node : message.getNodes()) {
                counts.putLong(node.getLength()).putLong(node.getNullCount());
            }
            crc.update(counts.array());
            long body = block.getOffset() + block.getMetadataLength();
            for (ArrowBuffer buffer : message.getBuffersLayout()) {
                crc.update(bytes, Math.toIntExact(body + buffer.getOffset()), Math.toIntExact(buffer.getSize()));
            }
            return (int) crc.getValue();
        });
    }

    @ParameterizedTest
    @EnumSource(RlcasinoFormat.class)
    void aFlippedBitInARecordBatchIsReportedAsCorruptionOfThatFileAndBatch(RlcasinoFormat format) throws IOException {
        Path valid = write(format, "valid.arrow");
        assertThat(batchCount(valid)).as("batches").isGreaterThanOrEqualTo(3);
        List<String> expected = contents(format, valid);
        Path damaged = flipped(valid, dir.resolve("damaged.arrow"), valueByte(valid, 1));

        assertThatThrownBy(() -> contents(format, damaged)).isInstanceOf(ArrowFormatException.class)
                .hasMessageStartingWith("damaged.arrow: record batch 1 is corrupt (CRC32C mismatch: its contents hash to ")
                .hasMessageContaining("the file was damaged after it was written")
                .hasMessageEndingWith("produce it again with " + format.producer());
        assertThat(contents(format, valid)).isEqualTo(expected);
    }

    @Test
    void withoutChecksumsTheSameFlipGoesUnnoticed() throws IOException {
        Path valid = write(RlcasinoFormat.SCORES, "valid.arrow");
        Path damaged = flipped(valid, dir.resolve("damaged.arrow"), valueByte(valid, 1));
        Path unchecked = dir.resolve("unchecked.arrow");
        ArrowTestFiles.rewrite(damaged, unchecked, m -> m, f -> f, b -> { }, allocator);

        assertThat(ArrowTestFiles.footer(unchecked, allocator)).doesNotContainKeys(RlcasinoArrowFile.CHECKSUM, RlcasinoArrowFile.CHECKSUMS);
        assertThat(contents(RlcasinoFormat.SCORES, unchecked)).isNotEqualTo(contents(RlcasinoFormat.SCORES, valid));
    }

    @ParameterizedTest
    @EnumSource(RlcasinoFormat.class)
    void aFileWithoutChecksumsStillReads(RlcasinoFormat format) throws IOException {
        Path valid = write(format, "valid.arrow");
        Path older = dir.resolve("older.arrow");
        ArrowTestFiles.rewrite(valid, older, m -> m, f -> f, b -> { }, allocator);

        assertThat(ArrowTestFiles.footer(older, allocator)).doesNotContainKeys(RlcasinoArrowFile.CHECKSUM, RlcasinoArrowFile.CHECKSUMS);
        assertThat(contents(format, older)).isEqualTo(contents(format, valid));
        assertThat(RlcasinoArrowFile.formatOf(older)).isEqualTo(format);
    }

    @ParameterizedTest
    @EnumSource(RlcasinoFormat.class)
    void theChecksumsAreTheDocumentedCrc32cAndStableAcrossWrites(RlcasinoFormat format) throws IOException {
        Path first = write(format, "first.arrow");
        Path second = write(format, "second.arrow");
        Map<String, String> footer = ArrowTestFiles.footer(first, allocator);

        assertThat(footer).containsEntry(RlcasinoArrowFile.CHECKSUM, "crc32c-per-batch-v1");
        assertThat(ArrowTestFiles.footer(second, allocator).get(RlcasinoArrowFile.CHECKSUMS)).isEqualTo(footer.get(RlcasinoArrowFile.CHECKSUMS));
        BatchChecksums stored = BatchChecksums.parse(footer.get(RlcasinoArrowFile.CHECKSUMS));
        assertThat(stored.size()).isEqualTo(batchCount(first));
        for (int b = 0; b < stored.size(); b++) {
            assertThat(BatchChecksums.hex(stored.get(b))).as("batch %d", b).isEqualTo(BatchChecksums.hex(documentedChecksum(first, b)));
        }
    }

    @ParameterizedTest
    @EnumSource(RlcasinoFormat.class)
    void anotherArrowWritersCopyWithTheFooterKeptStillVerifies(RlcasinoFormat format) throws IOException {
        // Arrow Java re-encodes every buffer from freshly allocated memory: the checksums depend on the contents only.
        Path valid = write(format, "valid.arrow");
        Map<String, String> footer = ArrowTestFiles.footer(valid, allocator);
        Path copy = dir.resolve("copy.arrow");
        ArrowTestFiles.rewrite(valid, copy, m -> m, f -> footer, b -> { }, allocator);

        assertThat(ArrowTestFiles.footer(copy, allocator)).containsKeys(RlcasinoArrowFile.CHECKSUM, RlcasinoArrowFile.CHECKSUMS);
        assertThat(contents(format, copy)).isEqualTo(contents(format, valid));
    }

    @Test
    void damagedChecksumMetadataIsReported() throws IOException {
        Path valid = write(RlcasinoFormat.SCORES, "valid.arrow");
        Map<String, String> footer = ArrowTestFiles.footer(valid, allocator);
        String checksums = footer.get(RlcasinoArrowFile.CHECKSUMS);

        Path newer = withFooter(valid, "newer.arrow", Map.of(RlcasinoArrowFile.CHECKSUM, "xxh3-per-page-v2", RlcasinoArrowFile.CHECKSUMS, checksums));
        assertThatThrownBy(() -> contents(RlcasinoFormat.SCORES, newer)).isInstanceOf(ArrowFormatException.class)
                .hasMessage("newer.arrow: footer metadata rlcasino.checksum names the checksum \"xxh3-per-page-v2\", which this version of "
                        + "RL Casino does not know (it checks crc32c-per-batch-v1): upgrade RL Casino if the file comes from a newer one");

        Path noList = withFooter(valid, "nolist.arrow", Map.of(RlcasinoArrowFile.CHECKSUM, "crc32c-per-batch-v1"));
        assertThatThrownBy(() -> contents(RlcasinoFormat.SCORES, noList)).isInstanceOf(ArrowFormatException.class)
                .hasMessageStartingWith("nolist.arrow is a rlcasino.scores file without rlcasino.checksums footer metadata");
        Path noAlgorithm = withFooter(valid, "noalgorithm.arrow", Map.of(RlcasinoArrowFile.CHECKSUMS, checksums));
        assertThatThrownBy(() -> contents(RlcasinoFormat.SCORES, noAlgorithm)).isInstanceOf(ArrowFormatException.class)
                .hasMessageStartingWith("noalgorithm.arrow is a rlcasino.scores file without rlcasino.checksum footer metadata");

        Path notHex = withFooter(valid, "nothex.arrow", Map.of(RlcasinoArrowFile.CHECKSUM, "crc32c-per-batch-v1",
                RlcasinoArrowFile.CHECKSUMS, checksums.replaceFirst("\"[0-9a-f]{8}\"", "\"12345g78\"")));
        assertThatThrownBy(() -> contents(RlcasinoFormat.SCORES, notHex)).isInstanceOf(ArrowFormatException.class)
                .hasMessageStartingWith("nothex.arrow: metadata rlcasino.checksums is invalid: rlcasino.checksums[0] must be an 8-digit hex string, "
                        + "got \"12345g78\"");
        Path tooFew = withFooter(valid, "toofew.arrow", Map.of(RlcasinoArrowFile.CHECKSUM, "crc32c-per-batch-v1",
                RlcasinoArrowFile.CHECKSUMS, "[\"00000000\"]"));
        assertThatThrownBy(() -> contents(RlcasinoFormat.SCORES, tooFew)).isInstanceOf(ArrowFormatException.class)
                .hasMessageStartingWith("toofew.arrow: metadata rlcasino.checksums lists 1 checksums for " + batchCount(valid) + " record batches");
    }

    private Path withFooter(Path source, String name, Map<String, String> checksumKeys) throws IOException {
        Path target = dir.resolve(name);
        ArrowTestFiles.rewrite(source, target, m -> m, f -> {
            f.putAll(checksumKeys);
            return f;
        }, b -> { }, allocator);
        return target;
    }

    @Test
    void listsRoundTripThroughJson() {
        BatchChecksums empty = new BatchChecksums();
        assertThat(empty.toJson()).isEqualTo("[]");
        assertThat(BatchChecksums.parse("[]").size()).isZero();
        BatchChecksums parsed = BatchChecksums.parse("[\"00000000\",\"ffffffff\",\"0A1b2C3d\"]");
        assertThat(parsed.size()).isEqualTo(3);
        assertThat(parsed.get(1)).isEqualTo(-1);
        assertThat(parsed.get(2)).isEqualTo(0x0a1b2c3d);
        assertThat(BatchChecksums.hex(0x0a1b2c3d)).isEqualTo("0a1b2c3d");
        assertThatThrownBy(() -> parsed.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> BatchChecksums.parse("{\"a\":1}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rlcasino.checksums must be a JSON array of 8-digit hex strings, got {\"a\":1}");
        assertThatThrownBy(() -> BatchChecksums.parse("[12345678]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rlcasino.checksums[0] must be an 8-digit hex string, got 12345678");
        assertThatThrownBy(() -> BatchChecksums.parse("[\"1234567\"]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rlcasino.checksums[0] must be an 8-digit hex string, got \"1234567\"");
        assertThatThrownBy(() -> BatchChecksums.parse("[\"1234")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rlcasino.checksums is not valid JSON");
    }
}
