package org.rlcasino.io.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.apache.parquet.format.CompressionCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Page decompression: the supported codecs (the fixtures hold pages of each), the rest refused by name, damage reported. */
class ParquetCodecTest {
    private static final byte[] TEXT = "What is 2 + 2? What is 2 + 2? What is 2 + 2?".getBytes(StandardCharsets.UTF_8);

    private static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void codecsWithoutAReaderAreRefusedByName() {
        assertThatThrownBy(() -> ParquetCodec.of(CompressionCodec.BROTLI)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("compression BROTLI is not supported (supported: [UNCOMPRESSED, GZIP, SNAPPY, ZSTD, LZ4_RAW])");
        assertThatThrownBy(() -> ParquetCodec.of(CompressionCodec.LZO)).hasMessageStartingWith("compression LZO is not supported");
        assertThatThrownBy(() -> ParquetCodec.of(CompressionCodec.LZ4)).hasMessageStartingWith(
                "compression LZ4 (the deprecated Hadoop-framed codec; rewrite the file with LZ4_RAW) is not supported");
        assertThat(ParquetCodec.of(CompressionCodec.LZ4_RAW)).isEqualTo(ParquetCodec.LZ4_RAW);
    }

    @Test
    void pagesDecompressToTheSizeTheirHeaderGives() throws Exception {
        byte[] page = gzip(TEXT);
        byte[] padded = new byte[page.length + 3];
        System.arraycopy(page, 0, padded, 3, page.length);
        assertThat(ParquetCodec.GZIP.decompress(padded, 3, page.length, TEXT.length).toByteArray()).isEqualTo(TEXT);
        assertThat(ParquetCodec.UNCOMPRESSED.decompress(padded, 3, 5, 5).toByteArray()).isEqualTo(Arrays.copyOf(page, 5));
        assertThatThrownBy(() -> ParquetCodec.GZIP.decompress(page, 0, page.length, TEXT.length + 1))
                .hasMessage("a GZIP page decompresses to " + TEXT.length + " bytes, not the " + (TEXT.length + 1) + " bytes its header gives");
        assertThatThrownBy(() -> ParquetCodec.GZIP.decompress(page, 0, page.length, TEXT.length - 1))
                .hasMessage("a GZIP page decompresses to more than the " + (TEXT.length - 1) + " bytes its header gives");
        assertThatThrownBy(() -> ParquetCodec.UNCOMPRESSED.decompress(page, 0, 5, 6))
                .hasMessage("an uncompressed page of 5 bytes says it holds 6");
    }

    @Test
    void damagedPagesAreReportedWithTheirCodec() {
        for (ParquetCodec codec : new ParquetCodec[] {ParquetCodec.GZIP, ParquetCodec.SNAPPY, ParquetCodec.ZSTD, ParquetCodec.LZ4_RAW}) {
            assertThatThrownBy(() -> codec.decompress(TEXT, 0, TEXT.length, 100)).as(codec.name())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cannot decompress a " + codec + " page (");
        }
    }
}
