package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The part every reader shares: recognising an Arrow IPC file (and saying clearly when it is
 * something else or truncated), checking {@code rlcasino.format} and {@code rlcasino.version},
 * the columns, a bounded child allocator, and loading record batches one at a time, each checked
 * against its checksum ({@link BatchChecksums}) when the footer lists them, with any Arrow
 * failure turned into an {@link ArrowFormatException} that names the file.
 */
final class ArrowFileInput implements AutoCloseable {
    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final RlcasinoFormat format;
    private final BufferAllocator allocator;
    private final ChecksummingReader reader;
    private final VectorSchemaRoot root;
    private final Map<String, String> metadata;
    private final Map<String, String> footer;
    private final List<ArrowBlock> blocks;
    private int nextBlock;

    private ArrowFileInput(Path file, RlcasinoFormat format, BufferAllocator allocator, ChecksummingReader reader,
                           VectorSchemaRoot root, Map<String, String> metadata, Map<String, String> footer, List<ArrowBlock> blocks) {
        this.file = file;
        this.format = format;
        this.allocator = allocator;
        this.reader = reader;
        this.root = root;
        this.metadata = metadata;
        this.footer = footer;
        this.blocks = blocks;
    }

    /**
     * Opens {@code file} and checks that it is a whole Arrow IPC file of format {@code expected}
     * (any RL Casino format if null) with a version this code reads.
     */
    static ArrowFileInput open(Path file, RlcasinoFormat expected, BufferAllocator parent) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        if (parent == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        BufferAllocator allocator = null;
        ChecksummingReader reader = null;
        try {
            checkMagic(name, channel, expected);
            allocator = parent.newChildAllocator((expected == null ? "rlcasino" : expected.formatName()) + " reader " + name,
                    0, Math.min(parent.getLimit(), Batching.DEFAULTS.allocationLimit()));
            reader = new ChecksummingReader(channel, allocator);
            VectorSchemaRoot root;
            List<ArrowBlock> blocks;
            try {
                root = reader.getVectorSchemaRoot();
                blocks = reader.getRecordBlocks();
            } catch (IOException | RuntimeException e) {
                throw new ArrowFormatException(name + " is a damaged Arrow file: its footer, schema or dictionaries cannot be read ("
                        + (e.getMessage() != null ? e.getMessage() : e.toString()) + "); produce it again" + producerHint(expected), e);
            }
            Schema schema = root.getSchema();
            Map<String, String> metadata = schema.getCustomMetadata() == null ? Map.of() : schema.getCustomMetadata();
            RlcasinoFormat format = checkFormat(name, metadata, expected);
            checkVersion(name, metadata, format);
            Map<String, String> footer = Collections.unmodifiableMap(reader.getMetaData());
            ArrowFileInput input = new ArrowFileInput(file, format, allocator, reader, root, Collections.unmodifiableMap(metadata), footer,
                    List.copyOf(blocks));
            input.expectChecksums();
            return input;
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader, channel, allocator);
            throw e;
        }
    }

    /**
     * Arms the per-batch check from the footer's {@link RlcasinoArrowFile#CHECKSUM} and
     * {@link RlcasinoArrowFile#CHECKSUMS}; a file with neither (written before checksums existed,
     * or by another tool) is read without a check.
     */
    private void expectChecksums() {
        String algorithm = footer.get(RlcasinoArrowFile.CHECKSUM);
        if (algorithm == null && !footer.containsKey(RlcasinoArrowFile.CHECKSUMS)) {
            return;
        }
        if (algorithm == null) {
            throw missing(RlcasinoArrowFile.CHECKSUM, "footer");
        }
        if (!algorithm.equals(BatchChecksums.ALGORITHM)) {
            throw new ArrowFormatException(fileName() + ": footer metadata " + RlcasinoArrowFile.CHECKSUM + " names the checksum \"" + algorithm
                    + "\", which this version of RL Casino does not know (it checks " + BatchChecksums.ALGORITHM
                    + "): upgrade RL Casino if the file comes from a newer one");
        }
        BatchChecksums checksums = parse(RlcasinoArrowFile.CHECKSUMS, requireFooter(RlcasinoArrowFile.CHECKSUMS), BatchChecksums::parse);
        if (checksums.size() != blocks.size()) {
            throw corrupt("metadata " + RlcasinoArrowFile.CHECKSUMS + " lists " + checksums.size() + " checksums for " + blocks.size()
                    + " record batches");
        }
        reader.verify(checksums, fileName(), format.producer());
    }

    private static void checkMagic(String name, FileChannel channel, RlcasinoFormat expected) throws IOException {
        long size = channel.size();
        if (size == 0) {
            throw new ArrowFormatException(name + " is empty, not an Arrow IPC file; produce it again" + producerHint(expected));
        }
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(8, size));
        channel.read(head, 0);
        byte[] start = head.array();
        if (!startsWith(start, MAGIC)) {
            String hint = size >= 4 && start[0] == (byte) 0xFF && start[1] == (byte) 0xFF && start[2] == (byte) 0xFF && start[3] == (byte) 0xFF
                    ? " (it looks like an Arrow IPC stream; RL Casino reads the random-access file format: convert it with "
                    + "pyarrow.ipc.new_file, or produce it again" + producerHint(expected) + ")"
                    : ": it starts with bytes " + HexFormat.ofDelimiter(" ").formatHex(start) + " instead of \"ARROW1\"; give a file "
                    + (expected == null ? "written by RL Casino" : "produced by " + expected.producer());
            throw new ArrowFormatException(name + " is not an Arrow IPC file" + hint);
        }
        ByteBuffer tail = ByteBuffer.allocate(MAGIC.length);
        if (size < 2L * MAGIC.length + 4 + 4 || channel.read(tail, size - MAGIC.length) != MAGIC.length || !startsWith(tail.array(), MAGIC)) {
            throw new ArrowFormatException(name + " is truncated: it starts like an Arrow IPC file but does not end with the Arrow file footer ("
                    + size + " bytes); the writer was interrupted or the copy is incomplete: produce it again" + producerHint(expected));
        }
    }

    private static RlcasinoFormat checkFormat(String name, Map<String, String> metadata, RlcasinoFormat expected) {
        String formatName = metadata.get(RlcasinoArrowFile.FORMAT);
        String wanted = expected == null ? "an RL Casino file" : expected.formatName() + " (" + expected.contents() + ")";
        if (formatName == null) {
            throw new ArrowFormatException(name + " is an Arrow file without " + RlcasinoArrowFile.FORMAT
                    + " schema metadata, so it was not written by RL Casino (or the metadata was dropped when it was rewritten); expected "
                    + wanted + (expected == null ? "" : ": produce it with " + expected.producer()));
        }
        RlcasinoFormat format = RlcasinoFormat.byName(formatName);
        if (format == null) {
            throw new ArrowFormatException(name + " is a " + formatName + " file, which this version of RL Casino does not know; expected "
                    + wanted + ": upgrade RL Casino if the file comes from a newer one");
        }
        if (expected != null && format != expected) {
            throw new ArrowFormatException(name + " is a " + format.formatName() + " file (" + format.contents() + "), not "
                    + expected.formatName() + " (" + expected.contents() + "): pass it to " + format.consumer()
                    + ", or give the " + shortName(expected) + " file produced by " + expected.producer());
        }
        return format;
    }

    private static void checkVersion(String name, Map<String, String> metadata, RlcasinoFormat format) {
        String text = metadata.get(RlcasinoArrowFile.VERSION);
        if (text == null) {
            throw new ArrowFormatException(name + " is a " + format.formatName() + " file without " + RlcasinoArrowFile.VERSION
                    + " schema metadata; the file is damaged: produce it again with " + format.producer());
        }
        int version;
        try {
            version = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            version = -1;
        }
        if (version < 1) {
            throw new ArrowFormatException(name + ": " + RlcasinoArrowFile.VERSION + " must be a positive integer, got \"" + text
                    + "\"; the file is damaged: produce it again with " + format.producer());
        }
        if (version > RlcasinoFormat.CURRENT_VERSION) {
            throw new ArrowFormatException(name + " is a " + format.formatName() + " file of version " + version
                    + ", which is newer than this reader (" + RlcasinoFormat.CURRENT_VERSION + "): upgrade RL Casino");
        }
    }

    private static String shortName(RlcasinoFormat format) {
        return format.formatName().substring("rlcasino.".length());
    }

    private static String producerHint(RlcasinoFormat format) {
        return format == null ? "" : " with " + format.producer();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static void closeQuietly(ArrowFileReader reader, FileChannel channel, BufferAllocator allocator) {
        try {
            if (reader != null) {
                reader.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // reporting the original failure matters more
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // as above
        }
        if (allocator != null) {
            allocator.close();
        }
    }

    String fileName() {
        return file.getFileName() == null ? file.toString() : file.getFileName().toString();
    }

    RlcasinoFormat format() {
        return format;
    }

    /** Schema metadata. */
    Map<String, String> metadata() {
        return metadata;
    }

    VectorSchemaRoot root() {
        return root;
    }

    /** Index of the batch the root holds, or -1 before the first. */
    int currentBatch() {
        return nextBlock - 1;
    }

    /** Sets this reader's memory limit, e.g. to {@link Batching#allocationLimit()} of the file's declared batching. */
    void setMemoryLimit(long limit) {
        allocator.setLimit(limit);
    }

    /** An exception for contents that break the format's rules. */
    ArrowFormatException corrupt(String problem) {
        return new ArrowFormatException(fileName() + ": " + problem + "; the file is damaged or was not written by RL Casino: produce it again with "
                + format.producer());
    }

    /** A required schema metadata value. */
    String require(String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw missing(key, "schema");
        }
        return value;
    }

    /** An optional schema metadata value, or null. */
    String optional(String key) {
        return metadata.get(key);
    }

    /** An optional footer metadata value, or null. */
    String footer(String key) {
        return footer.get(key);
    }

    /** A required footer metadata value. */
    String requireFooter(String key) {
        String value = footer.get(key);
        if (value == null) {
            throw missing(key, "footer");
        }
        return value;
    }

    private ArrowFormatException missing(String key, String where) {
        return new ArrowFormatException(fileName() + " is a " + format.formatName() + " file without " + key + " " + where
                + " metadata; the file is damaged or was rewritten by a tool that dropped it: produce it again with " + format.producer());
    }

    /** Parses a metadata value; a parse failure (an {@link IllegalArgumentException}) becomes an {@link ArrowFormatException}. */
    <T> T parse(String key, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (ArrowFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw corrupt("metadata " + key + " is invalid: " + e.getMessage());
        }
    }

    double parseDouble(String key, String value) {
        return parse(key, value, v -> {
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + v + "\" is not a number");
            }
        });
    }

    int parseInt(String key, String value) {
        return parse(key, value, v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + v + "\" is not a 32-bit integer");
            }
        });
    }

    /** The batching declared in the schema metadata; also caps this reader's memory to match. */
    Batching batching() {
        int chunk = parseInt(RlcasinoArrowFile.CHUNK_ELEMENTS, require(RlcasinoArrowFile.CHUNK_ELEMENTS));
        int batch = parseInt(RlcasinoArrowFile.BATCH_ELEMENTS, require(RlcasinoArrowFile.BATCH_ELEMENTS));
        Batching batching = parse(RlcasinoArrowFile.CHUNK_ELEMENTS, "", v -> new Batching(chunk, batch));
        setMemoryLimit(batching.allocationLimit());
        return batching;
    }

    /** The tensor table from {@code rlcasino.tensors}. */
    TensorTable tensors() {
        return parse(RlcasinoArrowFile.TENSORS, require(RlcasinoArrowFile.TENSORS), TensorTable::fromJson);
    }

    /** The provenance map from {@code rlcasino.provenance}. */
    Map<String, String> provenance() {
        return parse(RlcasinoArrowFile.PROVENANCE, require(RlcasinoArrowFile.PROVENANCE),
                v -> MetadataJson.parseStringMap(RlcasinoArrowFile.PROVENANCE, v));
    }

    /** Checks that the columns are exactly {@code expected}: names, order and types (nullability is checked per batch). */
    void requireColumns(List<Field> expected) {
        List<Field> actual = root.getSchema().getFields();
        List<String> actualNames = new ArrayList<>();
        actual.forEach(f -> actualNames.add(f.getName()));
        List<String> expectedNames = new ArrayList<>();
        expected.forEach(f -> expectedNames.add(f.getName()));
        if (!actualNames.equals(expectedNames)) {
            throw corrupt("columns are " + actualNames + ", expected " + expectedNames);
        }
        for (int i = 0; i < expected.size(); i++) {
            String want = ArrowColumns.typeName(expected.get(i), null);
            String got = ArrowColumns.typeName(actual.get(i), reader);
            if (!want.equals(got)) {
                throw corrupt("column " + expectedNames.get(i) + " is " + got + ", expected " + want);
            }
        }
    }

    /** Values of the dictionary that encodes {@code column}. */
    List<String> dictionary(String column) {
        Field field = root.getSchema().findField(column);
        Dictionary dictionary = reader.lookup(field.getDictionary().getId());
        if (dictionary == null) {
            throw corrupt("the dictionary of column " + column + " is missing");
        }
        VarCharVector vector = (VarCharVector) dictionary.getVector();
        List<String> values = new ArrayList<>(vector.getValueCount());
        for (int i = 0; i < vector.getValueCount(); i++) {
            if (vector.isNull(i)) {
                throw corrupt("the dictionary of column " + column + " holds a null at " + i);
            }
            values.add(new String(vector.get(i), StandardCharsets.UTF_8));
        }
        return values;
    }

    /**
     * Loads the next record batch into {@link #root()}; false at the end. Checks that the batch
     * fits this reader's memory limit and that the columns named {@code nonNull} hold no nulls.
     */
    boolean nextBatch(List<String> nonNull) throws IOException {
        if (nextBlock >= blocks.size()) {
            return false;
        }
        int index = nextBlock++;
        ArrowBlock block = blocks.get(index);
        long need = block.getBodyLength() + block.getMetadataLength();
        if (block.getBodyLength() < 0 || need > allocator.getLimit()) {
            throw new ArrowFormatException(fileName() + ": record batch " + index + " holds " + block.getBodyLength()
                    + " bytes, more than this reader's memory limit of " + allocator.getLimit()
                    + " bytes for the batch size the file declares; the file is damaged or was rewritten with larger batches: produce it again with "
                    + format.producer());
        }
        try {
            reader.batch = index;
            if (!reader.loadNextBatch()) {
                throw corrupt("record batch " + index + " of " + blocks.size() + " is missing");
            }
        } catch (OutOfMemoryException e) {
            throw new ArrowFormatException(fileName() + ": record batch " + index + " does not fit this reader's memory limit of "
                    + allocator.getLimit() + " bytes (" + e.getMessage() + "); the file is damaged or was rewritten with larger batches: produce it again with "
                    + format.producer(), e);
        } catch (ArrowFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ArrowFormatException(fileName() + ": record batch " + index + " of " + blocks.size() + " cannot be read (" + e
                    + "); the file is damaged or truncated: produce it again with " + format.producer(), e);
        }
        for (String column : nonNull) {
            FieldVector vector = root.getVector(column);
            checkNoNulls(index, column, vector);
            if (vector instanceof ListVector list) {
                checkNoNulls(index, column + " (list elements)", list.getDataVector());
            }
        }
        return true;
    }

    private void checkNoNulls(int batch, String column, FieldVector vector) {
        int nulls = vector.getNullCount();
        if (nulls > 0) {
            throw corrupt("column " + column + " of record batch " + batch + " holds " + nulls + " nulls");
        }
    }

    /**
     * Arrow's file reader that, once {@link #verify armed}, checks each record batch's checksum
     * before loading it, so a damaged body is reported as such and never reaches the vectors.
     */
    private static final class ChecksummingReader extends ArrowFileReader {
        /** Index of the record batch being loaded, set by {@link ArrowFileInput#nextBatch}. */
        int batch;
        private BatchChecksums expected;
        private String fileName;
        private String producer;

        ChecksummingReader(FileChannel channel, BufferAllocator allocator) {
            super(channel, allocator);
        }

        void verify(BatchChecksums checksums, String name, String producerCommand) {
            this.expected = checksums;
            this.fileName = name;
            this.producer = producerCommand;
        }

        @Override
        protected void loadRecordBatch(ArrowRecordBatch recordBatch) {
            if (expected != null) {
                int actual = BatchChecksums.of(recordBatch);
                int stored = expected.get(batch);
                if (actual != stored) {
                    recordBatch.close();
                    throw new ArrowFormatException(fileName + ": record batch " + batch + " is corrupt (CRC32C mismatch: its contents hash to "
                            + BatchChecksums.hex(actual) + ", the footer's " + RlcasinoArrowFile.CHECKSUMS + " records "
                            + BatchChecksums.hex(stored) + "): the file was damaged after it was written (disk, copy or transfer); produce it again with "
                            + producer);
                }
            }
            super.loadRecordBatch(recordBatch);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            reader.close();
        } finally {
            allocator.close();
        }
    }
}
