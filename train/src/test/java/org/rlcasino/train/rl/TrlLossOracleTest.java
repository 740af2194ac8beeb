package org.rlcasino.train.rl;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rlcasino.train.rl.GrpoLoss.Aggregation;
import org.rlcasino.train.rl.GrpoLoss.Options;
import org.rlcasino.train.rl.GrpoLoss.RewardScaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * DPO and GRPO losses against TRL 1.13's own trainer code ({@code DPOTrainer._compute_loss},
 * {@code GRPOTrainer._compute_loss}) on fixed batches: {@code rl/trl_losses.json}, written by
 * {@code train/src/test/python/trl_losses.py} (float64 autograd on float32 inputs).
 *
 * <p>Tolerances: loss within 1e-9 relative (+1e-12): both sides evaluate the same formula in double, only the
 * summation order differs. dLoss/dlogp within 2e-7 relative (+1e-12) per position: the project returns it as
 * float (2^-24 rounding). TRL's metrics computed in float64 (DPO rewards and margins, GRPO kl) within 1e-9
 * relative; those TRL averages in float32 (DPO accuracies, GRPO clip ratios) within 1e-6. Advantages: TRL
 * computes them in float32, the project in double: within 1e-6 absolute.
 */
class TrlLossOracleTest {
    private static final JsonNode FIXTURE = load();

