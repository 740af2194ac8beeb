package org.rlcasino.io.safetensors;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a safetensors file: its name, dtype, shape (row-major, outermost first; empty for
 * a scalar) and its bytes {@code [dataStart, dataEnd)}. The offsets are the header's
 * {@code data_offsets}: relative to the start of the data section, which begins right after the
 * header, so {@code dataEnd - dataStart == numel() * dtype.byteSize()}.
 *
 * <p>The shape is copied in and out, so a {@code SafetensorsEntry} cannot change; {@code equals},
 * {@code hashCode} and {@code toString} compare and print the shape's contents.
 */
public record SafetensorsEntry(String name, Dtype dtype, long[] shape, long dataStart, long dataEnd) {

    /**
     * @throws IllegalArgumentException when a dimension is negative, the element count overflows a
     *     long, or the offsets do not span exactly {@code numel * dtype.byteSize()} bytes from a
     *     non-negative start
     */
    public SafetensorsEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = Objects.requireNonNull(shape, "shape").clone();
        long bytes = byteCount(shape, dtype);
        if (bytes < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " has a negative dimension or more than 2^63 bytes as " + dtype);
        }
        if (dataStart < 0 || dataEnd < dataStart || dataEnd - dataStart != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " needs "
                    + bytes + " bytes as " + dtype + " but data offsets [" + dataStart + ", " + dataEnd + "] give "
                    + (dataEnd - dataStart));
        }
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i} of the shape. */
    public long dim(int i) {
        return shape[i];
    }

    /** The number of elements: the product of the dimensions (1 for a scalar). */
    public long numel() {
        return byteSize() / dtype.byteSize();
    }

    /** The number of data bytes, {@code dataEnd - dataStart}. */
    public long byteSize() {
        return dataEnd - dataStart;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsEntry t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && dataStart == t.dataStart && dataEnd == t.dataEnd;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), dataStart, dataEnd);
    }

    @Override
    public String toString() {
        return "SafetensorsEntry[" + name + ", " + dtype + ", " + Arrays.toString(shape) + ", data_offsets [" + dataStart
                + ", " + dataEnd + "]]";
    }

    /** Elements in {@code shape}, or -1 when a dimension is negative or the product overflows a long. */
    static long elementCount(long[] shape) {
        boolean empty = false;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            empty |= d == 0;
        }
        if (empty) {
            return 0;
        }
        long n = 1;
        for (long d : shape) {
            if (n > Long.MAX_VALUE / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /** Bytes of a {@code shape} tensor of {@code dtype}, or -1 when that is not a non-negative long. */
    static long byteCount(long[] shape, Dtype dtype) {
        long n = elementCount(shape);
        if (n < 0 || n > Long.MAX_VALUE / dtype.byteSize()) {
            return -1;
        }
        return n * dtype.byteSize();
    }
}
