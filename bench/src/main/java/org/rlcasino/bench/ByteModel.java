package org.rlcasino.bench;

import java.util.Map;

import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;

/**
 * Bytes one optimizer step must move between memory and the cores, under a cache-line model:
 * <ul>
 *   <li>dense fused AdamW: {@value #DENSE_BYTES_PER_PARAM} bytes per parameter (p read+write,
 *       g read, m read+write, v read+write, 4 bytes each);</li>
 *   <li>sparse AdamW: every 64-byte line of p that holds an active entry is read and written back
 *       and the same line of g is read (3 × 64 bytes per touched line), plus the compact state
 *       (m, v read+write: 16 bytes per active entry), plus the index structures (4 bytes per active
 *       entry for element indexing; 12 bytes per row segment for block indexing).</li>
 * </ul>
 * Lines are counted where the JVM puts the data: a large {@code float[]} is a G1 humongous object
 * that starts on a region boundary, and its elements start {@value #ARRAY_BASE_OFFSET_BYTES} bytes
 * after it (the array header), so element {@code i} is on line {@code (16 + 4·i) / 64}. A run of
 * 16 floats starting at a multiple of 16 therefore covers two lines, not one.
 */
public final class ByteModel {
    public static final int DENSE_BYTES_PER_PARAM = 28;
    public static final int LINE_BYTES = 64;
    private static final int FLOATS_PER_LINE = LINE_BYTES / Float.BYTES;
    /** Bytes between the start of a {@code float[]} and its first element (HotSpot, 64-bit, compressed class pointers). */
    public static final int ARRAY_BASE_OFFSET_BYTES = 16;

    private ByteModel() {}

    /** Bytes of one dense step over {@code params} parameters. */
    public static long denseStepBytes(long params) {
        return DENSE_BYTES_PER_PARAM * params;
    }

    /** Lines spanned by the first {@code n} elements of a {@code float[]}. */
    public static long linesSpanned(long n) {
        return (ARRAY_BASE_OFFSET_BYTES + Float.BYTES * n + LINE_BYTES - 1) / LINE_BYTES;
    }

    /** Distinct 64-byte lines of the flat buffer that hold at least one active entry. */
    public static long linesTouched(ParameterLayout layout, Map<String, int[]> mask) {
        long lines = 0;
        long lastLine = -1;
        for (TensorView t : layout.tensors()) {
            int[] active = mask.get(t.name());
            if (active == null) {
                continue;
            }
            for (int local : active) {
                long line = (ARRAY_BASE_OFFSET_BYTES + Float.BYTES * ((long) t.offset() + local)) / LINE_BYTES;
                if (line != lastLine) {
                    lines++;
                    lastLine = line;
                }
            }
        }
        return lines;
    }

    /**
     * Bytes of one sparse step.
     *
     * @param linesTouched lines of p (and of g) holding an active entry
     * @param active       active entries
     * @param runs         row segments for block indexing, or -1 for element indexing
     */
    public static long sparseStepBytes(long linesTouched, long active, long runs) {
        long indexBytes = runs < 0 ? 4L * active : 12L * runs;
        return 3L * LINE_BYTES * linesTouched + 16L * active + indexBytes;
    }
}
