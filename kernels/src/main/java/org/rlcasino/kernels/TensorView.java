package org.rlcasino.kernels;

import java.util.Arrays;

/**
 * A named tensor inside a flat parameter buffer: elements {@code [offset, offset + size)} hold the
 * tensor in row-major order.
 *
 * @param name   tensor name, e.g. {@code h.0.attn.c_attn.weight}
 * @param shape  dimensions, each {@code >= 1}; empty for a scalar
 * @param offset index of the first element in the flat buffer
 */
public record TensorView(String name, int[] shape, int offset) {
    public TensorView {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("tensor name must not be blank");
        }
        if (shape == null) {
            throw new IllegalArgumentException("tensor " + name + ": shape must not be null");
        }
        shape = shape.clone();
        long size = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("tensor " + name + ": dimensions must be >= 1, got "
                        + Arrays.toString(shape));
            }
            size *= d;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor " + name + ": more than 2^31-1 elements "
                        + Arrays.toString(shape));
            }
        }
        if (offset < 0) {
            throw new IllegalArgumentException("tensor " + name + ": offset must be >= 0, got " + offset);
        }
    }

    /** Number of elements. */
    public int size() {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        return size;
    }

    /** Rows when viewed as a matrix: the first dimension, or 1 for 0-D and 1-D tensors. */
    public int rows() {
        return shape.length < 2 ? 1 : shape[0];
    }

    /** Columns when viewed as a matrix: the product of all dimensions but the first (all of a 1-D tensor). */
    public int columns() {
        return size() / rows();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorView t && name.equals(t.name) && offset == t.offset && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + offset;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + "@" + offset;
    }
}
