package org.rlcasino.io.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;

/**
 * The rows of a Parquet file as JSON objects ({@link JsonRecordMaterializer} says which value becomes
 * what), assembled by parquet-column from {@link ParquetFile}'s pages, one row group in memory at a time.
 * A row that cannot be decoded fails the read, naming the file, the row and the row group.
 */
final class ParquetRows implements DatasetRows {
    private final Path path;
    private final ParquetFile file;
    private final MessageColumnIO columns;
    private final JsonRecordMaterializer materializer;
    private int rowGroup = -1;
    private RecordReader<ObjectNode> reader;
    private long leftInGroup;
    private long row;
    private ObjectNode current;

    private ParquetRows(Path path, ParquetFile file) {
        this.path = path;
        this.file = file;
        this.columns = new ColumnIOFactory(file.createdBy()).getColumnIO(file.schema());
        try {
            this.materializer = new JsonRecordMaterializer(file.schema());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens the file and checks its footer, schema and column chunks; the caller closes it.
     *
     * @throws IllegalArgumentException the file is not Parquet, is damaged, or holds what this reader refuses
     */
    static ParquetRows open(Path path) throws IOException {
        ParquetFile file = ParquetFile.open(path);
        try {
            return new ParquetRows(path, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public boolean next() throws IOException {
        while (leftInGroup == 0) {
            if (rowGroup + 1 >= file.rowGroups()) {
                return false;
            }
            rowGroup++;
            PageReadStore pages = file.readRowGroup(rowGroup);
            leftInGroup = pages.getRowCount();
            reader = decoding(() -> columns.getRecordReader(pages, materializer));
        }
        current = decoding(reader::read);
        leftInGroup--;
        row++;
        return true;
    }

    /** Runs a step of parquet-column's decoding, reporting its failure as the file's. */
    private <T> T decoding(Supplier<T> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + where(row + 1) + " (row group " + rowGroup + "): cannot decode ("
                    + e + ")", e);
        }
    }

    @Override
    public long row() {
        return row;
    }

    @Override
    public JsonNode node() {
        return current;
    }

    @Override
    public String where(long row) {
        return ":row " + row;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
