package org.rlcasino.io.arrow;

import java.util.Arrays;

/**
 * Block Sparse Row structure of one mask tensor, over its matrix view ({@link TensorInfo#matrixRows()}
 * × {@link TensorInfo#matrixColumns()}: the first dimension by the rest; a 1-D tensor is one
 * row). Blocks at the right and bottom edges are clipped. The one builder of these arrays: from a
 * mask's indices ({@link #ofIndices}), from kept blocks ({@link #ofKeptBlocks}), or as read from a
 * mask file; the optimizer's {@code BsrLayout} adds the entries in block order
 * ({@link #entriesInBlockOrder}). A mask file's sorted {@code indices} hold the entries, and the
 * entries of block b, in block order, are the {@code entryPointers[b+1] − entryPointers[b]}
 * indices that fall into that block.
 */
public final class MaskBlocks {
    private final BlockShape shape;
    private final int[] blockRowPointers;
    private final int[] blockColumns;
    private final int[] entryPointers;

    private MaskBlocks(BlockShape shape, int[] blockRowPointers, int[] blockColumns, int[] entryPointers) {
        this.shape = shape;
        this.blockRowPointers = blockRowPointers;
        this.blockColumns = blockColumns;
        this.entryPointers = entryPointers;
    }

    /** Copies the arrays; their consistency with a tensor and its indices is checked when written or read. */
    public static MaskBlocks of(BlockShape shape, int[] blockRowPointers, int[] blockColumns, int[] entryPointers) {
        if (shape == null || blockRowPointers == null || blockColumns == null || entryPointers == null) {
            throw new IllegalArgumentException("block shape and arrays must not be null");
        }
        return new MaskBlocks(shape, blockRowPointers.clone(), blockColumns.clone(), entryPointers.clone());
    }

    /**
     * The structure of the active entries {@code indices} (flat indices {@code row·columns + column},
     * strictly ascending, in {@code [0, rows·columns)}; the caller checks that) of a
     * {@code rows × columns} matrix: the blocks holding at least one of them.
     */
    public static MaskBlocks ofIndices(BlockShape shape, long rows, long columns, int[] indices) {
        int blockRowCount = (int) ceilDiv(rows, shape.rows());
        int blockColumnCount = (int) ceilDiv(columns, shape.columns());
        int[] blockRowPointers = new int[blockRowCount + 1];
        int[] counts = new int[blockColumnCount];
        int[] blockColumns = new int[(int) Math.min(indices.length, (long) blockRowCount * blockColumnCount)];
        int[] entryPointers = new int[blockColumns.length + 1];
        int blocks = 0;
        int next = 0;
        for (int blockRow = 0; blockRow < blockRowCount; blockRow++) {
            long rowEnd = Math.min((long) (blockRow + 1) * shape.rows(), rows) * columns;
            while (next < indices.length && indices[next] < rowEnd) {
                counts[(int) (indices[next] % columns / shape.columns())]++;
                next++;
            }
            for (int bc = 0; bc < blockColumnCount; bc++) {
                if (counts[bc] > 0) {
                    blockColumns[blocks] = bc;
                    entryPointers[blocks + 1] = entryPointers[blocks] + counts[bc];
                    blocks++;
                    counts[bc] = 0;
                }
            }
            blockRowPointers[blockRow + 1] = blocks;
        }
        return new MaskBlocks(shape, blockRowPointers, Arrays.copyOf(blockColumns, blocks),
                Arrays.copyOf(entryPointers, blocks + 1));
    }

    /**
     * The structure of a block mask of a {@code rows × columns} matrix that keeps whole blocks:
     * {@code keep[R·gridColumns + C]} for block row R and block column C (grid ceil(rows/br) ×
     * ceil(columns/bc)); each kept block holds all its entries (clipped at the edges).
     */
    public static MaskBlocks ofKeptBlocks(BlockShape shape, long rows, long columns, boolean[] keep) {
        int gridRows = (int) ceilDiv(rows, shape.rows());
        int gridColumns = (int) ceilDiv(columns, shape.columns());
        if (keep.length != (long) gridRows * gridColumns) {
            throw new IllegalArgumentException("keep must hold " + gridRows + "x" + gridColumns + " flags, got " + keep.length);
        }
        int active = 0;
        for (boolean k : keep) {
            active += k ? 1 : 0;
        }
        int[] blockRowPointers = new int[gridRows + 1];
        int[] blockColumns = new int[active];
        int[] entryPointers = new int[active + 1];
        int a = 0;
        for (int r = 0; r < gridRows; r++) {
            int height = (int) Math.min(shape.rows(), rows - (long) r * shape.rows());
            for (int c = 0; c < gridColumns; c++) {
                if (keep[r * gridColumns + c]) {
                    int width = (int) Math.min(shape.columns(), columns - (long) c * shape.columns());
                    blockColumns[a] = c;
                    entryPointers[a + 1] = entryPointers[a] + height * width;
                    a++;
                }
            }
            blockRowPointers[r + 1] = a;
        }
        return new MaskBlocks(shape, blockRowPointers, blockColumns, entryPointers);
    }

    /**
     * The active entries {@code indices} (strictly ascending flat indices of a matrix with
     * {@code columns} columns) in block order: block rows top to bottom, the active blocks of a
     * block row left to right, row-major inside a block — the order of the {@code entries} array of
     * a BSR layout.
     *
     * @throws IllegalArgumentException if an index falls outside every active block, or the number
     *                                  of indices per block differs from this structure's
     */
    public int[] entriesInBlockOrder(int[] indices, long columns) {
        if (entryPointers[entryPointers.length - 1] != indices.length) {
            throw new IllegalArgumentException("the block structure holds " + entryPointers[entryPointers.length - 1]
                    + " entries, the mask " + indices.length);
        }
        int[] entries = new int[indices.length];
        int[] cursor = new int[blockColumns.length];
        for (int b = 0; b < blockColumns.length; b++) {
            cursor[b] = entryPointers[b];
        }
        for (int index : indices) {
            int blockRow = (int) (index / columns / shape.rows());
            int blockColumn = (int) (index % columns / shape.columns());
            int b = blockRow + 1 < blockRowPointers.length
                    ? Arrays.binarySearch(blockColumns, blockRowPointers[blockRow], blockRowPointers[blockRow + 1], blockColumn)
                    : -1;
            if (b < 0 || cursor[b] == entryPointers[b + 1]) {
                throw new IllegalArgumentException("index " + index + " is outside the active blocks, or its block ("
                        + blockRow + ", " + blockColumn + ") holds more indices than the block structure gives it");
            }
            entries[cursor[b]++] = index;
        }
        return entries;
    }

    /** The structure of a tensor with no active entries. */
    public static MaskBlocks empty(BlockShape shape, TensorInfo tensor) {
        return new MaskBlocks(shape, new int[blockRowCount(shape, tensor) + 1], new int[0], new int[1]);
    }

    static int blockRowCount(BlockShape shape, TensorInfo tensor) {
        return (int) ceilDiv(tensor.matrixRows(), shape.rows());
    }

    static long blockColumnCount(BlockShape shape, TensorInfo tensor) {
        return ceilDiv(tensor.matrixColumns(), shape.columns());
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    public BlockShape shape() {
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
