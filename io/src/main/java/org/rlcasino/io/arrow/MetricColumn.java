package org.rlcasino.io.arrow;

/**
 * One column of a metric table.
 *
 * @param name non-empty, unique within the table
 * @param type its Arrow type
 */
public record MetricColumn(String name, Type type) {
    /** The column types of a metric table; every column is nullable. */
    public enum Type {
        /** Strings ({@code utf8}). */
        UTF8,
        /** 64-bit integers ({@code int64}). */
        INT64,
        /** Doubles ({@code float64}). */
        FLOAT64
    }

    public MetricColumn {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("metric column name must be a non-empty string");
        }
        if (type == null) {
            throw new IllegalArgumentException("metric column " + name + ": type must not be null");
        }
    }

    public static MetricColumn utf8(String name) {
        return new MetricColumn(name, Type.UTF8);
    }

    public static MetricColumn int64(String name) {
        return new MetricColumn(name, Type.INT64);
    }

    public static MetricColumn float64(String name) {
        return new MetricColumn(name, Type.FLOAT64);
    }
}
