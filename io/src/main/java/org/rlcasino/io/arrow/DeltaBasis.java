package org.rlcasino.io.arrow;

/**
 * What a delta is measured against. A delta file records its basis in the schema metadata
 * {@value RlcasinoArrowFile#BASIS}; scorers convert a file of one basis to the other while streaming.
 * <ul>
 *   <li>{@link #STEP}: {@code δ_t = θ_t − θ_(t−1)}, the update of one logged step (θ_(t−1) the
 *       previous logged step, or the state before the first one).</li>
 *   <li>{@link #START}: {@code δ_t = θ_t − θ_0}, the displacement from the start of the logged run
 *       (θ_0 the state before the first logged step, or the first checkpoint given). This is what
 *       the paper's public reference code logs, so its momentum "velocity" δ_t − δ_(t−1) is the
 *       per-step update.</li>
 * </ul>
 * Files written before the basis was recorded hold step deltas and read as {@link #STEP}.
 */
public enum DeltaBasis {
    STEP("step"),
    START("start");

    private final String label;

    DeltaBasis(String label) {
        this.label = label;
    }

    /** The name in files, run-configs and on the command line: {@code step} or {@code start}. */
    public String label() {
        return label;
    }

    /** The basis named {@code name} ({@code step} or {@code start}). */
    public static DeltaBasis of(String name) {
        for (DeltaBasis b : values()) {
            if (b.label.equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown delta basis '" + name + "': use step (θ_t − θ_(t−1)) or start (θ_t − θ_0)");
    }

    @Override
    public String toString() {
        return label;
    }
}
