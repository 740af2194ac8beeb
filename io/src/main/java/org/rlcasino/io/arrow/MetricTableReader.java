package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.Field;

/** Reads a metric table ({@code rlcasino.metrics}) row by row, one record batch in memory at a time. */
public final class MetricTableReader implements AutoCloseable {
    private final ArrowFileInput in;
    private final List<MetricColumn> columns;
    private final Map<String, String> properties;
    private final Map<String, String> provenance;
    private int rowCount;
    private int row = -1;

    private MetricTableReader(ArrowFileInput in) {
        this.in = in;
        in.setMemoryLimit(MetricTableWriter.ALLOCATION_LIMIT);
        this.provenance = in.provenance();
        this.properties = in.parse(RlcasinoArrowFile.PROPERTIES, in.require(RlcasinoArrowFile.PROPERTIES),
                v -> MetadataJson.parseStringMap(RlcasinoArrowFile.PROPERTIES, v));
        List<MetricColumn> columns = new ArrayList<>();
        for (Field field : in.root().getSchema().getFields()) {
            String type = ArrowColumns.typeName(field, null);
            MetricColumn.Type t = switch (type) {
                case "utf8" -> MetricColumn.Type.UTF8;
                case "int64" -> MetricColumn.Type.INT64;
                case "float64" -> MetricColumn.Type.FLOAT64;
                default -> throw in.corrupt("column " + field.getName() + " is " + type + "; metric tables hold utf8, int64 and float64 columns");
            };
            columns.add(new MetricColumn(field.getName(), t));
        }
        this.columns = List.copyOf(columns);
    }

    /** Opens {@code file} and checks its format, version and metadata. */
    public static MetricTableReader open(Path file, BufferAllocator allocator) throws IOException {
        ArrowFileInput in = ArrowFileInput.open(file, RlcasinoFormat.METRICS, allocator);
        try {
            return new MetricTableReader(in);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    public List<MetricColumn> columns() {
        return columns;
    }

    /** Position of the column named {@code name}, or -1. */
    public int columnIndex(String name) {
        for (int c = 0; c < columns.size(); c++) {
            if (columns.get(c).name().equals(name)) {
                return c;
            }
        }
        return -1;
    }

    public Map<String, String> properties() {
        return properties;
    }

    public Map<String, String> provenance() {
        return provenance;
    }

    public Map<String, String> metadata() {
        return in.metadata();
    }

    /** Moves to the next row; false at the end. */
    public boolean next() throws IOException {
        while (row + 1 >= rowCount) {
            if (!in.nextBatch(List.of())) {
                return false;
            }
            rowCount = in.root().getRowCount();
            row = -1;
        }
        row++;
        return true;
    }

    public boolean isNull(int column) {
        return vector(column).isNull(row);
    }

    /** The utf8 value of {@code column} in the current row, or null. */
    public String string(int column) {
        VarCharVector v = (VarCharVector) vector(column, MetricColumn.Type.UTF8);
        return v.isNull(row) ? null : new String(v.get(row), StandardCharsets.UTF_8);
    }

    /** The int64 value of {@code column}; throws {@link IllegalStateException} if it is null. */
    public long int64(int column) {
        BigIntVector v = (BigIntVector) vector(column, MetricColumn.Type.INT64);
        if (v.isNull(row)) {
            throw new IllegalStateException("column " + columns.get(column).name() + " is null in this row");
        }
        return v.get(row);
    }

    /** The float64 value of {@code column}; NaN if it is null. */
    public double float64(int column) {
        Float8Vector v = (Float8Vector) vector(column, MetricColumn.Type.FLOAT64);
        return v.isNull(row) ? Double.NaN : v.get(row);
    }

    /** The current row as String/Long/Double/null values. */
    public List<Object> row() {
        List<Object> values = new ArrayList<>(columns.size());
        for (int c = 0; c < columns.size(); c++) {
            values.add(isNull(c) ? null : switch (columns.get(c).type()) {
                case UTF8 -> string(c);
                case INT64 -> int64(c);
                case FLOAT64 -> float64(c);
            });
        }
        return Collections.unmodifiableList(values);
    }

    private FieldVector vector(int column) {
        if (row < 0 || row >= rowCount) {
            throw new IllegalStateException("no current row: call next() first");
        }
        return in.root().getVector(column);
    }

    private FieldVector vector(int column, MetricColumn.Type type) {
        if (columns.get(column).type() != type) {
            throw new IllegalArgumentException("column " + columns.get(column).name() + " is " + columns.get(column).type() + ", not " + type);
        }
        return vector(column);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
