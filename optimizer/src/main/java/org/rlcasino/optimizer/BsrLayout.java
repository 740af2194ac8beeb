package org.rlcasino.optimizer;

import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.MaskBlocks;

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
    private final MaskBlocks blocks;
    private final BlockShape blockShape;
    private final int[] blockRowPointers;
    private final int[] blockColumns;
    private final int[] entryPointers;
    private final int[] entries;

    private BsrLayout(int rows, int columns, MaskBlocks blocks, int[] entries) {
        this.rows = rows;
        this.columns = columns;
        this.blocks = blocks;
        this.blockShape = blocks.shape();
        this.blockRowPointers = blocks.blockRowPointers();
        this.blockColumns = blocks.blockColumns();
        this.entryPointers = blocks.entryPointers();
        this.entries = entries;
    }

    /**
     * Builds the layout of a mask.
     *
     * @param tensor  name, for messages
     * @param indices flat indices of the active entries, strictly ascending, in {@code [0, rows·columns)}
     */
    public static BsrLayout fromMask(String tensor, int rows, int columns, BlockShape blockShape, int[] indices) {
        checkMatrix(tensor, rows, columns);
        checkMaskIndices(tensor, indices, (long) rows * columns);
        MaskBlocks blocks = MaskBlocks.ofIndices(blockShape, rows, columns, indices);
        return new BsrLayout(rows, columns, blocks, blocks.entriesInBlockOrder(indices, columns));
    }

    /**
     * The layout of a mask whose block structure is already known (read from a mask file), without
     * rebuilding it: the entries are only put in block order.
     *
     * @param indices flat indices of the active entries, strictly ascending, in {@code [0, rows·columns)}
     * @throws IllegalArgumentException if {@code blocks} is not the structure of {@code indices}
     */
    public static BsrLayout fromBlocks(String tensor, int rows, int columns, MaskBlocks blocks, int[] indices) {
        checkMatrix(tensor, rows, columns);
        checkMaskIndices(tensor, indices, (long) rows * columns);
        int blockRows = (rows + blocks.shape().rows() - 1) / blocks.shape().rows();
        if (blocks.blockRowPointers().length != blockRows + 1) {
            throw new IllegalArgumentException("tensor " + tensor + ": its block structure (" + blocks.shape() + ") has "
                    + (blocks.blockRowPointers().length - 1) + " block rows, a " + rows + "x" + columns + " matrix " + blockRows);
        }
        try {
            return new BsrLayout(rows, columns, blocks, blocks.entriesInBlockOrder(indices, columns));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor " + tensor + ": " + e.getMessage(), e);
        }
    }

    private static void checkMatrix(String tensor, int rows, int columns) {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("tensor " + tensor + ": matrix view must be at least 1x1, got "
                    + rows + "x" + columns);
        }
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

    /** The block structure (what a mask file stores): block-row pointers, block columns, entry pointers. */
    public MaskBlocks blocks() {
        return blocks;
    }

    /** Flat indices of the active entries in block order, (nnz); a copy. */
    public int[] entries() {
        return entries.clone();
    }

    /** Active entries. */
    public int nnz() {
        return entries.length;
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
