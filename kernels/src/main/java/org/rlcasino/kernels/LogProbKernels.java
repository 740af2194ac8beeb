package org.rlcasino.kernels;

/**
 * Per-position log-probability of a target token under a softmax over V logits (the language-model
 * loss head): {@code lse_i = max_j l_ij + log Σ_j exp(l_ij − max_j l_ij)},
 * {@code logp_i = l_i,target_i − lse_i}; a negative target means "ignored" and gives 0.
 * {@code dims}: {@code [D_ROWS] N, [D_V] V}. Sums run over j in ascending order.
 */
public final class LogProbKernels {
    public static final int D_ROWS = 0;
    public static final int D_V = 1;
    public static final int DIMS_LENGTH = 2;

    private LogProbKernels() {}

    /** A {@code dims} array for the kernels. */
    public static int[] dims(int rows, int v) {
        return new int[] {rows, v};
    }

    /**
     * Writes {@code logp} (N) and the log-sum-exp {@code lse} (N) of {@code logits} (N, V) for
     * {@code targets} (N). Iterations: the N rows.
     */
    public static void logProbForward(float[] logp, float[] lse, float[] logits, int[] targets, int[] dims,
                                      int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int i = offset + x;
            int v = dims[D_V];
            int row = i * v;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < v; j++) {
                if (logits[row + j] > max) {
                    max = logits[row + j];
                }
            }
            float sum = 0f;
            for (int j = 0; j < v; j++) {
                sum = sum + (float) Math.exp(logits[row + j] - max);
            }
            float l = max + (float) Math.log(sum);
            lse[i] = l;
            int target = targets[i];
            if (target >= 0) {
                logp[i] = logits[row + target] - l;
            } else {
                logp[i] = 0f;
            }
        }
    }

    /**
     * {@code dlogits[i][j] = dlogp[i]·(1[j = target_i] − exp(logits[i][j] − lse[i]))}, 0 for rows
     * whose target is negative. Shapes: dlogits, logits (N, V); lse, dlogp, targets (N).
     * Iterations: the N·V elements.
     */
    public static void logProbBackward(float[] dlogits, float[] logits, float[] lse, int[] targets, float[] dlogp,
                                       int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int v = dims[D_V];
            int i = e / v;
            int j = e - i * v;
            int target = targets[i];
            if (target >= 0) {
                float p = (float) Math.exp(logits[e] - lse[i]);
                float onehot = 0f;
                if (j == target) {
                    onehot = 1f;
                }
                dlogits[e] = dlogp[i] * (onehot - p);
            } else {
                dlogits[e] = 0f;
            }
        }
    }
}
