package org.rlcasino.tornado;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.rlcasino.optimizer.AdamW;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.optimizer.BsrAdamW;
import org.rlcasino.optimizer.BsrAdamWOptions;
import org.rlcasino.optimizer.Optimizer;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TransferCounters;
import org.rlcasino.train.model.GptConfig;
import org.rlcasino.train.model.GptModel;
import org.rlcasino.train.rl.DpoLoss;
import org.rlcasino.train.rl.GrpoLoss;
import org.rlcasino.train.rl.SequenceLogProbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Whole training steps (zero grad → forward (and a frozen reference's forward) → SFT, DPO or GRPO loss
 * gradient on the host → backward → gradient norm → AdamW / BSR-AdamW) through TornadoVM's device-resident programs vs the JVM: parameters, gradients and
 * moments agree within the kernels' tolerance after several steps, and per step only the inputs and
 * outputs cross the bus — the same bytes for a model with 4× the parameters.
 */
@Tag("tornado")
class TrainingStepTornadoTest {
    private static final int B = 4;
    private static final int T = 8;
    private TornadoBackend tornado;
    private JvmBackend jvm;

    @BeforeAll
    static void present() {
        assumeTrue(System.getenv("TORNADOVM_HOME") != null, "TORNADOVM_HOME is not set: TornadoVM parity tests skipped");
    }

    /** A fresh backend per test, as a run has: one model's programs in one plan. */
    @BeforeEach
    void start() {
        tornado = new TornadoBackend(-1, 0);
        jvm = new JvmBackend(2, 256);
    }

    @AfterEach
    void stop() {
        tornado.close();
        jvm.close();
    }

    /** The loss a step trains on: the trainer's SFT, DPO (frozen reference) and GRPO (clipped ratio, k3 KL) losses. */
    private enum Objective { SFT, DPO, GRPO }

    /** One model + optimizer (+ a frozen reference for DPO and GRPO) on a backend, stepping on the same data as its twin. */
    private record Trainer(GptModel model, Optimizer optimizer, GptModel reference, Objective objective) {
        static Trainer on(Backend backend, GptConfig config, boolean sparse) {
            return on(backend, config, sparse, Objective.SFT);
        }

        static Trainer on(Backend backend, GptConfig config, boolean sparse, Objective objective) {
            GptModel model = new GptModel(config, backend);
            model.initialize(11);
            AdamWConfig adamw = AdamWConfig.defaults().withLr(1e-3).withWeightDecay(0.01).withMaxGradNorm(1.0);
            Optimizer optimizer = sparse
                    ? new BsrAdamW(adamw, model.layout(), everyThird(model.layout()), BsrAdamWOptions.DEFAULTS, backend)
                    : new AdamW(adamw, model.layout(), backend);
            GptModel reference = null;
            if (objective != Objective.SFT) {
                reference = new GptModel(config, backend);
                reference.forwardOnly(); // as the trainer's: its activations stay inside the forward's graphs on a device
                reference.initialize(11);
                reference.prepare(B, T);
            }
            model.prepare(B, T);
            optimizer.prepare(model.parameters(), model.gradients());
            return new Trainer(model, optimizer, reference, objective);
        }

        float[] step(int[] tokens, int[] targets) {
            model.zeroGradients();
            float[] ref = reference == null ? null : reference.forward(tokens, targets, B, T).clone();
            float[] logp = model.forward(tokens, targets, B, T).clone();
            float[] dlogp = switch (objective) {
                case SFT -> {
                    float[] d = new float[logp.length];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = targets[i] < 0 ? 0 : -1f / d.length; // mean cross-entropy
                    }
                    yield d;
                }
                case DPO -> DpoLoss.compute(logp, targets, SequenceLogProbs.of(ref, targets, B, T), B / 2, T, 0.5).dLogProbs();
                case GRPO -> GrpoLoss.compute(logp, logp, ref, targets, GrpoLoss.advantages(new double[] {1, 0, 0, 1}, 2), B, T,
                        0.2, 0.1).dLogProbs();
            };
            model.backward(dlogp);
            optimizer.step(model.parameters(), model.gradients());
            return logp;
        }
    }

    private static Map<String, int[]> everyThird(ParameterLayout layout) {
        Map<String, int[]> mask = new LinkedHashMap<>();
        for (var t : layout.tensors()) {
            int[] idx = new int[(t.size() + 2) / 3];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = 3 * i;
            }
            mask.put(t.name(), idx);
        }
        return mask;
    }

    private static int[][] batch(SplittableRandom r, int vocab) {
        int[] tokens = new int[B * T];
        int[] targets = new int[B * T];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(vocab);
            targets[i] = i % T == T - 1 ? -1 : r.nextInt(vocab);
        }
        return new int[][] {tokens, targets};
    }

    private void stepsAgree(boolean sparse, Objective objective) {
        GptConfig config = new GptConfig(24, 16, 2, 2, 16);
        Trainer onJvm = Trainer.on(jvm, config, sparse, objective);
        Trainer onDevice = Trainer.on(tornado, config, sparse, objective);
        SplittableRandom r = new SplittableRandom(5);
        String what = objective + (sparse ? " bsr-adamw" : " adamw");
        for (int step = 1; step <= 4; step++) {
            int[][] b = batch(r, config.vocabSize());
            float[] a = onJvm.step(b[0], b[1]);
            float[] d = onDevice.step(b[0], b[1]);
            double diff = assertClose("log-probs at step " + step, d, a, 1e-5, 1e-4);
            System.out.printf("%s step %d: max |device − jvm| log-prob %.3g%n", what, step, diff);
        }
        // four Adam steps amplify float32 differences in the summation order: gradients ~1e-3, compared to 1e-5
        assertClose(what + " gradients", onDevice.model.gradientsOnHost(), onJvm.model.gradients(), 1e-5, 1e-3);
        // where a gradient is ~0 its Adam step m/√v still has magnitude ~lr: a float32 difference can flip it (lr 1e-3, 4 steps)
        assertClose(what + " parameters", onDevice.model.parametersOnHost(), onJvm.model.parameters(), 1e-4, 1e-4);
        onDevice.optimizer.syncToHost();
        var sd = onDevice.optimizer.exportState();
        var sj = onJvm.optimizer.exportState();
        assertClose(what + " first moments", sd.m(), sj.m(), 1e-6, 1e-3);
        assertClose(what + " second moments", sd.v(), sj.v(), 1e-9, 1e-3);
    }

    @Test
    void denseAdamWStepsMatchTheJvm() {
        stepsAgree(false, Objective.SFT);
    }

    @Test
    void bsrAdamWStepsMatchTheJvm() {
        stepsAgree(true, Objective.SFT);
    }

    @Test
    void dpoStepsWithAFrozenReferenceMatchTheJvm() {
        stepsAgree(false, Objective.DPO);
    }

    @Test
    void grpoStepsWithAKlReferenceMatchTheJvm() {
        stepsAgree(true, Objective.GRPO);
    }

    /** Bytes over the bus per step (after the first) for a model of {@code channels}; prints them. */
    private TransferCounters perStep(int channels) {
        GptConfig config = new GptConfig(24, 16, 2, 2, channels);
        Trainer onDevice = Trainer.on(tornado, config, false);
        SplittableRandom r = new SplittableRandom(9);
        int[][] b = batch(r, config.vocabSize());
        onDevice.step(b[0], b[1]);
        TransferCounters before = tornado.transfers();
        int steps = 3;
        for (int s = 0; s < steps; s++) {
            onDevice.step(b[0], b[1]);
        }
        TransferCounters d = tornado.transfers().minus(before);
        System.out.printf("C=%d (%,d parameters): per step %,d B to the device, %,d B back, %d graph runs, %d kernel launches, "
                        + "compile %d ns%n", channels, onDevice.model.parameters().length, d.bytesToDevice() / steps,
                d.bytesToHost() / steps, d.executions() / steps, d.kernelLaunches() / steps, d.compileNanos());
        assertThat(d.compileNanos()).as("no compilation after the first step").isZero();
        assertThat(tornado.residentPlansBuilt()).as("every program prepared before the first run: one plan").isEqualTo(1);
        return d;
    }

    @Test
    void bytesPerStepDoNotGrowWithTheParameterCount() {
        TransferCounters small = perStep(16);
        tornado.close();
        tornado = new TornadoBackend(-1, 0);
        TransferCounters large = perStep(64);
        assertThat(large.bytesToDevice()).isEqualTo(small.bytesToDevice());
        // back: the log-probs and one float per 4096 gradients (the norm's partial sums, folded on the host)
        long partials = 4L * 3 * (ceilDiv(102_656, 4096) - ceilDiv(7_232, 4096));
        assertThat(large.bytesToHost() - small.bytesToHost()).isEqualTo(partials);
        assertThat(small.bytesToDevice() / 3).isLessThan(4_096);
        assertThat(small.bytesToHost() / 3).isLessThan(1_024);
    }

    /**
     * How many arrays a plan shares, counted where TornadoVM would build it (prepared, never run: nothing
     * compiles): a trained model with its optimizer, a forward-only reference and a generator, at one
     * batch shape of 1,024 tokens. GPT-2 small's depth (12 layers) fits under the limit; prints the counts.
     */
    @Test
    void gpt2SmallDepthWithAReferenceAndAGeneratorFitsInOnePlan() {
        for (int layers : new int[] {4, 12}) {
            try (TornadoBackend backend = new TornadoBackend(-1, 0)) {
                GptConfig config = new GptConfig(64, 64, layers, 4, 64);
                GptModel model = new GptModel(config, backend);
                model.prepare(16, 64);
                int[] alone = backend.residentArrays();
                new AdamW(AdamWConfig.defaults(), model.layout(), backend).prepare(model.parameters(), model.gradients());
                GptModel reference = new GptModel(config, backend);
                reference.forwardOnly();
                reference.prepare(16, 64);
                new org.rlcasino.train.model.GptGenerator(model, 16);
                int[] all = backend.residentArrays();
                System.out.printf("%d layers: model at B=16 T=64 %d resident arrays, %d shared; + AdamW, a forward-only reference "
                        + "and a generator: %d, %d shared (limit %d)%n", layers, alone[0], alone[1], all[0], all[1],
                        ResidentPrograms.MAX_RESIDENT_ARRAYS);
                assertThat(all[1]).isLessThanOrEqualTo(ResidentPrograms.MAX_RESIDENT_ARRAYS);
            }
        }
    }

    /** More resident arrays than one plan's resident graph can name: refused when prepared, naming the limit; the plan still runs. */
    @Test
    void aPlanWithTooManyResidentArraysIsRefusedWhenPrepared() {
        GptConfig config = new GptConfig(24, 16, 4, 2, 16);
        java.util.List<GptModel> models = new java.util.ArrayList<>();
        IllegalArgumentException refused = null;
        for (int i = 0; i < 8 && refused == null; i++) {
            GptModel m = new GptModel(config, tornado);
            models.add(m);
            try {
                m.prepare(B, T);
            } catch (IllegalArgumentException e) {
                refused = e;
            }
        }
        assertThat(refused).as("a refusal").isNotNull();
        assertThat(refused.getMessage()).contains("more than the " + ResidentPrograms.MAX_RESIDENT_ARRAYS);
        GptModel first = models.get(0);
        first.initialize(3);
        first.parametersWritten();
        int[][] b = batch(new SplittableRandom(1), config.vocabSize());
        float[] onDevice = first.forward(b[0], b[1], B, T).clone();
        GptModel twin = new GptModel(config, jvm);
        twin.initialize(3);
        assertClose("log-probs of a model in the refused plan", onDevice, twin.forward(b[0], b[1], B, T), 1e-5, 1e-4);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
