package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.Schema;

/** Test helpers that make damaged or doctored files with plain Arrow, bypassing the project's writers. */
final class ArrowTestFiles {
    private ArrowTestFiles() {}

    /**
     * Copies {@code source} to {@code target} through Arrow's generic reader and writer, with its
     * schema and footer metadata edited, and each loaded batch passed to {@code editBatch} (which
     * may change values in place) before it is written. {@code editFooter} gets the footer without
     * {@code rlcasino.checksum(s)}: the copy is a file from another writer (or from before
     * checksums existed), so the readers' other checks see the edits; put them back to keep them.
     */
    static void rewrite(Path source, Path target, UnaryOperator<Map<String, String>> editSchemaMetadata,
                        UnaryOperator<Map<String, String>> editFooter, Consumer<VectorSchemaRoot> editBatch,
                        BufferAllocator allocator) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(in, allocator);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE)) {
            VectorSchemaRoot readRoot = reader.getVectorSchemaRoot();
            Schema schema = readRoot.getSchema();
            Map<String, String> metadata = editSchemaMetadata.apply(new LinkedHashMap<>(schema.getCustomMetadata()));
            VectorSchemaRoot writeRoot = new VectorSchemaRoot(new Schema(schema.getFields(), metadata), readRoot.getFieldVectors(), 0);
            Map<String, String> footer = new LinkedHashMap<>(reader.getMetaData());
            footer.remove(RlcasinoArrowFile.CHECKSUM);
            footer.remove(RlcasinoArrowFile.CHECKSUMS);
            footer = editFooter.apply(footer);
            ArrowFileWriter writer = new ArrowFileWriter(writeRoot, reader, out, footer);
            writer.start();
            while (reader.loadNextBatch()) {
                editBatch.accept(readRoot);
                writeRoot.setRowCount(readRoot.getRowCount());
                writer.writeBatch();
            }
            writer.end();
        }
    }

    /** The footer's custom metadata of {@code file}, read with plain Arrow. */
    static Map<String, String> footer(Path file, BufferAllocator allocator) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(in, allocator)) {
            reader.getRecordBlocks();   // reads the footer
            return new LinkedHashMap<>(reader.getMetaData());
        }
    }

    /** Copies {@code source} with schema metadata edited. */
    static Path withMetadata(Path source, Path target, UnaryOperator<Map<String, String>> edit, BufferAllocator allocator) throws IOException {
        rewrite(source, target, edit, m -> m, b -> { }, allocator);
        return target;
    }

    /** Copies {@code source} without its last {@code cut} bytes. */
    static Path truncated(Path source, Path target, long cut) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        Files.write(target, java.util.Arrays.copyOf(bytes, (int) (bytes.length - cut)));
        return target;
    }

    /** Copies {@code source} with the bytes at {@code position} replaced. */
    static Path overwritten(Path source, Path target, long position, byte[] replacement) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        System.arraycopy(replacement, 0, bytes, (int) position, replacement.length);
        Files.write(target, bytes);
        return target;
    }

    static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
