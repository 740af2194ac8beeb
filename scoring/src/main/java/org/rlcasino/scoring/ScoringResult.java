package org.rlcasino.scoring;

import java.nio.file.Path;
import java.util.List;

import org.rlcasino.io.arrow.DeltaBasis;

/**
 * What a scorer did.
 *
 * @param method      scorer name
 * @param scores      the score file written
 * @param tensors     tensors scored
 * @param entries     parameters scored (scores written)
 * @param stepsInRange steps of the file in the requested range (after --first-steps)
 * @param sourceSteps steps whose deltas entered the scores (momentum: only the last w+1 of the range)
 * @param bytesRead   bytes of float32 deltas consumed (source steps × entries × 4)
 * @param nanos       wall time of reading, scoring and writing
 * @param backend     the backend's name
 * @param fileBasis   the basis the delta file records
 * @param basis       the basis the scores were computed on (converted from {@code fileBasis} when they differ)
 */
public record ScoringResult(String method, Path scores, int tensors, long entries, List<Integer> stepsInRange,
                            List<Integer> sourceSteps, long bytesRead, long nanos, String backend, DeltaBasis fileBasis,
                            DeltaBasis basis) {
    public ScoringResult {
        stepsInRange = List.copyOf(stepsInRange);
        sourceSteps = List.copyOf(sourceSteps);
    }

    public double seconds() {
        return nanos / 1e9;
    }

    /** Deltas consumed per second, GB/s (10^9 bytes). */
    public double gigabytesPerSecond() {
        return bytesRead / 1e9 / Math.max(seconds(), 1e-9);
    }
}
