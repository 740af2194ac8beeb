package org.rlcasino.kernels;

/**
 * Per-position log-probability of a target token under a softmax over V logits divided by a
 * temperature τ (the language-model loss head; TRL's GRPO divides by its sampling temperature):
 * with {@code z_ij = l_ij · s}, {@code s = inverseTemperature[0] = 1/τ},
 * {@code lse_i = max_j z_ij + log Σ_j exp(z_ij − max_j z_ij)}, {@code logp_i = z_i,target_i − lse_i};
 * a negative target means "ignored" and gives 0. At s = 1 every product is exact, so τ = 1 gives the
 * plain log-softmax's bits. {@code dims}: {@code [D_ROWS] N, [D_V] V}. Sums run over j in ascending order.
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

    /** The inverse-temperature array of τ (1 element). */
    public static float[] inverseTemperature(double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        return new float[] {(float) (1.0 / temperature)};
    }

    /**
     * Writes {@code logp} (N) and the log-sum-exp {@code lse} (N) of {@code logits} (N, V) times
     * {@code inverseTemperature[0]} for {@code targets} (N). Iterations: the N rows.
     */
    public static void logProbForward(float[] logp, float[] lse, float[] logits, int[] targets, float[] inverseTemperature,
                                      int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int i = offset + x;
            int v = dims[D_V];
            int row = i * v;
            float s = inverseTemperature[0];
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < v; j++) {
                float z = logits[row + j] * s;
                if (z > max) {
                    max = z;
                }
            }
            float sum = 0f;
            for (int j = 0; j < v; j++) {
                sum = sum + (float) Math.exp(logits[row + j] * s - max);
            }
            float l = max + (float) Math.log(sum);
            lse[i] = l;
            int target = targets[i];
            if (target >= 0) {
                logp[i] = logits[row + target] * s - l;
            } else {
                logp[i] = 0f;
            }
        }
    }

    /**
     * {@code dlogits[i][j] = dlogp[i]·(1[j = target_i] − exp(s·logits[i][j] − lse[i]))·s}, s =
     * {@code inverseTemperature[0]}, 0 for rows whose target is negative. Shapes: dlogits, logits (N, V);
     * lse, dlogp, targets (N). Iterations: the N·V elements.
     */
    public static void logProbBackward(float[] dlogits, float[] logits, float[] lse, int[] targets, float[] dlogp,
                                       float[] inverseTemperature, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int v = dims[D_V];
            int i = e / v;
            int j = e - i * v;
            int target = targets[i];
            if (target >= 0) {
                float s = inverseTemperature[0];
                float p = (float) Math.exp(logits[e] * s - lse[i]);
                float onehot = 0f;
                if (j == target) {
                    onehot = 1f;
                }
                dlogits[e] = dlogp[i] * (onehot - p) * s;
            } else {
                dlogits[e] = 0f;
            }
        }
    }
}
