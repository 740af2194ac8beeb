package org.rlcasino.scoring;

import org.rlcasino.kernels.ScoringKernels;

/** The two momentum scores over the window's velocities, with μ = mean v and σ = unbiased (n−1) std v. */
public enum MomentumFormula {
    /** The paper's formula: {@code |μ|² / (σ + ε)}. */
    PAPER("paper", ScoringKernels.FORMULA_PAPER),
    /** The paper's public reference code: {@code |μ| · (1 + |μ| / (σ + ε))}. */
    REFERENCE("reference", ScoringKernels.FORMULA_REFERENCE);

    private final String label;
    private final int code;

    MomentumFormula(String label, int code) {
        this.label = label;
        this.code = code;
    }

    /** Name on the command line and in score files: {@code paper} or {@code reference}. */
    public String label() {
        return label;
    }

    int code() {
        return code;
    }

    /** The formula named {@code name} ({@code paper} or {@code reference}). */
    public static MomentumFormula of(String name) {
        for (MomentumFormula f : values()) {
            if (f.label.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown momentum formula '" + name + "': use paper (|mean v|²/(std v + eps))"
                + " or reference (|mean v|·(1 + |mean v|/(std v + eps)))");
    }
}
