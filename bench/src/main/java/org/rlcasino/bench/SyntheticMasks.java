package org.rlcasino.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;

/**
 * Seeded masks of a given density and shape for benchmarks: in every tensor, exactly
 * {@code round(density · blocks)} blocks chosen uniformly at random (selection sampling, so
 * O(blocks) time and no sort), each contributing all its entries. Random-entry masks are 1×1 blocks.
 */
public final class SyntheticMasks {
    private SyntheticMasks() {}

    /** Layout of {@code params} parameters as 2-D tensors of at most 1024 rows × {@code columns} columns. */
    public static ParameterLayout matrices(long params, int columns) {
        if (params < 1 || params > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("params must be in [1, 2^31-9], got " + params);
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be >= 1, got " + columns);
        }
        int cols = (int) Math.min(columns, params);
        long rows = params / cols;
        ParameterLayout.Builder builder = ParameterLayout.builder();
        int t = 0;
        for (long r = 0; r < rows; r += 1024) {
            builder.add("w" + t++, (int) Math.min(1024, rows - r), cols);
        }
        int rest = (int) (params - rows * cols);
        if (rest > 0) {
            builder.add("w" + t, rest);
        }
        return builder.build();
    }

    /** A mask keeping {@code density} of each tensor's blocks of {@code shape}, seeded. */
    public static Map<String, int[]> blocks(ParameterLayout layout, BlockShape shape, double density, long seed) {
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("density must be in [0, 1], got " + density);
        }
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, int[]> mask = new LinkedHashMap<>();
        for (TensorView t : layout.tensors()) {
            int rows = t.rows();
            int cols = t.columns();
            int blockRows = (rows + shape.rows() - 1) / shape.rows();
            int blockCols = (cols + shape.columns() - 1) / shape.columns();
            long blocks = (long) blockRows * blockCols;
            long keep = Math.round(density * blocks);
            boolean[] chosen = new boolean[Math.toIntExact(blocks)];
            long needed = keep;
            long kept = 0;
            for (int b = 0; b < blocks && needed > 0; b++) {
                // Selection sampling (Knuth's Algorithm S): each block is kept with probability
                // needed / remaining, which yields exactly `keep` blocks, uniformly.
                if (random.nextLong(blocks - b) < needed) {
                    chosen[b] = true;
                    needed--;
                    kept += blockEntries(b, blockCols, rows, cols, shape);
                }
            }
            int[] indices = new int[Math.toIntExact(kept)];
            int next = 0;
            for (int r = 0; r < rows; r++) {
                int blockRow = r / shape.rows();
                for (int bc = 0; bc < blockCols; bc++) {
                    if (chosen[blockRow * blockCols + bc]) {
                        int c0 = bc * shape.columns();
                        int c1 = Math.min(c0 + shape.columns(), cols);
                        for (int c = c0; c < c1; c++) {
                            indices[next++] = r * cols + c;
                        }
                    }
                }
            }
            mask.put(t.name(), indices);
        }
        return mask;
    }

    private static int blockEntries(int b, int blockCols, int rows, int cols, BlockShape shape) {
        int br = b / blockCols;
        int bc = b % blockCols;
        int h = Math.min(shape.rows(), rows - br * shape.rows());
        int w = Math.min(shape.columns(), cols - bc * shape.columns());
        return h * w;
    }
}
