package org.rlcasino.scoring;

import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.deltas.TensorSelection;

/**
 * What part of a delta stream a scorer reads.
 *
 * @param steps      step numbers used (inclusive range)
 * @param firstSteps if &gt; 0, only the first {@code firstSteps} steps of that range; 0 for all
 * @param selection  tensors scored (include/exclude globs); the score file holds exactly these
 * @param basis      the delta basis the score is computed on; a file of the other basis is converted while
 *                   streaming ({@link DeltaBasisConversion})
 */
public record ScoringOptions(StepRange steps, int firstSteps, TensorSelection selection, DeltaBasis basis) {
    /** All steps, all tensors, on the start basis (as the paper's reference code). */
    public static final ScoringOptions ALL = new ScoringOptions(StepRange.ALL, 0, TensorSelection.ALL, DeltaBasis.START);

    public ScoringOptions {
        if (steps == null || selection == null) {
            throw new IllegalArgumentException("steps and selection must not be null (use StepRange.ALL, TensorSelection.ALL)");
        }
        if (firstSteps < 0) {
            throw new IllegalArgumentException("firstSteps must be >= 0 (0 = all steps in range), got " + firstSteps);
        }
        if (basis == null) {
            throw new IllegalArgumentException("basis must be step or start, got null");
        }
    }

    public ScoringOptions withSteps(StepRange range) {
        return new ScoringOptions(range, firstSteps, selection, basis);
    }

    public ScoringOptions withFirstSteps(int count) {
        return new ScoringOptions(steps, count, selection, basis);
    }

    public ScoringOptions withSelection(TensorSelection tensors) {
        return new ScoringOptions(steps, firstSteps, tensors, basis);
    }

    public ScoringOptions withBasis(DeltaBasis scored) {
        return new ScoringOptions(steps, firstSteps, selection, scored);
    }
}
