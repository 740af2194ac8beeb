package org.rlcasino.io.arrow;

/**
 * The arrays a mask file stores per tensor, in the order their rows appear (the {@code array}
 * column). Only {@link #INDICES} is always there; the other three exist for tensors with a block
 * shape.
 */
public enum MaskArray {
    /** (ceil(rows / blockRows) + 1): active blocks of block row R are [p[R], p[R+1]). */
    BLOCK_ROW_POINTERS("block_row_pointers"),
    /** (activeBlocks): block column of each active block, ascending within a block row. */
    BLOCK_COLUMNS("block_columns"),
    /** (activeBlocks + 1): the active entries of block b are [e[b], e[b+1]) in block order (blocks in row-major block order, entries row-major inside a block). */
    ENTRY_POINTERS("entry_pointers"),
    /** (kept): flat indices of the active entries, strictly ascending. */
    INDICES("indices");

    private final String columnValue;

    MaskArray(String columnValue) {
        this.columnValue = columnValue;
    }

    /** The value in the {@code array} column. */
    public String columnValue() {
        return columnValue;
    }

    static MaskArray byColumnValue(String value) {
        for (MaskArray a : values()) {
            if (a.columnValue.equals(value)) {
                return a;
            }
        }
        return null;
    }
}
