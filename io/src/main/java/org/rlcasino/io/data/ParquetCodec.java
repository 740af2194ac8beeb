package org.rlcasino.io.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.format.CompressionCodec;

/**
 * The page compressions {@link ParquetFile} reads: none, GZIP (java.util.zip), and Snappy, ZSTD and
 * LZ4_RAW (aircompressor, pure Java). The others are refused by name: BROTLI and LZO, and LZ4, the
 * deprecated Hadoop-framed codec that LZ4_RAW replaced.
 */
enum ParquetCodec {
    UNCOMPRESSED(null),
    GZIP(ParquetCodec::gunzip),
    SNAPPY((in, offset, length, out) -> new SnappyDecompressor().decompress(in, offset, length, out, 0, out.length)),
    ZSTD((in, offset, length, out) -> new ZstdDecompressor().decompress(in, offset, length, out, 0, out.length)),
    LZ4_RAW((in, offset, length, out) -> new Lz4Decompressor().decompress(in, offset, length, out, 0, out.length));

    /** Decompresses {@code in[offset, offset + length)} into {@code out}; the bytes written, or more than fit. */
    private interface Inflater {
        int inflate(byte[] in, int offset, int length, byte[] out) throws IOException;
    }

    private final Inflater inflater;

    ParquetCodec(Inflater inflater) {
        this.inflater = inflater;
    }

    /** The codec a column chunk names; an unsupported one is refused with its name. */
    static ParquetCodec of(CompressionCodec codec) {
        return switch (codec) {
            case UNCOMPRESSED -> UNCOMPRESSED;
            case GZIP -> GZIP;
            case SNAPPY -> SNAPPY;
            case ZSTD -> ZSTD;
            case LZ4_RAW -> LZ4_RAW;
            case LZ4 -> throw unsupported("LZ4 (the deprecated Hadoop-framed codec; rewrite the file with LZ4_RAW)");
            default -> throw unsupported(codec.name());
        };
    }

    private static IllegalArgumentException unsupported(String codec) {
        return new IllegalArgumentException("compression " + codec + " is not supported (supported: "
                + Arrays.toString(values()) + ")");
    }

    /**
     * The {@code size} bytes that {@code in[offset, offset + length)} holds compressed.
     *
     * @throws IllegalArgumentException the bytes are not this codec's, or do not decompress to {@code size} bytes
     */
    BytesInput decompress(byte[] in, int offset, int length, int size) {
        if (inflater == null) {
            if (length != size) {
                throw new IllegalArgumentException("an uncompressed page of " + length + " bytes says it holds " + size);
            }
            return BytesInput.from(in, offset, length);
        }
        byte[] out = new byte[size];
        int n;
        try {
            n = inflater.inflate(in, offset, length, out);
        } catch (IOException | MalformedInputException e) {
            throw new IllegalArgumentException("cannot decompress a " + this + " page (" + e.getMessage() + ")", e);
        }
        if (n != size) {
            throw new IllegalArgumentException("a " + this + " page decompresses to " + (n > size ? "more than" : n + " bytes, not")
                    + " the " + size + " bytes its header gives");
        }
        return BytesInput.from(out);
    }

    /** GZIP members (java.util.zip), reading one byte past {@code out} to tell a page that holds more. */
    private static int gunzip(byte[] in, int offset, int length, byte[] out) throws IOException {
        try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(in, offset, length))) {
            return gzip.readNBytes(out, 0, out.length) + (gzip.read() < 0 ? 0 : 1);
        }
    }
}
