package org.rlcasino.io.data;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.apache.parquet.schema.MessageType;

/**
 * A Parquet file read without Hadoop: the footer (metadata and schema) when opened, then one row group
 * at a time as parquet-column's decompressed pages, ready for its record assembly. Layout: {@code PAR1},
 * the column chunks (each an optional dictionary page, then data pages, each page a Thrift header and
 * its bytes), the footer (Thrift {@code FileMetaData}), its length (4 bytes, little-endian), {@code PAR1}.
 * A row group's column chunks are read whole (they are what one row group holds); nothing else of the
 * file is held. Every chunk's place, codec and column are checked when the file is opened, so an
 * unsupported or damaged file fails before its first row. Encrypted files and chunks kept in other
 * files are refused. Problems with the file are {@link IllegalArgumentException}s naming it.
 */
final class ParquetFile implements Closeable {
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENCRYPTED_MAGIC = "PARE".getBytes(StandardCharsets.US_ASCII);
    /** {@code PAR1}, the footer's length, {@code PAR1}: the least a file holds. */
    private static final int MIN_SIZE = 2 * MAGIC.length + 4;

    private final Path path;
    private final FileChannel channel;
    private final FileMetaData meta;
    private final MessageType schema;

    private ParquetFile(Path path, FileChannel channel, FileMetaData meta, MessageType schema) {
        this.path = path;
        this.channel = channel;
        this.meta = meta;
        this.schema = schema;
    }

    /** Whether the file's name says Parquet: it ends with {@code .parquet} (any case). */
    static boolean named(Path path) {
        String name = path.getFileName().toString();
        return name.regionMatches(true, name.length() - ".parquet".length(), ".parquet", 0, ".parquet".length());
    }

