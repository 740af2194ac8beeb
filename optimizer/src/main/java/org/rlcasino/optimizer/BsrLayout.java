package org.rlcasino.optimizer;

/**
 * Block Sparse Row layout of the active entries of one tensor viewed as a {@code rows × columns}
 * matrix (a 1-D tensor is one row), with blocks of {@link BlockShape} (blocks at the right and
 * bottom edges are clipped to the matrix).
 * <pre>
 *   blockRowPointers (ceil(rows / blockRows) + 1)  active blocks of block row R are
 *                                                   [blockRowPointers[R], blockRowPointers[R+1])
 *   blockColumns     (activeBlocks)                 block column of each active block, ascending per block row
 *   entryPointers    (activeBlocks + 1)             entries of block b are [entryPointers[b], entryPointers[b+1])
 *   entries          (nnz)                          flat index (row·columns + column) of each active entry,
 *                                                   grouped by block, row-major inside a block
 * </pre>
 * A block mask fills its blocks completely ({@link #fillRatio()} = 1); an element mask gives
 * partly filled blocks. The optimizer walks the layout as row segments: contiguous runs of active
 * entries inside a block row, which it updates as vectors.
 */
public final class BsrLayout {
    private final int rows;
    private final int columns;
    private final BlockShape blockShape;
    private final int[] blockRowPointers;
    private final int[] blockColumns;
    private final int[] entryPointers;
    private final int[] entries;

    private BsrLayout(int rows, int columns, BlockShape blockShape, int[] blockRowPointers, int[] blockColumns,
                      int[] entryPointers, int[] entries) {
        this.rows = rows;
        this.columns = columns;
        this.blockShape = blockShape;
        this.blockRowPointers = blockRowPointers;
        this.blockColumns = blockColumns;
        this.entryPointers = entryPointers;
        this.entries = entries;
    }

