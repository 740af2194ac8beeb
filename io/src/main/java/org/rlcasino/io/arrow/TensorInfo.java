package org.rlcasino.io.arrow;

import java.util.Arrays;

/**
 * One tensor of a file's tensor table: its name, shape and the dtype of the checkpoint it came
 * from (safetensors spelling: {@code F32}, {@code F16}, {@code BF16}). Values in the Arrow files
 * are always float32 (deltas, scores) or int32 flat indices (masks), whatever the dtype.
 *
 * @param shape dimensions, each ≥ 0; a scalar has shape {@code []} and one element
 */
public record TensorInfo(String name, long[] shape, String dtype) {
    public TensorInfo {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must be a non-empty string, got " + (name == null ? "null" : "\"\""));
        }
        if (shape == null) {
            throw new IllegalArgumentException("tensor " + name + ": shape must not be null");
        }
        shape = shape.clone();
        long size = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + name + ": dimensions must be >= 0, got shape " + Arrays.toString(shape));
            }
            try {
                size = Math.multiplyExact(size, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " has more than 2^63 elements");
            }
        }
        if (dtype == null || dtype.isEmpty()) {
            throw new IllegalArgumentException("tensor " + name + ": dtype must be a non-empty string such as F32, F16 or BF16");
        }
    }

    /** A float32 tensor. */
    public static TensorInfo f32(String name, long... shape) {
        return new TensorInfo(name, shape, "F32");
    }

    /** Dimensions; a copy. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape. */
    public long size() {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        return size;
    }

    /** Rows of the matrix view used for blocks: the first dimension, or 1 for a scalar or 1-D tensor. */
    public long matrixRows() {
        return shape.length >= 2 ? shape[0] : 1;
    }

    /** Columns of the matrix view: the product of all dimensions after the first (all of them for 1-D). */
    public long matrixColumns() {
        long rows = matrixRows();
        return rows == 0 ? 0 : size() / rows;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && Arrays.equals(shape, t.shape) && dtype.equals(t.dtype);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + dtype.hashCode();
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + dtype;
    }
}