    private static JsonNode load() {
        try (InputStream in = TrlLossOracleTest.class.getResourceAsStream("/rl/trl_losses.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[] floats(JsonNode a) {
        float[] x = new float[a.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) a.get(i).asDouble();
        }
        return x;
    }

    private static double[] doubles(JsonNode a) {
        double[] x = new double[a.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = a.get(i).asDouble();
        }
        return x;
    }

    /** mask 1 = counted completion token → target 1; else −1 (not counted). */
    private static int[] targets(JsonNode mask) {
        int[] t = new int[mask.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = mask.get(i).asInt() == 1 ? 1 : -1;
        }
        return t;
    }

    private static void assertLoss(double actual, double expected, String what) {
        assertThat(actual).as(what).isCloseTo(expected, within(1e-12 + 1e-9 * Math.abs(expected)));
    }

    private static void assertGradient(float[] actual, double[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s dL/dlogp[%d]", what, i)
                    .isCloseTo(expected[i], within(1e-12 + 2e-7 * Math.abs(expected[i])));
        }
    }

    private static List<JsonNode> cases(String kind) {
        List<JsonNode> out = new ArrayList<>();
        FIXTURE.get(kind).forEach(out::add);
        return out;
    }

    @Test
    void fixtureComesFromTrl113() {
        assertThat(FIXTURE.get("trl").asText()).isEqualTo("1.13.0");
        assertThat(cases("dpo")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(cases("grpo")).hasSizeGreaterThanOrEqualTo(10);
    }

    // ------------------------------------------------------------------------------------------- DPO

    /** TRL's rows are [chosen_0..chosen_{P-1}, rejected_0..rejected_{P-1}]; the project's are (chosen_i, rejected_i) pairs. */
    private static int trlRow(int projectRow, int pairs) {
        return projectRow % 2 == 0 ? projectRow / 2 : pairs + projectRow / 2;
    }

    private static <T> T[] interleave(T[] trl, int pairs) {
        T[] out = trl.clone();
        for (int r = 0; r < 2 * pairs; r++) {
            out[r] = trl[trlRow(r, pairs)];
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> dpoSigmoidLossGradientAndMetricsEqualTrls() {
        return cases("dpo").stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            int pairs = c.get("pairs").asInt();
            int seqLen = c.get("seqLen").asInt();
            double beta = c.get("beta").asDouble();
            float[] lpTrl = floats(c.get("logp"));
            float[] refTrl = floats(c.get("refLogp"));
            int[] tgTrl = targets(c.get("mask"));
            double[] gradTrl = doubles(c.get("grad"));
            int n = 2 * pairs * seqLen;
            float[] lp = new float[n];
            float[] ref = new float[n];
            int[] tg = new int[n];
            double[] grad = new double[n];
            for (int r = 0; r < 2 * pairs; r++) {
                int src = trlRow(r, pairs) * seqLen;
                System.arraycopy(lpTrl, src, lp, r * seqLen, seqLen);
                System.arraycopy(refTrl, src, ref, r * seqLen, seqLen);
                System.arraycopy(tgTrl, src, tg, r * seqLen, seqLen);
                System.arraycopy(gradTrl, src, grad, r * seqLen, seqLen);
            }
            double[] refSeq = SequenceLogProbs.of(ref, tg, 2 * pairs, seqLen);

            TokenLoss l = DpoLoss.compute(lp, tg, refSeq, pairs, seqLen, beta);
            assertLoss(l.loss(), c.get("loss").asDouble(), "loss");
            assertGradient(l.dLogProbs(), grad, "dpo");

            DpoLoss.Metrics m = DpoLoss.metrics(lp, tg, refSeq, pairs, seqLen, beta);
            assertLoss(m.rewardsChosen(), c.get("rewardsChosen").asDouble(), "rewards/chosen");
            assertLoss(m.rewardsRejected(), c.get("rewardsRejected").asDouble(), "rewards/rejected");
            assertLoss(m.margins(), c.get("margins").asDouble(), "rewards/margins");
            assertThat(m.accuracy()).as("rewards/accuracies").isCloseTo(c.get("accuracies").asDouble(), within(1e-6));
            // TokenLoss's own metrics are the same numbers: kl = margins / β, clipFraction = accuracy
            assertLoss(l.kl() * beta, c.get("margins").asDouble(), "kl · β");
            assertThat(l.clipFraction()).isCloseTo(c.get("accuracies").asDouble(), within(1e-6));
        }));
    }

    // ------------------------------------------------------------------------------------------ GRPO

    private static Options options(JsonNode c) {
        Aggregation agg = switch (c.get("lossType").asText()) {
            case "grpo" -> Aggregation.SEQUENCE_MEAN;
            case "bnpo", "dapo" -> Aggregation.TOKEN_MEAN; // one process, micro-batch = generation batch
            case "dr_grpo" -> Aggregation.CONSTANT_LENGTH;
            default -> throw new IllegalArgumentException(c.get("lossType").asText());
        };
        return new Options(c.get("epsilonLow").asDouble(), c.get("epsilonHigh").asDouble(), c.get("beta").asDouble(), agg,
                agg == Aggregation.CONSTANT_LENGTH ? c.get("maxCompletionLength").asInt() : 0,
                c.get("useBiasCorrectionKl").asBoolean());
    }

    private static RewardScaling scaling(JsonNode c) {
        return switch (c.get("scaleRewards").asText()) {
            case "group" -> RewardScaling.GROUP;
            case "batch" -> RewardScaling.BATCH;
            case "none" -> RewardScaling.NONE;
            default -> throw new IllegalArgumentException(c.get("scaleRewards").asText());
        };
    }

    private static TokenLoss grpo(JsonNode c, double[] advantages, Options o) {
        return GrpoLoss.compute(floats(c.get("logp")), floats(c.get("oldLogp")), floats(c.get("refLogp")),
                targets(c.get("mask")), advantages, c.get("rows").asInt(), c.get("seqLen").asInt(), o);
    }

    @TestFactory
    Stream<DynamicTest> grpoLossGradientAndMetricsEqualTrls() {
        return cases("grpo").stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            TokenLoss l = grpo(c, doubles(c.get("advantages")), options(c));
            assertLoss(l.loss(), c.get("loss").asDouble(), "loss");
            assertGradient(l.dLogProbs(), doubles(c.get("grad")), "grpo");
            if (!c.get("kl").isNull()) {
                assertLoss(l.kl(), c.get("kl").asDouble(), "kl");
            }
            assertThat(l.clipFraction()).as("clip_ratio/region_mean")
                    .isCloseTo(c.get("clipRatioRegion").asDouble(), within(1e-6));
        }));
    }

    @TestFactory
    Stream<DynamicTest> grpoAdvantagesEqualTrls() {
        return cases("grpo").stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            double[] mine = GrpoLoss.advantages(doubles(c.get("rewards")), c.get("groupSize").asInt(), scaling(c));
            double[] trl = doubles(c.get("advantages"));
            for (int i = 0; i < trl.length; i++) {
                assertThat(mine[i]).as("A[%d]", i).isCloseTo(trl[i], within(1e-6));
            }
            // end to end from rewards: the advantage rounding moves the loss by at most ~1e-6 relative
            TokenLoss l = grpo(c, mine, options(c));
            assertThat(l.loss()).isCloseTo(c.get("loss").asDouble(), within(1e-9 + 2e-6 * Math.abs(c.get("loss").asDouble())));
        }));
    }

    @Test
    void projectDefaultsAreTrlGrpoWithoutKlRatioWeighting() {
        int checked = 0;
        for (JsonNode c : cases("grpo")) {
            boolean projectForm = c.get("lossType").asText().equals("grpo") && !c.get("useBiasCorrectionKl").asBoolean()
                    && c.get("epsilonLow").asDouble() == c.get("epsilonHigh").asDouble()
                    && c.get("scaleRewards").asText().equals("group");
            if (!projectForm) {
                continue;
            }
            double[] adv = GrpoLoss.advantages(doubles(c.get("rewards")), c.get("groupSize").asInt());
            TokenLoss l = GrpoLoss.compute(floats(c.get("logp")), floats(c.get("oldLogp")), floats(c.get("refLogp")),
                    targets(c.get("mask")), doubles(c.get("advantages")), c.get("rows").asInt(), c.get("seqLen").asInt(),
                    c.get("epsilonLow").asDouble(), c.get("beta").asDouble());
            assertLoss(l.loss(), c.get("loss").asDouble(), c.get("name").asText());
            assertGradient(l.dLogProbs(), doubles(c.get("grad")), c.get("name").asText());
            for (int i = 0; i < adv.length; i++) {
                assertThat(adv[i]).isCloseTo(c.get("advantages").get(i).asDouble(), within(1e-6));
            }
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(3);
    }

    @Test
    void trlDefaultsOptionsMatchTrlsDefaultConfiguration() {
        JsonNode c = cases("grpo").stream().filter(x -> x.get("name").asText().startsWith("dapo (TRL default)"))
                .findFirst().orElseThrow();
        Options o = Options.trlDefaults(c.get("epsilonLow").asDouble(), c.get("beta").asDouble());
        assertThat(o).isEqualTo(options(c));
        TokenLoss l = grpo(c, doubles(c.get("advantages")), o);
        assertLoss(l.loss(), c.get("loss").asDouble(), "loss");
        assertGradient(l.dLogProbs(), doubles(c.get("grad")), "grpo");
        // and the project's own formulation is measurably not TRL's default on the same batch
        TokenLoss project = grpo(c, doubles(c.get("advantages")), Options.project(o.epsilonLow(), o.klCoef()));
        assertThat(Math.abs(project.loss() - l.loss())).isGreaterThan(1e-3);
    }

    @Test
    void ratioWeightedKlChangesTheGradientEvenOnPolicy() {
        // TRL's use_bias_correction_kl: at r = 1 the value is k3 but the gradient is κ·(logp − ref), not κ·(1 − e^{ref−logp})
        float[] lp = {-1f};
        float[] ref = {-2f};
        int[] tg = {1};
        double[] adv = {0};
        TokenLoss plain = GrpoLoss.compute(lp, lp, ref, tg, adv, 1, 1, new Options(0.2, 0.2, 0.5, Aggregation.SEQUENCE_MEAN, 0, false));
        TokenLoss weighted = GrpoLoss.compute(lp, lp, ref, tg, adv, 1, 1, new Options(0.2, 0.2, 0.5, Aggregation.SEQUENCE_MEAN, 0, true));
        double k3 = Math.exp(-1) + 1 - 1;
        assertThat(plain.loss()).isCloseTo(0.5 * k3, within(1e-15));
        assertThat(weighted.loss()).isCloseTo(0.5 * k3, within(1e-15));
        assertThat((double) plain.dLogProbs()[0]).isCloseTo(0.5 * (1 - Math.exp(-1)), within(1e-7));
        assertThat((double) weighted.dLogProbs()[0]).isCloseTo(0.5 * 1.0, within(1e-7));
    }
}