    /**
     * Builds the layout of a mask.
     *
     * @param tensor  name, for messages
     * @param indices flat indices of the active entries, strictly ascending, in {@code [0, rows·columns)}
     */
    public static BsrLayout fromMask(String tensor, int rows, int columns, BlockShape blockShape, int[] indices) {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("tensor " + tensor + ": matrix view must be at least 1x1, got "
                    + rows + "x" + columns);
        }
        checkMaskIndices(tensor, indices, (long) rows * columns);
        int blockRowCount = ceilDiv(rows, blockShape.rows());
        int blockColumnCount = ceilDiv(columns, blockShape.columns());
        int[] blockRowPointers = new int[blockRowCount + 1];
        IntList blockColumns = new IntList(16);
        IntList entryPointers = new IntList(16);
        int[] entries = new int[indices.length];
        int[] countPerBlockColumn = new int[blockColumnCount];
        int[] slotPerBlockColumn = new int[blockColumnCount];
        int next = 0;
        for (int blockRow = 0; blockRow < blockRowCount; blockRow++) {
            long rowEnd = Math.min((long) (blockRow + 1) * blockShape.rows(), rows) * columns;
            int lo = next;
            while (next < indices.length && indices[next] < rowEnd) {
                countPerBlockColumn[(indices[next] % columns) / blockShape.columns()]++;
                next++;
            }
            // Counting sort by block column; stable, so entries stay row-major inside a block.
            int cursor = lo;
            for (int bc = 0; bc < blockColumnCount; bc++) {
                if (countPerBlockColumn[bc] > 0) {
                    blockColumns.add(bc);
                    entryPointers.add(cursor);
                    slotPerBlockColumn[bc] = cursor;
                    cursor += countPerBlockColumn[bc];
                    countPerBlockColumn[bc] = 0;
                }
            }
            for (int e = lo; e < next; e++) {
                int bc = (indices[e] % columns) / blockShape.columns();
                entries[slotPerBlockColumn[bc]++] = indices[e];
            }
            blockRowPointers[blockRow + 1] = blockColumns.size();
        }
        entryPointers.add(indices.length);
        return new BsrLayout(rows, columns, blockShape, blockRowPointers, blockColumns.toArray(),
                entryPointers.toArray(), entries);
    }

    /** Throws {@link IllegalArgumentException} unless {@code indices} is strictly ascending within {@code [0, size)}. */
    static void checkMaskIndices(String tensor, int[] indices, long size) {
        if (indices == null) {
            throw new IllegalArgumentException("tensor " + tensor + ": mask indices must not be null");
        }
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            if (i < 0 || i >= size) {
                throw new IllegalArgumentException("tensor " + tensor + ": mask index " + i + " at position " + j
                        + " is out of range [0, " + size + ")");
            }
            if (j > 0 && i <= indices[j - 1]) {
                throw new IllegalArgumentException("tensor " + tensor + ": mask indices must be strictly ascending, but "
                        + (i == indices[j - 1] ? "index " + i + " is repeated" : "index " + i + " follows " + indices[j - 1])
                        + " at position " + j);
            }
        }
    }

    /**
     * Appends the row segments of the active entries, in ascending flat order, to {@code runs}:
     * block rows top to bottom, rows inside a block row, and in each row the active blocks left to
     * right with that row's entries. {@code flatBase} is the tensor's offset in the parameter buffer.
     */
    void appendRowSegments(RunList runs, int flatBase) {
        for (int blockRow = 0; blockRow + 1 < blockRowPointers.length; blockRow++) {
            int firstBlock = blockRowPointers[blockRow];
            int endBlock = blockRowPointers[blockRow + 1];
            if (firstBlock == endBlock) {
                continue;
            }
            int[] cursor = new int[endBlock - firstBlock];
            for (int b = firstBlock; b < endBlock; b++) {
                cursor[b - firstBlock] = entryPointers[b];
            }
            int rowLo = blockRow * blockShape.rows();
            int rowHi = Math.min(rowLo + blockShape.rows(), rows);
            for (int row = rowLo; row < rowHi; row++) {
                long rowEnd = (long) (row + 1) * columns;
                for (int b = firstBlock; b < endBlock; b++) {
                    int e = cursor[b - firstBlock];
                    int end = entryPointers[b + 1];
                    while (e < end && entries[e] < rowEnd) {
                        runs.add(flatBase + entries[e]);
                        e++;
                    }
                    cursor[b - firstBlock] = e;
                }
            }
        }
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    public BlockShape blockShape() {
        return blockShape;
    }

    /** Block-row pointers, (ceil(rows / blockRows) + 1); a copy. */
    public int[] blockRowPointers() {
        return blockRowPointers.clone();
    }

    /** Block column of each active block, (activeBlocks); a copy. */
    public int[] blockColumns() {
        return blockColumns.clone();
    }

    /** Start of each active block's entries, (activeBlocks + 1); a copy. */
    public int[] entryPointers() {
        return entryPointers.clone();
    }

    /** Flat indices of the active entries in block order, (nnz); a copy. */
    public int[] entries() {
        return entries.clone();
    }

    /** Active entries. */
    public int nnz() {
        return entries.length;
    }

    /** Blocks holding at least one active entry. */
    public int activeBlocks() {
        return blockColumns.length;
    }

    /** All blocks of the matrix. */
    public long totalBlocks() {
        return (long) ceilDiv(rows, blockShape.rows()) * ceilDiv(columns, blockShape.columns());
    }

    /** Active entries divided by the entries the active blocks cover (edge blocks clipped); 1 for a block mask. */
    public double fillRatio() {
        long covered = 0;
        for (int blockRow = 0; blockRow + 1 < blockRowPointers.length; blockRow++) {
            int height = Math.min(blockShape.rows(), rows - blockRow * blockShape.rows());
            for (int b = blockRowPointers[blockRow]; b < blockRowPointers[blockRow + 1]; b++) {
                int width = Math.min(blockShape.columns(), columns - blockColumns[b] * blockShape.columns());
                covered += (long) height * width;
            }
        }
        return covered == 0 ? 0.0 : (double) entries.length / covered;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
