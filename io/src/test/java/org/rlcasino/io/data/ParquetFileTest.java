package org.rlcasino.io.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The file layer: footer, chunks and pages, and every damaged or unsupported file refused by name when opened. */
class ParquetFileTest {
    @TempDir
    Path dir;

    static List<Path> fixtures() {
        return ParquetFixtures.all().toList();
    }

    /** One column chunk's pages as the file layer hands them to parquet-column. */
    private record Chunk(boolean dictionary, List<DataPage> pages) {}

    private static List<Chunk> chunks(ParquetFile file) throws Exception {
        List<Chunk> chunks = new ArrayList<>();
        for (int g = 0; g < file.rowGroups(); g++) {
            PageReadStore group = file.readRowGroup(g);
            for (ColumnDescriptor column : file.schema().getColumns()) {
                PageReader reader = group.getPageReader(column);
                List<DataPage> pages = new ArrayList<>();
                for (DataPage page = reader.readPage(); page != null; page = reader.readPage()) {
                    pages.add(page);
                }
                assertThat(pages.stream().mapToLong(DataPage::getValueCount).sum()).isEqualTo(reader.getTotalValueCount());
                chunks.add(new Chunk(reader.readDictionaryPage() != null, pages));
            }
        }
        return chunks;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void eachFixtureHoldsWhatItsNameSays(Path parquet) throws Exception {
        Set<String> says = Set.of(ParquetFixtures.name(parquet).split("-"));
        CompressionCodec codec = says.contains("none") ? CompressionCodec.UNCOMPRESSED
                : says.contains("lz4") ? CompressionCodec.LZ4_RAW
                : CompressionCodec.valueOf(says.stream().filter(s -> Set.of("snappy", "gzip", "zstd").contains(s)).findFirst()
                        .orElseThrow().toUpperCase());
        FileMetaData footer = ParquetFixtures.footer(parquet);
        assertThat(footer.row_groups).flatMap(g -> g.columns).extracting(c -> c.meta_data.codec).containsOnly(codec);
        try (ParquetFile file = ParquetFile.open(parquet)) {
            List<Chunk> chunks = chunks(file);
            List<DataPage> pages = chunks.stream().flatMap(c -> c.pages().stream()).toList();
            assertThat(pages).allMatch(says.contains("v2") ? DataPageV2.class::isInstance : DataPageV1.class::isInstance);
            assertThat(chunks.stream().anyMatch(Chunk::dictionary)).isEqualTo(says.contains("dict"));
            assertThat(file.rowGroups() > 1).isEqualTo(says.contains("groups"));
            assertThat(chunks.stream().anyMatch(c -> c.pages().size() > 1)).isEqualTo(says.contains("pages"));
            Set<String> encodings = pages.stream()
                    .map(p -> p instanceof DataPageV2 v2 ? v2.getDataEncoding() : ((DataPageV1) p).getValueEncoding())
                    .map(Enum::name).collect(Collectors.toSet());
            assertThat(encodings.contains("DELTA_BYTE_ARRAY") && encodings.contains("BYTE_STREAM_SPLIT")).isEqualTo(says.contains("delta"));
            assertThat(file.schema().getColumns()).extracting(c -> c.getPrimitiveType().getPrimitiveTypeName())
                    .matches(types -> types.contains(PrimitiveTypeName.INT96) == says.contains("int96"));
        }
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] fixture(String name) throws Exception {
        return Files.readAllBytes(ParquetFixtures.get(name));
    }

    private static void assertRefused(Path file, String message) {
        assertThatThrownBy(() -> ParquetFile.open(file).close()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": " + message);
    }

    @Test
    void whatIsNotAWholeParquetFileIsRefusedBeforeItsFooterIsRead() throws Exception {
        assertRefused(write("short.parquet", "PAR1PAR1".getBytes(StandardCharsets.US_ASCII)),
                "not a Parquet file: 8 bytes, fewer than the 12 of PAR1, a footer length and PAR1");
        assertRefused(write("json.parquet", "{\"prompt\": \"a\", \"chosen\": \"b\"}\n".getBytes(StandardCharsets.UTF_8)),
                "not a Parquet file: it does not start with PAR1");
        byte[] whole = fixture("preferences-none-dict-v1.parquet");
        assertRefused(write("truncated.parquet", Arrays.copyOf(whole, whole.length - 100)),
                "not a whole Parquet file: it starts with PAR1 but does not end with it (truncated?)");
        byte[] encrypted = whole.clone();
        encrypted[encrypted.length - 1] = 'E';
        assertRefused(write("encrypted.parquet", encrypted), "the footer is encrypted (PARE); encrypted Parquet files are not supported");
    }

    @Test
    void aFooterThatDoesNotFitOrDoesNotParseIsRefused() throws Exception {
        byte[] whole = fixture("preferences-none-dict-v1.parquet");
        byte[] tooLong = whole.clone();
        ByteBuffer.wrap(tooLong).order(ByteOrder.LITTLE_ENDIAN).putInt(tooLong.length - 8, whole.length);
        assertRefused(write("long-footer.parquet", tooLong),
                "the footer length " + whole.length + " does not fit in the file's " + whole.length + " bytes");
        byte[] garbage = whole.clone();
        Arrays.fill(garbage, ParquetFixtures.footerStart(garbage), garbage.length - 8, (byte) 0xff);
        Path file = write("garbage-footer.parquet", garbage);
        assertThatThrownBy(() -> ParquetFile.open(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": cannot read the footer (");
    }

    @Test
    void chunksInAnUnsupportedCodecOrOutsideTheDataAreRefusedWhenTheFileIsOpened() throws Exception {
        assertRefused(ParquetFixtures.get("bad/brotli.parquet"), "row group 0, column 'prompt': compression BROTLI is not supported "
                + "(supported: [UNCOMPRESSED, GZIP, SNAPPY, ZSTD, LZ4_RAW])");
        Path plain = ParquetFixtures.get("preferences-none-dict-v1.parquet");
        Path outside = ParquetFixtures.withFooter(plain, dir.resolve("outside.parquet"),
                meta -> meta.row_groups.getFirst().columns.get(1).meta_data.total_compressed_size += 1_000_000);
        assertThatThrownBy(() -> ParquetFile.open(outside)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(outside + ": row group 0, column 'chosen': the chunk's ")
                .hasMessageContaining("are not within the file's data");
        Path elsewhere = ParquetFixtures.withFooter(plain, dir.resolve("elsewhere.parquet"),
                meta -> meta.row_groups.getFirst().columns.getFirst().setFile_path("part-0.parquet"));
        assertRefused(elsewhere, "row group 0, column 'prompt': the data is in another file (part-0.parquet), which is not supported");
        Path swapped = ParquetFixtures.withFooter(plain, dir.resolve("swapped.parquet"), meta -> {
            List<ColumnChunk> columns = meta.row_groups.getFirst().columns;
            columns.add(0, columns.remove(1));
        });
        assertRefused(swapped, "row group 0, column 'prompt': the chunk is of column 'chosen'");
    }

    @Test
    void anUnreadablePageHeaderNamesTheRowGroupAndColumn() throws Exception {
        byte[] bytes = fixture("preferences-none-dict-v1.parquet");
        Arrays.fill(bytes, 4, 20, (byte) 0xff); // the first chunk's first page header
        Path file = write("damaged.parquet", bytes);
        try (ParquetFile parquet = ParquetFile.open(file)) {
            assertThatThrownBy(() -> parquet.readRowGroup(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(file + ": row group 0, column 'prompt': unreadable page header (");
        }
    }

    @Test
    void theFooterKeepsTheWriterAndTheMagicIsRecognised() throws Exception {
        Path parquet = ParquetFixtures.get("preferences-none-dict-v1.parquet");
        try (ParquetFile file = ParquetFile.open(parquet)) {
            assertThat(file.createdBy()).startsWith("parquet-cpp-arrow version ");
        }
        assertThat(ParquetFile.startsWithMagic(parquet)).isTrue();
        assertThat(ParquetFile.startsWithMagic(ParquetFixtures.jsonl(parquet))).isFalse();
        assertThat(ParquetFile.named(Path.of("a/B.PARQUET"))).isTrue();
        assertThat(ParquetFile.named(Path.of("a/b.parquet.jsonl"))).isFalse();
    }
}
