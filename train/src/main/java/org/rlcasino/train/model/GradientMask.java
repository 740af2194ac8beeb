package org.rlcasino.train.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.MaskBlocks;
import org.rlcasino.kernels.BlockSparseMatmulKernels;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;

/**
 * Which parameter gradients the backward pass computes: those a sparse optimizer will read. Per
 * tensor one of
 * <ul>
 *   <li>{@link Kind#DENSE}: every entry (the dense path, unchanged);</li>
 *   <li>{@link Kind#FROZEN}: none — no weight gradient, no bias or LayerNorm parameter gradient, and
 *       no embedding backward when both embedding tables are frozen;</li>
 *   <li>{@link Kind#BLOCKS}: a 2-D weight's gradient only inside the active blocks (block-sparse
 *       {@code Xᵀ·dY}, {@link BlockSparseMatmulKernels}); an element mask is covered by the blocks
 *       that hold at least one active entry, so a scattered mask gains nothing (its fill is reported).</li>
 * </ul>
 * Input gradients stay dense: lower layers need them. Entries of an active block that the mask does
 * not hold get their gradient computed too; the optimizer never reads it. A cover of at least
 * {@link #DENSE_ABOVE} of a tensor's blocks is computed densely. A 2-D weight's matrix
 * view is (first dimension, product of the rest), the layout the backward's weight-gradient
 * products write.
 */
public final class GradientMask {
    /** How one tensor's gradient is computed. */
    public enum Kind { DENSE, FROZEN, BLOCKS }

    /**
     * One tensor's plan.
     *
     * @param kind         dense, frozen or blocks
     * @param blocks       with {@link Kind#BLOCKS}: the kernel's blocks array ({@link BlockSparseMatmulKernels#blocks}); else null
     * @param activeBlocks blocks whose gradient is computed (2-D tensors; all of them when dense, none when frozen)
     * @param totalBlocks  blocks of the tensor's matrix view (2-D tensors), 0 for others
     */
    public record TensorGradient(Kind kind, int[] blocks, long activeBlocks, long totalBlocks) {}

    /**
     * A block cover at least this share of a tensor's blocks runs the dense weight-gradient kernel
     * instead: the block-sparse fast path reaches 70–85 % of the dense one's throughput per block, so
     * above ~3/4 of the blocks dense is faster (measured with {@code casino bench train --mask-shape
     * element}: a 97.5 % element mask covers 99.8 % of the 16×16 blocks, and the block kernel was 9 %
     * slower than dense there). Dense also writes the entries outside the cover, which the optimizer never reads.
     */
    static final double DENSE_ABOVE = 0.75;

    private static final TensorGradient DENSE_VECTOR = new TensorGradient(Kind.DENSE, null, 0, 0);
    private static final TensorGradient FROZEN_VECTOR = new TensorGradient(Kind.FROZEN, null, 0, 0);

    private final Map<String, TensorGradient> tensors;
    private final int blockRows;
    private final int blockColumns;

