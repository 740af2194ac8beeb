package org.rlcasino.train.rl;

import java.util.Random;
import java.util.function.ToDoubleFunction;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** SFT, DPO and GRPO losses against hand values and central finite differences in their per-token log-probs. */
class LossGradientTest {
    private static final int T = 5;

    private static float[] randomLogProbs(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (-0.05 - 2 * r.nextDouble());
        }
        return x;
    }

    private static int[] targets(int rows) {
        int[] t = new int[rows * T];
        for (int b = 0; b < rows; b++) {
            for (int j = 0; j < T; j++) {
                t[b * T + j] = j < 1 + b % 3 ? -1 : 1; // counted suffix of varying length
            }
        }
        return t;
    }

    /** Checks analytic dLoss/dlogp against central differences (double precision evaluation of float inputs). */
    private static void checkGradient(float[] x, float[] analytic, ToDoubleFunction<float[]> loss) {
        double h = 1e-3;
        for (int i = 0; i < x.length; i++) {
            float saved = x[i];
            x[i] = (float) (saved + h);
            double up = loss.applyAsDouble(x);
            x[i] = (float) (saved - h);
            double down = loss.applyAsDouble(x);
            x[i] = saved;
            double numeric = (up - down) / (2 * h);
            assertThat((double) analytic[i]).as("dL/dlogp[%d]", i).isCloseTo(numeric, within(2e-4 + 1e-3 * Math.abs(numeric)));
        }
    }

    @Test
    void sftIsMeanNegativeLogLikelihoodOfCountedTokens() {
        float[] lp = {-1f, -2f, -3f, -4f};
        int[] tg = {-1, 5, 5, -1};
        TokenLoss l = SftLoss.compute(lp, tg);
        assertThat(l.loss()).isCloseTo(2.5, within(1e-12));
        assertThat(l.dLogProbs()).containsExactly(0f, -0.5f, -0.5f, 0f);
    }

    @Test
    void dpoMatchesHandValueAndFiniteDifferences() {
        // one pair, one token each: z = β((πc−ρc) − (πr−ρr)) = 0.5·((−1+2) − (−2+1)) = 1
        TokenLoss hand = DpoLoss.compute(new float[]{-1f, -2f}, new int[]{0, 0}, new double[]{-2, -1}, 1, 1, 0.5);
        assertThat(hand.loss()).isCloseTo(Math.log1p(Math.exp(-1)), within(1e-12));
        assertThat((double) hand.dLogProbs()[0]).isCloseTo(-0.5 / (1 + Math.exp(1)), within(1e-7));

        int pairs = 3;
        int[] tg = targets(2 * pairs);
        float[] lp = randomLogProbs(2 * pairs * T, 1);
        double[] ref = new double[2 * pairs];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = -1.5 * i;
        }
        TokenLoss l = DpoLoss.compute(lp, tg, ref, pairs, T, 0.3);
        checkGradient(lp, l.dLogProbs(), x -> DpoLoss.compute(x, tg, ref, pairs, T, 0.3).loss());
        for (int i = 0; i < tg.length; i++) {
            if (tg[i] < 0) {
                assertThat(l.dLogProbs()[i]).isZero();
            }
        }
    }

    @Test
    void grpoAdvantagesAreGroupNormalised() {
        double[] a = GrpoLoss.advantages(new double[]{1, 0, 0, 0, 1, 1, 1, 1}, 4);
        double std = Math.sqrt((0.75 * 0.75 + 3 * 0.25 * 0.25) / 3);
        assertThat(a[0]).isCloseTo(0.75 / (std + 1e-4), within(1e-12));
        assertThat(a[1]).isCloseTo(-0.25 / (std + 1e-4), within(1e-12));
        assertThat(a[4]).isZero(); // all-equal group: no signal
    }

    @Test
    void grpoOnPolicyGradientIsMinusAdvantageOverLength() {
        // logp == old: ratio 1, never clipped; dL/dlogp = −A/(|o|·B)
        float[] lp = {-1f, -2f, -0.5f, -0.25f};
        int[] tg = {3, 3, -1, 4};
        TokenLoss l = GrpoLoss.compute(lp, lp.clone(), null, tg, new double[]{2.0, -1.0}, 2, 2, 0.2, 0);
        assertThat(l.dLogProbs()).containsExactly(-0.5f, -0.5f, 0f, 0.5f);
        assertThat(l.loss()).isCloseTo(-(2.0 / 2) + 1.0 / 2, within(1e-12));
    }

    @Test
    void grpoMatchesFiniteDifferencesWithClippingAndKl() {
        int rows = 4;
        int[] tg = targets(rows);
        float[] lp = randomLogProbs(rows * T, 2);
        float[] old = new float[lp.length];
        float[] ref = randomLogProbs(rows * T, 3);
        Random r = new Random(4);
        for (int i = 0; i < lp.length; i++) {
            old[i] = lp[i] + (float) (0.6 * (r.nextDouble() - 0.5)); // some ratios outside [0.8, 1.2]
        }
        double[] adv = {1.2, -0.7, 0.4, -0.9};
        TokenLoss l = GrpoLoss.compute(lp, old, ref, tg, adv, rows, T, 0.2, 0.05);
        assertThat(l.clipFraction()).isBetween(0.01, 0.99);
        assertThat(l.kl()).isGreaterThan(0);
        checkGradient(lp, l.dLogProbs(), x -> GrpoLoss.compute(x, old, ref, tg, adv, rows, T, 0.2, 0.05).loss());
    }
}
