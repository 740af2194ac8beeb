package org.rlcasino.io.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.Util;

/**
 * The Parquet fixtures that io/src/test/python/parquet_fixtures.py writes under
 * {@code data/parquet/}: each {@code NAME.parquet} with the same rows in {@code NAME.jsonl}, and
 * {@code bad/} files to be refused.
 */
final class ParquetFixtures {
    private ParquetFixtures() {}

    /** The fixture (or {@code bad/NAME.parquet}) of that name. */
    static Path get(String name) {
        try {
            return Path.of(ParquetFixtures.class.getResource("/data/parquet/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every readable fixture's .parquet file, by name. */
    static Stream<Path> all() {
        try (Stream<Path> files = Files.list(get("."))) {
            List<Path> parquet = files.filter(f -> f.toString().endsWith(".parquet")).sorted().toList();
            return parquet.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON Lines file with the same rows. */
    static Path jsonl(Path parquet) {
        return parquet.resolveSibling(parquet.getFileName().toString().replace(".parquet", ".jsonl"));
    }

    /** A fixture's name without .parquet. */
    static String name(Path parquet) {
        return parquet.getFileName().toString().replace(".parquet", "");
    }

    /** Where a file's footer starts (its length is in the 4 bytes before the final PAR1). */
    static int footerStart(byte[] file) {
        return file.length - 8 - ByteBuffer.wrap(file, file.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** The file's footer, read with parquet-format-structures. */
    static FileMetaData footer(Path parquet) throws IOException {
        byte[] bytes = Files.readAllBytes(parquet);
        int footerStart = footerStart(bytes);
        return Util.readFileMetaData(new ByteArrayInputStream(bytes, footerStart, bytes.length - 8 - footerStart));
    }

    /** Writes {@code out}: {@code in} with its footer edited (the data bytes as they are). */
    static Path withFooter(Path in, Path out, Consumer<FileMetaData> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(in);
        int footerStart = footerStart(bytes);
        FileMetaData meta = footer(in);
        edit.accept(meta);
        ByteArrayOutputStream footer = new ByteArrayOutputStream();
        Util.writeFileMetaData(meta, footer);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(bytes, 0, footerStart);
        footer.writeTo(file);
        file.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.size()).array());
        file.write(bytes, bytes.length - 4, 4);
        return Files.write(out, file.toByteArray());
    }
}