    private GradientMask(Map<String, TensorGradient> tensors, int blockRows, int blockColumns) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.blockRows = blockRows;
        this.blockColumns = blockColumns;
    }

    /** Every gradient (the dense path). */
    public static GradientMask dense(ParameterLayout layout) {
        Map<String, TensorGradient> map = new LinkedHashMap<>();
        for (TensorView t : layout.tensors()) {
            long total = t.shape().length == 2 ? blockCount(t.rows(), 1) * blockCount(t.columns(), 1) : 0;
            map.put(t.name(), new TensorGradient(Kind.DENSE, null, total, total));
        }
        return new GradientMask(map, 1, 1);
    }

    /**
     * The gradients a sparse optimizer with these active entries reads: tensors absent from
     * {@code active} or with no active entry are frozen; 2-D tensors get the {@code blockRows ×
     * blockColumns} blocks that hold an active entry (dense when that is at least {@link #DENSE_ABOVE} of
     * the blocks); other tensors
     * are dense when any entry is active.
     *
     * @param active tensor name → ascending flat indices of the active entries (as a mask file holds them)
     * @throws IllegalArgumentException for an unknown tensor, an index outside its tensor, or a block side outside [1, 4096]
     */
    public static GradientMask fromActive(ParameterLayout layout, Map<String, int[]> active, int blockRows, int blockColumns) {
        return fromActive(layout, active, Map.<String, MaskBlocks>of(), blockRows, blockColumns);
    }

    /**
     * As {@link #fromActive(ParameterLayout, Map, int, int)}, with the block structure of some
     * tensors given by {@code structures} (a block mask's own blocks, as its file stores them: used
     * as they are); the others use the blocks of {@code blockRows × blockColumns} that cover their
     * active entries.
     */
    public static GradientMask fromActive(ParameterLayout layout, Map<String, int[]> active,
                                          Map<String, MaskBlocks> structures, int blockRows, int blockColumns) {
        if (blockRows < 1 || blockRows > 4096 || blockColumns < 1 || blockColumns > 4096) {
            throw new IllegalArgumentException("block sides must be in [1, 4096], got " + blockRows + "x" + blockColumns);
        }
        for (String name : active.keySet()) {
            if (!layout.contains(name)) {
                throw new IllegalArgumentException("the mask names tensor '" + name + "', which the model does not have");
            }
        }
        Map<String, TensorGradient> map = new LinkedHashMap<>();
        for (TensorView t : layout.tensors()) {
            int[] idx = active.get(t.name());
            boolean any = idx != null && idx.length > 0;
            if (idx != null) {
                for (int i : idx) {
                    if (i < 0 || i >= t.size()) {
                        throw new IllegalArgumentException("tensor " + t.name() + ": active index " + i + " is outside [0, "
                                + t.size() + ")");
                    }
                }
            }
            if (t.shape().length != 2) {
                map.put(t.name(), any ? DENSE_VECTOR : FROZEN_VECTOR);
                continue;
            }
            MaskBlocks stored = structures.get(t.name());
            if (stored != null && (stored.shape().rows() > BlockShape.MAX_SIDE || stored.shape().columns() > BlockShape.MAX_SIDE)) {
                throw new IllegalArgumentException("tensor " + t.name() + ": block sides must be in [1, " + BlockShape.MAX_SIDE
                        + "], got " + stored.shape());
            }
            int[] entries = any ? idx : new int[0];
            MaskBlocks cover = stored != null && any ? stored
                    : MaskBlocks.ofIndices(stored != null ? stored.shape() : new BlockShape(blockRows, blockColumns),
                    t.rows(), t.columns(), entries);
            map.put(t.name(), matrix(t, cover));
        }
        return new GradientMask(map, blockRows, blockColumns);
    }

    /** The plan of a 2-D tensor whose active entries lie in the blocks of {@code cover}. */
    private static TensorGradient matrix(TensorView t, MaskBlocks cover) {
        int k = t.rows();
        int n = t.columns();
        int br = cover.shape().rows();
        int bc = cover.shape().columns();
        long total = blockCount(k, br) * blockCount(n, bc);
        int count = cover.activeBlocks();
        if (count == 0) {
            return new TensorGradient(Kind.FROZEN, null, 0, total);
        }
        if (count >= DENSE_ABOVE * total) {
            return new TensorGradient(Kind.DENSE, null, total, total);
        }
        int[] rowPointers = cover.blockRowPointers();
        int[] columns = cover.blockColumns();
        int[] rows = new int[count];
        for (int r = 0; r + 1 < rowPointers.length; r++) {
            for (int b = rowPointers[r]; b < rowPointers[r + 1]; b++) {
                rows[b] = r;
            }
        }
        return new TensorGradient(Kind.BLOCKS, BlockSparseMatmulKernels.blocks(k, n, br, bc, rows, columns), count, total);
    }

    private static long blockCount(int extent, int side) {
        return (extent + side - 1) / side;
    }

    /** The plan of {@code tensor}. */
    public TensorGradient of(String tensor) {
        TensorGradient g = tensors.get(tensor);
        if (g == null) {
            throw new IllegalArgumentException("no tensor '" + tensor + "' in the gradient mask");
        }
        return g;
    }

    /** Whether the gradient of {@code tensor} is computed at all. */
    public boolean computes(String tensor) {
        return of(tensor).kind() != Kind.FROZEN;
    }

    /** Whether every tensor is dense (the backward is the dense one). */
    public boolean isDense() {
        return tensors.values().stream().allMatch(g -> g.kind() == Kind.DENSE);
    }

    /** Block height and width of the block plans. */
    public int[] blockShape() {
        return new int[] {blockRows, blockColumns};
    }

    /** Share of the 2-D tensors' blocks whose gradient is computed (1 for the dense path). */
    public double blockFill() {
        long active = 0;
        long total = 0;
        for (TensorGradient g : tensors.values()) {
            active += g.activeBlocks();
            total += g.totalBlocks();
        }
        return total == 0 ? 1 : (double) active / total;
    }

    /** Tensors per kind, e.g. {@code dense 3, blocks 8, frozen 6}. */
    public String summary() {
        Map<Kind, Integer> counts = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            counts.put(k, 0);
        }
        for (TensorGradient g : tensors.values()) {
            counts.merge(g.kind(), 1, Integer::sum);
        }
        return String.format(java.util.Locale.ROOT, "weight gradients: %d tensors dense, %d block-sparse (%dx%d blocks), "
                        + "%d frozen; %.1f %% of the 2-D tensors' blocks computed", counts.get(Kind.DENSE),
                counts.get(Kind.BLOCKS), blockRows, blockColumns, counts.get(Kind.FROZEN), 100 * blockFill());
    }
}
