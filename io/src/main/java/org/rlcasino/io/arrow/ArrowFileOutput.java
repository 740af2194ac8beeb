package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.rlcasino.io.AtomicFileWriter;

/**
 * The part every writer shares: a temporary file next to the target, a bounded child allocator,
 * the schema with {@code rlcasino.format}/{@code rlcasino.version} first, fixed dictionaries,
 * the Arrow file writer, the record batches' checksums ({@link BatchChecksums}, put in the
 * footer by {@link #commit}), and the atomic rename on {@link #commit}. {@link #close()} without
 * a commit deletes the temporary and releases everything.
 */
final class ArrowFileOutput implements AutoCloseable {
    private final AtomicFileWriter.Pending pending;
    private final BufferAllocator allocator;
    private final DictionaryProvider.MapDictionaryProvider dictionaries;
    private final VectorSchemaRoot root;
    private final ChecksummingWriter writer;
    private final AsyncWriteChannel channel;
    private final Map<String, String> footer;
    private boolean committed;
    private boolean closed;
    private boolean failed;

    private ArrowFileOutput(AtomicFileWriter.Pending pending, BufferAllocator allocator,
                            DictionaryProvider.MapDictionaryProvider dictionaries, VectorSchemaRoot root, ChecksummingWriter writer,
                            AsyncWriteChannel channel, Map<String, String> footer) {
        this.channel = channel;
        this.pending = pending;
        this.allocator = allocator;
        this.dictionaries = dictionaries;
        this.root = root;
        this.writer = writer;
        this.footer = footer;
    }

    /**
     * Opens {@code target}'s temporary and writes the schema.
     *
     * @param metadata     format-specific schema metadata, after {@code rlcasino.format} and {@code rlcasino.version}
     * @param dictionaries dictionary id → values, for the fields made by {@link ArrowColumns#dictionary}
     */
    static ArrowFileOutput open(Path target, RlcasinoFormat format, List<Field> fields, Map<String, String> metadata,
                                Map<Long, List<String>> dictionaries, BufferAllocator parent, long limit) throws IOException {
        if (target == null) {
            throw new IllegalArgumentException("target path must not be null");
        }
        if (parent == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        Map<String, String> schemaMetadata = new LinkedHashMap<>();
        schemaMetadata.put(RlcasinoArrowFile.FORMAT, format.formatName());
        schemaMetadata.put(RlcasinoArrowFile.VERSION, Integer.toString(RlcasinoFormat.CURRENT_VERSION));
        schemaMetadata.putAll(metadata);
        AtomicFileWriter.Pending pending = AtomicFileWriter.begin(target);
        BufferAllocator allocator = null;
        DictionaryProvider.MapDictionaryProvider provider = null;
        VectorSchemaRoot root = null;
        AsyncWriteChannel channel = null;
        try {
            allocator = parent.newChildAllocator(format.formatName() + " writer " + target.getFileName(), 0, limit);
            provider = new DictionaryProvider.MapDictionaryProvider();
            for (Map.Entry<Long, List<String>> e : dictionaries.entrySet()) {
                provider.put(dictionary(e.getKey(), e.getValue(), allocator));
            }
            root = VectorSchemaRoot.create(new Schema(fields, schemaMetadata), allocator);
            // The Arrow writer reads this map only when it writes the footer, so entries put later still land.
            Map<String, String> footer = new LinkedHashMap<>();
            // The file system's copy runs on a second thread while the next batch is filled.
            channel = new AsyncWriteChannel(pending.channel(), String.valueOf(target.getFileName()));
            ChecksummingWriter writer = new ChecksummingWriter(root, provider, channel, footer);
            writer.start();
            return new ArrowFileOutput(pending, allocator, provider, root, writer, channel, footer);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            pending.close();
            release(root, provider, allocator);
            throw e;
        }
    }

    private static Dictionary dictionary(long id, List<String> values, BufferAllocator allocator) {
        VarCharVector vector = new VarCharVector("dictionary" + id, allocator);
        vector.allocateNew(values.size());
        for (int i = 0; i < values.size(); i++) {
            vector.setSafe(i, values.get(i).getBytes(StandardCharsets.UTF_8));
        }
        vector.setValueCount(values.size());
        return new Dictionary(vector, new DictionaryEncoding(id, false, (org.apache.arrow.vector.types.pojo.ArrowType.Int) ArrowColumns.INT32));
    }

    Path target() {
        return pending.target();
    }

    /** The vectors of the batch being filled. */
    VectorSchemaRoot root() {
        return root;
    }

    /** Throws {@link IllegalStateException} if the writer was finished, closed, or broke on an I/O error. */
    void checkOpen() {
        if (committed) {
            throw new IllegalStateException(target() + ": writer already finished");
        }
        if (closed) {
            throw new IllegalStateException(target() + ": writer is closed");
        }
        if (failed) {
            throw new IllegalStateException(target() + ": writer failed earlier; close it and write the file again");
        }
    }

    /** Writes the root's first {@code rowCount} rows as a record batch, then clears the vectors. */
    void writeBatch(int rowCount) throws IOException {
        checkOpen();
        boolean ok = false;
        try {
            root.setRowCount(rowCount);
            writer.writeBatch();
            root.clear();
            ok = true;
        } finally {
            failed |= !ok;
        }
    }

    /**
     * Writes the root's first {@code rowCount} rows as a record batch and leaves the vectors and
     * their buffers as they are: the caller resets them, so the next batch fills memory already
     * allocated and touched.
     */
    void writeBatchKeepingBuffers(int rowCount) throws IOException {
        checkOpen();
        boolean ok = false;
        try {
            root.setRowCount(rowCount);
            writer.writeBatch();
            ok = true;
        } finally {
            failed |= !ok;
        }
    }

    /** Writes the footer with {@code footerMetadata} and the batches' checksums, and renames the file into place. */
    void commit(Map<String, String> footerMetadata) throws IOException {
        checkOpen();
        boolean ok = false;
        try {
            footer.putAll(footerMetadata);
            footer.put(RlcasinoArrowFile.CHECKSUM, BatchChecksums.ALGORITHM);
            footer.put(RlcasinoArrowFile.CHECKSUMS, writer.checksums.toJson());
            writer.end();
            channel.drain();
            channel.close();
            pending.commit();
            committed = true;
            ok = true;
        } finally {
            failed |= !ok;
            if (committed) {
                closed = true;
                release(root, dictionaries, allocator);
            }
        }
    }

    /** Deletes the temporary unless committed, and releases memory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
            pending.close();
        } finally {
            release(root, dictionaries, allocator);
        }
    }

    /** Arrow's file writer that also takes the checksum of each record batch as it is written. */
    private static final class ChecksummingWriter extends ArrowFileWriter {
        final BatchChecksums checksums = new BatchChecksums();

        ChecksummingWriter(VectorSchemaRoot root, DictionaryProvider provider, AsyncWriteChannel channel, Map<String, String> footer) {
            super(root, provider, channel, footer);
        }

        @Override
        protected ArrowBlock writeRecordBatch(ArrowRecordBatch batch) throws IOException {
            // the batch's buffers hold exactly the bytes the message is about to carry
            checksums.add(batch);
            return super.writeRecordBatch(batch);
        }
    }

    private static void release(VectorSchemaRoot root, DictionaryProvider.MapDictionaryProvider dictionaries, BufferAllocator allocator) {
        try {
            if (root != null) {
                root.close();
            }
        } finally {
            try {
                if (dictionaries != null) {
                    dictionaries.close();
                }
            } finally {
                if (allocator != null) {
                    allocator.close();
                }
            }
        }
    }
}
