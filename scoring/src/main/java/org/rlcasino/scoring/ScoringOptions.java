package org.rlcasino.scoring;

import org.rlcasino.io.deltas.TensorSelection;

/**
 * What part of a delta stream a scorer reads.
 *
 * @param steps      step numbers used (inclusive range)
 * @param firstSteps if &gt; 0, only the first {@code firstSteps} steps of that range; 0 for all
 * @param selection  tensors scored (include/exclude globs); the score file holds exactly these
 */
public record ScoringOptions(StepRange steps, int firstSteps, TensorSelection selection) {
    /** All steps, all tensors. */
    public static final ScoringOptions ALL = new ScoringOptions(StepRange.ALL, 0, TensorSelection.ALL);

    public ScoringOptions {
        if (steps == null || selection == null) {
            throw new IllegalArgumentException("steps and selection must not be null (use StepRange.ALL, TensorSelection.ALL)");
        }
        if (firstSteps < 0) {
            throw new IllegalArgumentException("firstSteps must be >= 0 (0 = all steps in range), got " + firstSteps);
        }
    }

    public ScoringOptions withSteps(StepRange range) {
        return new ScoringOptions(range, firstSteps, selection);
    }

    public ScoringOptions withFirstSteps(int count) {
        return new ScoringOptions(steps, count, selection);
    }

    public ScoringOptions withSelection(TensorSelection tensors) {
        return new ScoringOptions(steps, firstSteps, tensors);
    }
}
