package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Writes a metric table ({@code rlcasino.metrics}): named, nullable utf8/int64/float64 columns
 * (Jaccard tables, timings…), row by row, plus free-form properties. Same lifecycle as
 * {@link DeltaStreamWriter}: the file appears only when {@link #finish()} returns.
 */
public final class MetricTableWriter implements AutoCloseable {
    /** Rows per record batch by default. */
    public static final int DEFAULT_BATCH_ROWS = 4096;
    /** Allocator limit of a metric-table writer or reader: metric tables are small, but strings have no fixed size. */
    static final long ALLOCATION_LIMIT = 256L << 20;

    private final ArrowFileOutput out;
    private final List<MetricColumn> columns;
    private final int batchRows;
    private int rows;
    private long totalRows;
    private boolean allocated;

    private MetricTableWriter(ArrowFileOutput out, List<MetricColumn> columns, int batchRows) {
        this.out = out;
        this.columns = columns;
        this.batchRows = batchRows;
    }

    static List<Field> fields(List<MetricColumn> columns) {
        List<Field> fields = new ArrayList<>();
        for (MetricColumn c : columns) {
            fields.add(ArrowColumns.scalar(c.name(), arrowType(c.type()), true));
        }
        return fields;
    }

    static ArrowType arrowType(MetricColumn.Type type) {
        return switch (type) {
            case UTF8 -> ArrowColumns.UTF8;
            case INT64 -> ArrowColumns.INT64;
            case FLOAT64 -> ArrowColumns.FLOAT64;
        };
    }

    /** Starts writing {@code target} with {@link #DEFAULT_BATCH_ROWS} rows per batch. */
    public static MetricTableWriter create(Path target, List<MetricColumn> columns, Map<String, String> properties,
                                           Map<String, String> provenance, BufferAllocator allocator) throws IOException {
        return create(target, columns, properties, provenance, DEFAULT_BATCH_ROWS, allocator);
    }

    /**
     * Starts writing {@code target}.
     *
     * @param properties free-form strings describing the table (title, units…), stored as {@code rlcasino.properties}
     * @param batchRows  rows per record batch, ≥ 1
     */
    public static MetricTableWriter create(Path target, List<MetricColumn> columns, Map<String, String> properties,
                                           Map<String, String> provenance, int batchRows, BufferAllocator allocator) throws IOException {
        if (columns == null || columns.isEmpty()) {
            throw new IllegalArgumentException("a metric table needs at least one column");
        }
        Set<String> names = new HashSet<>();
        for (MetricColumn c : columns) {
            if (c == null) {
                throw new IllegalArgumentException("metric columns must not be null");
            }
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("metric column " + c.name() + " appears twice; names must be unique");
            }
        }
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows must be >= 1, got " + batchRows);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(RlcasinoArrowFile.PROVENANCE, MetadataJson.writeStringMap(MetadataJson.copyStringMap("provenance", provenance)));
        metadata.put(RlcasinoArrowFile.PROPERTIES, MetadataJson.writeStringMap(MetadataJson.copyStringMap("properties", properties)));
        List<MetricColumn> copy = List.copyOf(columns);
        ArrowFileOutput out = ArrowFileOutput.open(target, RlcasinoFormat.METRICS, fields(copy), metadata, Map.of(), allocator,
                ALLOCATION_LIMIT);
        return new MetricTableWriter(out, copy, batchRows);
    }

    /**
     * Appends a row: one value per column, in column order; {@code null} for a missing value,
     * a {@link CharSequence} for utf8, a {@link Long}/{@link Integer}/{@link Short}/{@link Byte}
     * for int64, any {@link Number} for float64.
     */
    public void writeRow(Object... values) throws IOException {
        out.checkOpen();
        if (values == null || values.length != columns.size()) {
            throw new IllegalArgumentException("a row needs " + columns.size() + " values (" + columns.stream().map(MetricColumn::name).toList()
                    + "), got " + (values == null ? "null" : values.length));
        }
        for (int c = 0; c < values.length; c++) {
            Object v = values[c];
            boolean ok = v == null || switch (columns.get(c).type()) {
                case UTF8 -> v instanceof CharSequence;
                case INT64 -> v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
                case FLOAT64 -> v instanceof Number;
            };
            if (!ok) {
                throw new IllegalArgumentException("metric column " + columns.get(c).name() + " is " + columns.get(c).type().name().toLowerCase()
                        + ", got " + v.getClass().getSimpleName() + " " + v);
            }
        }
        if (!allocated) {
            for (FieldVector vector : out.root().getFieldVectors()) {
                vector.setInitialCapacity(batchRows);
                vector.allocateNew();
            }
            allocated = true;
        }
        for (int c = 0; c < values.length; c++) {
            FieldVector vector = out.root().getVector(c);
            Object v = values[c];
            if (v == null) {
                vector.setNull(rows);
                continue;
            }
            switch (columns.get(c).type()) {
                case UTF8 -> ((VarCharVector) vector).setSafe(rows, v.toString().getBytes(StandardCharsets.UTF_8));
                case INT64 -> ((BigIntVector) vector).setSafe(rows, ((Number) v).longValue());
                case FLOAT64 -> ((Float8Vector) vector).setSafe(rows, ((Number) v).doubleValue());
            }
        }
        rows++;
        totalRows++;
        if (rows == batchRows) {
            flush();
        }
    }

    private void flush() throws IOException {
        if (rows > 0) {
            out.writeBatch(rows);
            rows = 0;
            allocated = false;
        }
    }

    /** Writes the remaining rows and the footer, and renames the file into place; returns the number of rows. */
    public long finish() throws IOException {
        out.checkOpen();
        flush();
        out.commit(Map.of(RlcasinoArrowFile.ROWS, Long.toString(totalRows)));
        return totalRows;
    }

    /** Discards what was written; same as closing without {@link #finish()}. */
    public void abort() {
        out.close();
    }

    @Override
    public void close() {
        out.close();
    }
}
