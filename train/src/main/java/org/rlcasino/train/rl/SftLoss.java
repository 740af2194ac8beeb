package org.rlcasino.train.rl;

/** Supervised fine-tuning: mean cross-entropy over the counted (answer) tokens, {@code L = −(1/N) Σ log p}. */
public final class SftLoss {
    private SftLoss() {}

    public static TokenLoss compute(float[] logProbs, int[] targets) {
        int n = 0;
        double sum = 0;
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] >= 0) {
                n++;
                sum += logProbs[i];
            }
        }
        float[] d = new float[logProbs.length];
        if (n == 0) {
            return new TokenLoss(0, d, 0, 0);
        }
        float g = (float) (-1.0 / n);
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] >= 0) {
                d[i] = g;
            }
        }
        return new TokenLoss(-sum / n, d, 0, 0);
    }
}