    /** Whether the file starts with {@code PAR1}, as a Parquet file does. */
    static boolean startsWithMagic(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return channel.size() >= MAGIC.length && Arrays.equals(read(channel, 0, MAGIC.length), MAGIC);
        }
    }

    /** Opens the file and reads its footer; the caller closes it. */
    static ParquetFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < MIN_SIZE) {
                throw bad(path, "not a Parquet file: " + size + " bytes, fewer than the " + MIN_SIZE
                        + " of PAR1, a footer length and PAR1");
            }
            if (!Arrays.equals(read(channel, 0, MAGIC.length), MAGIC)) {
                throw bad(path, "not a Parquet file: it does not start with PAR1");
            }
            ByteBuffer tail = ByteBuffer.wrap(read(channel, size - 8, 8)).order(ByteOrder.LITTLE_ENDIAN);
            byte[] tailMagic = Arrays.copyOfRange(tail.array(), 4, 8);
            if (Arrays.equals(tailMagic, ENCRYPTED_MAGIC)) {
                throw bad(path, "the footer is encrypted (PARE); encrypted Parquet files are not supported");
            }
            if (!Arrays.equals(tailMagic, MAGIC)) {
                throw bad(path, "not a whole Parquet file: it starts with PAR1 but does not end with it (truncated?)");
            }
            int footerLength = tail.getInt(0);
            long footerStart = size - 8 - footerLength;
            if (footerLength <= 0 || footerStart < MAGIC.length) {
                throw bad(path, "the footer length " + footerLength + " does not fit in the file's " + size + " bytes");
            }
            FileMetaData meta;
            try {
                meta = Util.readFileMetaData(new ByteArrayInputStream(read(channel, footerStart, footerLength)));
            } catch (IOException e) {
                throw bad(path, "cannot read the footer (" + e.getMessage() + ")");
            }
            if (meta.isSetEncryption_algorithm()) {
                throw bad(path, "the file is encrypted; encrypted Parquet files are not supported");
            }
            MessageType schema;
            try {
                schema = ParquetSchema.of(meta.schema);
            } catch (IllegalArgumentException e) {
                throw bad(path, e.getMessage());
            }
            ParquetFile file = new ParquetFile(path, channel, meta, schema);
            file.checkChunks(footerStart);
            return file;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The file's schema. */
    MessageType schema() {
        return schema;
    }

    /** The writer the footer names ({@code created_by}), which parquet-column uses to work around old writers' bugs. */
    String createdBy() {
        return meta.created_by;
    }

    /** How many row groups the file has. */
    int rowGroups() {
        return meta.row_groups.size();
    }

    /** Row group {@code index}: every column chunk read and its pages decompressed. */
    PageReadStore readRowGroup(int index) throws IOException {
        RowGroup group = meta.row_groups.get(index);
        List<ColumnDescriptor> columns = schema.getColumns();
        Map<ColumnDescriptor, PageReader> readers = new HashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            readers.put(columns.get(c), readChunk(index, columns.get(c), group.columns.get(c).meta_data));
        }
        return new RowGroupPages(group.num_rows, readers);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Checks that each row group has a chunk per column, in the file's data part, in a supported codec. */
    private void checkChunks(long footerStart) {
        List<ColumnDescriptor> columns = schema.getColumns();
        for (int g = 0; g < rowGroups(); g++) {
            RowGroup group = meta.row_groups.get(g);
            if (group.columns.size() != columns.size()) {
                throw bad(path, "row group " + g + " has " + group.columns.size() + " column chunks for the schema's "
                        + columns.size() + " columns");
            }
            for (int c = 0; c < columns.size(); c++) {
                ColumnChunk chunk = group.columns.get(c);
                String where = where(g, columns.get(c));
                if (chunk.file_path != null && !chunk.file_path.isEmpty()) {
                    throw bad(path, where + ": the data is in another file (" + chunk.file_path + "), which is not supported");
                }
                ColumnMetaData m = chunk.meta_data;
                if (m == null) {
                    throw bad(path, where + ": the chunk has no metadata (an encrypted column?)");
                }
                if (!m.path_in_schema.equals(List.of(columns.get(c).getPath()))) {
                    throw bad(path, where + ": the chunk is of column '" + String.join(".", m.path_in_schema) + "'");
                }
                long start = start(m);
                if (start < MAGIC.length || m.total_compressed_size <= 0 || m.total_compressed_size > footerStart - start
                        || m.total_compressed_size > Integer.MAX_VALUE - 8) {
                    throw bad(path, where + ": the chunk's " + m.total_compressed_size + " bytes at " + start
                            + " are not within the file's data (" + MAGIC.length + " to " + footerStart + ")");
                }
                try {
                    ParquetCodec.of(m.codec);
                } catch (IllegalArgumentException e) {
                    throw bad(path, where + ": " + e.getMessage());
                }
            }
        }
    }

    /** A chunk starts at its dictionary page when it has one (some writers give offset 0 for none). */
    private static long start(ColumnMetaData m) {
        return m.isSetDictionary_page_offset() && m.dictionary_page_offset > 0 && m.dictionary_page_offset < m.data_page_offset
                ? m.dictionary_page_offset : m.data_page_offset;
    }

    private PageReader readChunk(int group, ColumnDescriptor column, ColumnMetaData m) throws IOException {
        ParquetCodec codec = ParquetCodec.of(m.codec);
        byte[] bytes = read(channel, start(m), (int) m.total_compressed_size);
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        DictionaryPage dictionary = null;
        List<DataPage> pages = new ArrayList<>();
        long values = 0;
        try {
            while (values < m.num_values) {
                if (in.available() == 0) {
                    throw new IllegalArgumentException("the chunk ends after " + values + " of its " + m.num_values + " values");
                }
                PageHeader header;
                try {
                    header = Util.readPageHeader(in);
                } catch (IOException e) {
                    throw new IllegalArgumentException("unreadable page header (" + e.getMessage() + ")", e);
                }
                int offset = bytes.length - in.available();
                int length = header.compressed_page_size;
                if (length < 0 || length > in.available()) {
                    throw new IllegalArgumentException("a page of " + length + " bytes overruns the chunk");
                }
                in.skipNBytes(length);
                DataPage page = switch (header.type) {
                    case DICTIONARY_PAGE -> {
                        if (dictionary != null || values > 0) {
                            throw new IllegalArgumentException("a dictionary page that is not the chunk's first page");
                        }
                        dictionary = new DictionaryPage(codec.decompress(bytes, offset, length, header.uncompressed_page_size),
                                header.dictionary_page_header.num_values, encoding(header.dictionary_page_header.encoding));
                        yield null;
                    }
                    case DATA_PAGE -> pageV1(header, codec.decompress(bytes, offset, length, header.uncompressed_page_size));
                    case DATA_PAGE_V2 -> pageV2(header, codec, bytes, offset, length);
                    default -> null; // INDEX_PAGE: no reader uses it
                };
                if (page != null) {
                    values += page.getValueCount();
                    // parquet-column's column reader takes every page to hold a value; Arrow C++ writes empty
                    // ones (with small pages).
                    if (page.getValueCount() > 0) {
                        pages.add(page);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            throw bad(path, where(group, column) + ": " + e.getMessage());
        }
        return new ChunkPages(dictionary, pages.iterator(), m.num_values);
    }

    private static DataPage pageV1(PageHeader header, BytesInput bytes) {
        DataPageHeader d = header.data_page_header;
        // Page statistics serve filtering, which this reader does not do.
        return new DataPageV1(bytes, d.num_values, header.uncompressed_page_size, null, encoding(d.repetition_level_encoding),
                encoding(d.definition_level_encoding), encoding(d.encoding));
    }

    /** A v2 page: its levels first, never compressed, then its values, compressed when is_compressed says so. */
    private static DataPage pageV2(PageHeader header, ParquetCodec codec, byte[] bytes, int offset, int length) {
        DataPageHeaderV2 d = header.data_page_header_v2;
        int rl = d.repetition_levels_byte_length;
        int dl = d.definition_levels_byte_length;
        if (rl < 0 || dl < 0 || rl + dl > length) {
            throw new IllegalArgumentException("a v2 page's levels overrun the page");
        }
        int start = offset + rl + dl;
        int size = length - rl - dl;
        BytesInput values = d.is_compressed
                ? codec.decompress(bytes, start, size, header.uncompressed_page_size - rl - dl)
                : BytesInput.from(bytes, start, size);
        return DataPageV2.uncompressed(d.num_rows, d.num_nulls, d.num_values, BytesInput.from(bytes, offset, rl),
                BytesInput.from(bytes, offset + rl, dl), encoding(d.encoding), values, null);
    }

    private static Encoding encoding(org.apache.parquet.format.Encoding encoding) {
        return Encoding.valueOf(encoding.name());
    }

    private static String where(int group, ColumnDescriptor column) {
        return "row group " + group + ", column '" + String.join(".", column.getPath()) + "'";
    }

    private static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException("the file ends at " + (position + buffer.position()) + " bytes");
            }
        }
        return buffer.array();
    }

    private static IllegalArgumentException bad(Path path, String message) {
        return new IllegalArgumentException(path + ": " + message);
    }

    /** One column chunk's pages, handed to parquet-column in order. */
    private static final class ChunkPages implements PageReader {
        private final DictionaryPage dictionary;
        private final Iterator<DataPage> pages;
        private final long valueCount;

        ChunkPages(DictionaryPage dictionary, Iterator<DataPage> pages, long valueCount) {
            this.dictionary = dictionary;
            this.pages = pages;
            this.valueCount = valueCount;
        }

        @Override
        public DictionaryPage readDictionaryPage() {
            return dictionary;
        }

        @Override
        public long getTotalValueCount() {
            return valueCount;
        }

        @Override
        public DataPage readPage() {
            return pages.hasNext() ? pages.next() : null;
        }
    }

    /** One row group's column chunks. */
    private static final class RowGroupPages implements PageReadStore {
        private final long rowCount;
        private final Map<ColumnDescriptor, PageReader> readers;

        RowGroupPages(long rowCount, Map<ColumnDescriptor, PageReader> readers) {
            this.rowCount = rowCount;
            this.readers = readers;
        }

        @Override
        public PageReader getPageReader(ColumnDescriptor column) {
            return readers.get(column);
        }

        @Override
        public long getRowCount() {
            return rowCount;
        }
    }
}
