package org.rlcasino.io.config;

import org.rlcasino.io.arrow.DeltaBasis;

/**
 * Which steps of a dense phase stream their weight deltas to the phase's {@code deltas.arrow}
 * (steps count from 1; both bounds inclusive), and against what.
 *
 * @param firstStep first logged step, {@code >= 1} (default 1)
 * @param lastStep  last logged step, {@code >= firstStep} (default: the phase's last step)
 * @param basis     {@code start} (default, as the paper's reference code: δ_t = θ_t − θ_0, θ_0 the weights before
 *                  {@code firstStep}) or {@code step} (δ_t = θ_t − θ_{t−1})
 */
public record DeltaLogSection(Integer firstStep, Integer lastStep, String basis) {
    public DeltaLogSection {
        firstStep = firstStep == null ? 1 : firstStep;
        if (firstStep < 1) {
            throw new IllegalArgumentException("firstStep must be >= 1, got " + firstStep);
        }
        if (lastStep != null && lastStep < firstStep) {
            throw new IllegalArgumentException("lastStep (" + lastStep + ") must be >= firstStep (" + firstStep + ")");
        }
        basis = basis == null ? DeltaBasis.START.label() : DeltaBasis.of(basis).label();
    }

    /** {@link #basis()} as a {@link DeltaBasis}. */
    public DeltaBasis deltaBasis() {
        return DeltaBasis.of(basis);
    }
}
