package org.rlcasino.train.rl;

/** Sums of per-token log-probabilities over the counted positions of each row. */
public final class SequenceLogProbs {
    private SequenceLogProbs() {}

    /**
     * log π(completion_b) = Σ_t logp[b·T + t] over positions with {@code targets >= 0}.
     *
     * @param logProbs (B·T) per-position log p(target)
     * @param targets  (B·T) target ids, negative = not counted
     */
    public static double[] of(float[] logProbs, int[] targets, int rows, int seqLen) {
        double[] out = new double[rows];
        for (int b = 0; b < rows; b++) {
            double s = 0;
            for (int t = 0; t < seqLen; t++) {
                int i = b * seqLen + t;
                if (targets[i] >= 0) {
                    s += logProbs[i];
                }
            }
            out[b] = s;
        }
        return out;
    }

    /** Counted positions per row. */
    public static int[] counts(int[] targets, int rows, int seqLen) {
        int[] out = new int[rows];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < seqLen; t++) {
                if (targets[b * seqLen + t] >= 0) {
                    out[b]++;
                }
            }
        }
        return out;
    }
}
