package org.rlcasino.io.arrow;

import java.util.Arrays;

/**
 * Block Sparse Row structure of one mask tensor, over its matrix view ({@link TensorInfo#matrixRows()}
 * × {@link TensorInfo#matrixColumns()}: the first dimension by the rest; a 1-D tensor is one
 * row). Blocks at the right and bottom edges are clipped. Same arrays as the optimizer's
 * {@code BsrLayout}, without the entries themselves: the file's sorted {@code indices} hold
 * them, and the entries of block b, in block order, are the {@code entryPointers[b+1] −
 * entryPointers[b]} indices that fall into that block.
 */
public final class MaskBlocks {
    private final MaskBlockShape shape;
    private final int[] blockRowPointers;
    private final int[] blockColumns;
    private final int[] entryPointers;

    private MaskBlocks(MaskBlockShape shape, int[] blockRowPointers, int[] blockColumns, int[] entryPointers) {
        this.shape = shape;
        this.blockRowPointers = blockRowPointers;
        this.blockColumns = blockColumns;
        this.entryPointers = entryPointers;
    }

    /** Copies the arrays; their consistency with a tensor and its indices is checked when written or read. */
    public static MaskBlocks of(MaskBlockShape shape, int[] blockRowPointers, int[] blockColumns, int[] entryPointers) {
        if (shape == null || blockRowPointers == null || blockColumns == null || entryPointers == null) {
            throw new IllegalArgumentException("block shape and arrays must not be null");
        }
        return new MaskBlocks(shape, blockRowPointers.clone(), blockColumns.clone(), entryPointers.clone());
    }

    /** The structure of a tensor with no active entries. */
    public static MaskBlocks empty(MaskBlockShape shape, TensorInfo tensor) {
        return new MaskBlocks(shape, new int[blockRowCount(shape, tensor) + 1], new int[0], new int[1]);
    }

    static int blockRowCount(MaskBlockShape shape, TensorInfo tensor) {
        return (int) ceilDiv(tensor.matrixRows(), shape.rows());
    }

