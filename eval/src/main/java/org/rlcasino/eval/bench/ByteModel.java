package org.rlcasino.eval.bench;

import java.util.Map;

import org.rlcasino.tasks.ParameterLayout;
import org.rlcasino.tasks.TensorView;

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
 * Lines are counted as {@code flatIndex / 16}, i.e. as if the buffers started on a line boundary.
 */
public final class ByteModel {
    public static final int DENSE_BYTES_PER_PARAM = 28;
    public static final int LINE_BYTES = 64;
    private static final int FLOATS_PER_LINE = LINE_BYTES / Float.BYTES;

    private ByteModel() {}

    /** Bytes of one dense step over {@code params} parameters. */
    public static long denseStepBytes(long params) {
        return DENSE_BYTES_PER_PARAM * params;
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
                long line = ((long) t.offset() + local) / FLOATS_PER_LINE;
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
