package org.rlcasino.train.rl;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import org.junit.jupiter.api.Test;
import org.rlcasino.train.task.CharTokenizer;
import org.rlcasino.train.task.SequenceBatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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

    /**
     * A DPO batch padded with empty rows (what a device backend gets, {@link SequenceBatch#padded}): the
     * loss and the real rows' gradients are the unpadded batch's, bit for bit, and the padding rows get
     * zeros; padding never shrinks a batch.
     */
    @Test
    void dpoOnAPaddedBatchIsTheUnpaddedOnesWithZerosBelow() {
        List<int[]> prompts = List.of(new int[] {1, 2}, new int[] {1, 3}, new int[] {2}, new int[] {4});
        List<int[]> completions = List.of(new int[] {5, 6}, new int[] {7}, new int[] {8, 9, 10}, new int[] {11});
        SequenceBatch batch = SequenceBatch.of(prompts, completions, T);
        SequenceBatch padded = batch.padded(8);
        assertThat(padded.rows()).isEqualTo(8);
        assertThat(Arrays.copyOf(padded.tokens(), 4 * T)).isEqualTo(batch.tokens());
        assertThat(Arrays.copyOf(padded.targets(), 4 * T)).isEqualTo(batch.targets());
        for (int i = 4 * T; i < 8 * T; i++) {
            assertThat(padded.tokens()[i]).isEqualTo(CharTokenizer.END);
            assertThat(padded.targets()[i]).isEqualTo(-1);
        }
        assertThat(padded.targetCount()).isEqualTo(batch.targetCount());
        float[] lp = randomLogProbs(8 * T, 3);
        double[] ref = {-1, -2, -1.5, -0.5, 0, 0, 0, 0};
        TokenLoss plain = DpoLoss.compute(Arrays.copyOf(lp, 4 * T), batch.targets(), Arrays.copyOf(ref, 4), 2, T, 0.4);
        TokenLoss onPadded = DpoLoss.compute(lp, padded.targets(), ref, 2, T, 0.4);
        assertThat(onPadded.loss()).isEqualTo(plain.loss());
        assertThat(Arrays.copyOf(onPadded.dLogProbs(), 4 * T)).isEqualTo(plain.dLogProbs());
        for (int i = 4 * T; i < 8 * T; i++) {
            assertThat(onPadded.dLogProbs()[i]).isZero();
        }
        assertThatThrownBy(() -> batch.padded(3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot pad");
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