    static long blockColumnCount(MaskBlockShape shape, TensorInfo tensor) {
        return ceilDiv(tensor.matrixColumns(), shape.columns());
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    public MaskBlockShape shape() {
        return shape;
    }

    /** (ceil(rows / blockRows) + 1); a copy. */
    public int[] blockRowPointers() {
        return blockRowPointers.clone();
    }

    /** (activeBlocks); a copy. */
    public int[] blockColumns() {
        return blockColumns.clone();
    }

    /** (activeBlocks + 1); a copy. */
    public int[] entryPointers() {
        return entryPointers.clone();
    }

    public int activeBlocks() {
        return blockColumns.length;
    }

    int[] array(MaskArray array) {
        return switch (array) {
            case BLOCK_ROW_POINTERS -> blockRowPointers;
            case BLOCK_COLUMNS -> blockColumns;
            case ENTRY_POINTERS -> entryPointers;
            case INDICES -> throw new IllegalArgumentException("indices are not part of the block structure");
        };
    }

    /** Null if the arrays form a valid structure for {@code tensor}; otherwise what is wrong. */
    String problem(TensorInfo tensor) {
        String name = "tensor " + tensor.name() + " (matrix view " + tensor.matrixRows() + "x" + tensor.matrixColumns()
                + ", blocks " + shape + "): ";
        int blockRows = blockRowCount(shape, tensor);
        long blockCols = blockColumnCount(shape, tensor);
        if (blockRowPointers.length != blockRows + 1) {
            return name + MaskArray.BLOCK_ROW_POINTERS.columnValue() + " must hold " + (blockRows + 1) + " values, got " + blockRowPointers.length;
        }
        if (blockRowPointers[0] != 0) {
            return name + MaskArray.BLOCK_ROW_POINTERS.columnValue() + " must start at 0, got " + blockRowPointers[0];
        }
        for (int r = 0; r < blockRows; r++) {
            if (blockRowPointers[r + 1] < blockRowPointers[r]) {
                return name + MaskArray.BLOCK_ROW_POINTERS.columnValue() + " must be non-decreasing, but " + blockRowPointers[r + 1]
                        + " follows " + blockRowPointers[r] + " at position " + (r + 1);
            }
        }
        if (blockRowPointers[blockRows] != blockColumns.length) {
            return name + MaskArray.BLOCK_ROW_POINTERS.columnValue() + " ends at " + blockRowPointers[blockRows] + " but "
                    + MaskArray.BLOCK_COLUMNS.columnValue() + " holds " + blockColumns.length + " blocks";
        }
        for (int r = 0; r < blockRows; r++) {
            for (int b = blockRowPointers[r]; b < blockRowPointers[r + 1]; b++) {
                if (blockColumns[b] < 0 || blockColumns[b] >= blockCols) {
                    return name + "block column " + blockColumns[b] + " of block " + b + " is outside [0, " + blockCols + ")";
                }
                if (b > blockRowPointers[r] && blockColumns[b] <= blockColumns[b - 1]) {
                    return name + MaskArray.BLOCK_COLUMNS.columnValue() + " must be strictly ascending within block row " + r + ", but "
                            + blockColumns[b] + " follows " + blockColumns[b - 1] + " at block " + b;
                }
            }
        }
        if (entryPointers.length != blockColumns.length + 1) {
            return name + MaskArray.ENTRY_POINTERS.columnValue() + " must hold activeBlocks + 1 = " + (blockColumns.length + 1)
                    + " values, got " + entryPointers.length;
        }
        if (entryPointers[0] != 0) {
            return name + MaskArray.ENTRY_POINTERS.columnValue() + " must start at 0, got " + entryPointers[0];
        }
        for (int b = 0; b < blockColumns.length; b++) {
            if (entryPointers[b + 1] <= entryPointers[b]) {
                return name + MaskArray.ENTRY_POINTERS.columnValue() + " must be strictly ascending (every active block holds an entry), but "
                        + entryPointers[b + 1] + " follows " + entryPointers[b] + " at position " + (b + 1);
            }
        }
        return null;
    }

    /** The active block holding flat index {@code index} of {@code tensor}, or -1 if no active block does. */
    int blockOf(long index, TensorInfo tensor) {
        long columns = tensor.matrixColumns();
        int blockRow = (int) (index / columns / shape.rows());
        int blockColumn = (int) (index % columns / shape.columns());
        int found = Arrays.binarySearch(blockColumns, blockRowPointers[blockRow], blockRowPointers[blockRow + 1], blockColumn);
        return found >= 0 ? found : -1;
    }

    /** Null if {@code counts[b]} (indices seen per block) matches the entry pointers; otherwise what differs. */
    String countProblem(TensorInfo tensor, int[] counts, long kept) {
        for (int b = 0; b < counts.length; b++) {
            int expected = entryPointers[b + 1] - entryPointers[b];
            if (counts[b] != expected) {
                return "tensor " + tensor.name() + ": block " + b + " (block row " + blockRowOf(b) + ", block column " + blockColumns[b]
                        + ") holds " + counts[b] + " of the indices, but " + MaskArray.ENTRY_POINTERS.columnValue() + " gives it " + expected;
            }
        }
        if (entryPointers[entryPointers.length - 1] != kept) {
            return "tensor " + tensor.name() + ": " + MaskArray.ENTRY_POINTERS.columnValue() + " ends at " + entryPointers[entryPointers.length - 1]
                    + " but the tensor has " + kept + " indices";
        }
        return null;
    }

    private int blockRowOf(int block) {
        int r = 0;
        while (blockRowPointers[r + 1] <= block) {
            r++;
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskBlocks m && shape.equals(m.shape) && Arrays.equals(blockRowPointers, m.blockRowPointers)
                && Arrays.equals(blockColumns, m.blockColumns) && Arrays.equals(entryPointers, m.entryPointers);
    }

    @Override
    public int hashCode() {
        return ((shape.hashCode() * 31 + Arrays.hashCode(blockRowPointers)) * 31 + Arrays.hashCode(blockColumns)) * 31
                + Arrays.hashCode(entryPointers);
    }

    @Override
    public String toString() {
        return "MaskBlocks[" + shape + ", " + activeBlocks() + " active blocks]";
    }
}
