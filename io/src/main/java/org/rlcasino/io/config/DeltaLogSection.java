package org.rlcasino.io.config;

/**
 * Which steps of a dense phase stream their weight deltas δ_t = θ_t − θ_{t−1} to the phase's
 * {@code deltas.arrow} (steps count from 1; both bounds inclusive).
 *
 * @param firstStep first logged step, {@code >= 1} (default 1)
 * @param lastStep  last logged step, {@code >= firstStep} (default: the phase's last step)
 */
public record DeltaLogSection(Integer firstStep, Integer lastStep) {
    public DeltaLogSection {
        firstStep = firstStep == null ? 1 : firstStep;
        if (firstStep < 1) {
            throw new IllegalArgumentException("firstStep must be >= 1, got " + firstStep);
        }
        if (lastStep != null && lastStep < firstStep) {
            throw new IllegalArgumentException("lastStep (" + lastStep + ") must be >= firstStep (" + firstStep + ")");
        }
    }
}
