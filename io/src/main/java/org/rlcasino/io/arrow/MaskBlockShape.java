package org.rlcasino.io.arrow;

/** Block (BSR) shape of a mask tensor's matrix view: {@code rows × columns} entries per block, each ≥ 1. */
public record MaskBlockShape(int rows, int columns) {
    public MaskBlockShape {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("block shape must be at least 1x1, got " + rows + "x" + columns);
        }
    }

    @Override
    public String toString() {
        return rows + "x" + columns;
    }
}
