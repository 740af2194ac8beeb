package org.rlcasino.io.arrow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * The content checksums of an RL Casino Arrow file, algorithm {@value #ALGORITHM}: one CRC32C
 * (Castagnoli, {@link CRC32C}) per record batch, in file order, over
 * <ol>
 *   <li>the batch's row count, then each field node's length and null count (depth-first, in
 *       schema order), each as an 8-byte little-endian integer;</li>
 *   <li>then every buffer of the batch (validity, offsets, data of each vector, in the order of
 *       the record batch message), each exactly its recorded length, without the padding
 *       between buffers.</li>
 * </ol>
 * Only written bytes count, never a buffer's spare capacity or padding, so the value depends on
 * the batch's contents alone, not on the allocator or on how Arrow aligned the body. Dictionary
 * batches are not covered. Footer metadata {@link RlcasinoArrowFile#CHECKSUM} names the
 * algorithm and {@link RlcasinoArrowFile#CHECKSUMS} lists the values as a JSON array of
 * 8-digit lower-case hex strings, one per record batch.
 */
final class BatchChecksums {
    /** The value of {@link RlcasinoArrowFile#CHECKSUM} for this algorithm. */
    static final String ALGORITHM = "crc32c-per-batch-v1";

    private static final HexFormat HEX = HexFormat.of();
    /** CRC32C accepts at most an int's worth of bytes per call. */
    private static final int MAX_SPAN = 1 << 30;

    private int[] values;
    private int count;

    /** An empty list, to append the checksum of each batch as it is written. */
    BatchChecksums() {
        this(new int[16], 0);
    }

    private BatchChecksums(int[] values, int count) {
        this.values = values;
        this.count = count;
    }

    /** Appends the checksum of {@code batch}. */
    void add(ArrowRecordBatch batch) {
        if (count == values.length) {
            values = Arrays.copyOf(values, 2 * values.length);
        }
        values[count++] = of(batch);
    }

    /** Number of batches listed. */
    int size() {
        return count;
    }

    /** The checksum of batch {@code index}. */
    int get(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("checksum " + index + " of " + count);
        }
        return values[index];
    }

    /** The value of {@link RlcasinoArrowFile#CHECKSUMS}: {@code ["89abcdef", …]}. */
    String toJson() {
        StringBuilder json = new StringBuilder(2 + 11 * count).append('[');
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "\"" : ",\"").append(hex(values[i])).append('"');
        }
        return json.append(']').toString();
    }

    /**
     * Parses {@link RlcasinoArrowFile#CHECKSUMS}.
     *
     * @throws IllegalArgumentException if it is not a JSON array of 8-digit hex strings
     */
    static BatchChecksums parse(String json) {
        JsonNode node = MetadataJson.parse(RlcasinoArrowFile.CHECKSUMS, json);
        if (!node.isArray()) {
            throw new IllegalArgumentException(RlcasinoArrowFile.CHECKSUMS + " must be a JSON array of 8-digit hex strings, got "
                    + abbreviate(json));
        }
        int[] values = new int[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode value = node.get(i);
            String text = value.isTextual() ? value.asText() : "";
            if (text.length() != 8 || !text.chars().allMatch(HexFormat::isHexDigit)) {
                throw new IllegalArgumentException(RlcasinoArrowFile.CHECKSUMS + "[" + i + "] must be an 8-digit hex string, got " + value);
            }
            values[i] = HexFormat.fromHexDigits(text);
        }
        return new BatchChecksums(values, values.length);
    }

    /** The CRC32C of {@code batch} as defined above. */
    static int of(ArrowRecordBatch batch) {
        CRC32C crc = new CRC32C();
        List<ArrowFieldNode> nodes = batch.getNodes();
        ByteBuffer counts = ByteBuffer.allocate(Long.BYTES * (1 + 2 * nodes.size())).order(ByteOrder.LITTLE_ENDIAN);
        counts.putLong(batch.getLength());
        for (ArrowFieldNode node : nodes) {
            counts.putLong(node.getLength()).putLong(node.getNullCount());
        }
        crc.update(counts.flip());
        for (ArrowBuf buffer : batch.getBuffers()) {
            // readable bytes = the length the message records for this buffer, on the writer's side and the reader's
            long from = buffer.readerIndex();
            long left = buffer.readableBytes();
            while (left > 0) {
                int span = (int) Math.min(left, MAX_SPAN);
                crc.update(buffer.nioBuffer(from, span));
                from += span;
                left -= span;
            }
        }
        return (int) crc.getValue();
    }

    /** {@code value} as 8 lower-case hex digits. */
    static String hex(int value) {
        return HEX.toHexDigits(value);
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
