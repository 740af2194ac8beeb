package org.rlcasino.train.model;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.FixedShapeBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GptGeneratorTest {
    private static final GptConfig CONFIG = new GptConfig(17, 20, 2, 2, 16);

    /** Larger-than-GPT-2 weights so that the model's argmax actually depends on the context. */
    private static GptModel model(Backend backend) {
        GptModel model = new GptModel(CONFIG, backend);
        SplittableRandom r = new SplittableRandom(11);
        float[] p = model.parameters();
        for (var t : model.layout().tensors()) {
            boolean ln = t.name().contains("ln_") && t.name().endsWith("weight");
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                p[i] = (float) (ln ? 1 + 0.1 * r.nextGaussian() : 0.4 * r.nextGaussian());
            }
        }
        return model;
    }

    @Test
    void greedyGenerationIsTheArgmaxOfTheFullForwardAtEveryStep() {
        try (JvmBackend backend = new JvmBackend(2, 5); GptModel model = model(backend)) {
            GptGenerator generator = new GptGenerator(model, 4);
            int[][] prompts = {{1, 2, 3}, {4}, {5, 6, 7, 8, 9, 10}, {16, 0}};
            int[][] out = generator.generate(prompts, 9, -1, SamplingOptions.GREEDY, null);
            for (int r = 0; r < prompts.length; r++) {
                assertThat(out[r]).hasSize(9);
                int[] seq = concat(prompts[r], out[r]);
                for (int k = 0; k < out[r].length; k++) {
                    int len = prompts[r].length + k;
                    int[] tokens = Arrays.copyOf(seq, len);
                    model.forward(tokens, new int[len], 1, len);
                    float[] logits = model.logits();
                    int best = 0;
                    for (int j = 1; j < CONFIG.vocabSize(); j++) {
                        if (logits[(len - 1) * CONFIG.vocabSize() + j] > logits[(len - 1) * CONFIG.vocabSize() + best]) {
                            best = j;
                        }
                    }
                    assertThat(out[r][k]).as("row %d step %d", r, k).isEqualTo(best);
                }
            }
            // the outputs must actually depend on the context, else this test proves little
            assertThat(Arrays.stream(out).map(Arrays::toString).distinct().count()).isGreaterThan(1);
        }
    }

    /**
     * On a backend that keeps one shape (TornadoVM), every call runs maxBatch rows, prepared when the
     * generator is made, and rows past the prompts change nothing: the same tokens as the JVM's
     * per-row-count decoders, for a full and a partial batch, greedy and sampled.
     */
    @Test
    void aFixedShapeBackendRunsOneShapeWithTheSameResults() {
        int[][][] calls = {{{1, 2, 3}, {4}, {5, 6, 7, 8, 9, 10}, {16, 0}}, {{3, 1}}, {{2}, {7, 7, 7}}};
        SamplingOptions sampled = SamplingOptions.temperature(1.3f);
        try (JvmBackend jvm = new JvmBackend(2, 5); GptModel a = model(jvm);
             FixedShapeBackend fixed = new FixedShapeBackend(2); GptModel b = model(fixed)) {
            GptGenerator onJvm = new GptGenerator(a, 4);
            GptGenerator padded = new GptGenerator(b, 4);
            int prepared = fixed.programsPrepared();
            for (int[][] prompts : calls) {
                assertThat(padded.generate(prompts, 6, 5, SamplingOptions.GREEDY, null))
                        .isDeepEqualTo(onJvm.generate(prompts, 6, 5, SamplingOptions.GREEDY, null));
                assertThat(padded.generate(prompts, 6, -1, sampled, new SplittableRandom(3)))
                        .isDeepEqualTo(onJvm.generate(prompts, 6, -1, sampled, new SplittableRandom(3)));
            }
            assertThat(fixed.programsPrepared()).as("no program prepared after the generator was made").isEqualTo(prepared);
        }
    }

    @Test
    void stopsAtTheStopTokenAndAtMaxSeqLen() {
        try (JvmBackend backend = new JvmBackend(1, 64); GptModel model = model(backend)) {
            GptGenerator generator = new GptGenerator(model, 2);
            int[][] free = generator.generate(new int[][] {{3, 1}}, 10, -1, SamplingOptions.GREEDY, null);
            int stop = free[0][4];
            int firstStop = 0;
            while (free[0][firstStop] != stop) {
                firstStop++;
            }
            int[][] stopped = generator.generate(new int[][] {{3, 1}, {2}}, 10, stop, SamplingOptions.GREEDY, null);
            assertThat(stopped[0]).containsExactly(Arrays.copyOf(free[0], firstStop + 1));
            assertThat(stopped[0][stopped[0].length - 1]).isEqualTo(stop);
            int[] longPrompt = new int[18];
            int[][] capped = generator.generate(new int[][] {longPrompt}, 10, -1, SamplingOptions.GREEDY, null);
            assertThat(capped[0]).hasSize(2);
            assertThat(generator.generate(new int[][] {new int[20]}, 10, -1, SamplingOptions.GREEDY, null)[0]).isEmpty();
            assertThat(generator.generate(new int[][] {{1}}, 0, -1, SamplingOptions.GREEDY, null)[0]).isEmpty();
        }
    }

    @Test
    void samplingIsReproducibleAndIndependentOfThreads() {
        int[][] prompts = {{1, 2}, {3}, {4, 5, 6}};
        SamplingOptions options = new SamplingOptions(false, 1.3f, 5);
        int[][] a;
        int[][] b;
        int[][] c;
        try (JvmBackend backend = new JvmBackend(1, 1 << 14); GptModel model = model(backend)) {
            GptGenerator generator = new GptGenerator(model, 3);
            a = generator.generate(prompts, 12, -1, options, new SplittableRandom(99));
            c = generator.generate(prompts, 12, -1, options, new SplittableRandom(100));
        }
        try (JvmBackend backend = new JvmBackend(3, 3); GptModel model = model(backend)) {
            b = new GptGenerator(model, 3).generate(prompts, 12, -1, options, new SplittableRandom(99));
        }
        assertThat(b).isDeepEqualTo(a);
        assertThat(Arrays.deepEquals(a, c)).as("another seed gives other samples").isFalse();
    }

    @Test
    void topKAndTemperatureFollowTheirDefinitions() {
        float[] logits = {0f, 3f, 1f, 3f, -2f};
        SplittableRandom r = new SplittableRandom(5);
        int[] counts = new int[5];
        for (int i = 0; i < 20000; i++) {
            counts[TokenGenerator.pick(logits, 0, 5, new SamplingOptions(false, 1f, 2), r)]++;
        }
        // top-2 keeps the two tokens with logit 3 (ids 1 and 3), each with probability 1/2
        assertThat(counts[0] + counts[2] + counts[4]).isZero();
        assertThat(counts[1]).isBetween(9500, 10500);
        counts = new int[5];
        for (int i = 0; i < 20000; i++) {
            counts[TokenGenerator.pick(logits, 0, 5, SamplingOptions.temperature(0.5f), r)]++;
        }
        double z = Math.exp(0) + 2 * Math.exp(6) + Math.exp(2) + Math.exp(-4);
        assertThat(counts[2] / 20000.0).isCloseTo(Math.exp(2) / z, org.assertj.core.data.Offset.offset(0.005));
        assertThat(TokenGenerator.pick(logits, 0, 5, SamplingOptions.GREEDY, null)).isEqualTo(1);
    }

    @Test
    void badInputsAreRejected() {
        try (JvmBackend backend = new JvmBackend(1, 64); GptModel model = model(backend)) {
            GptGenerator generator = new GptGenerator(model, 2);
            assertThatThrownBy(() -> generator.generate(new int[3][1], 1, -1, SamplingOptions.GREEDY, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatch");
            assertThatThrownBy(() -> generator.generate(new int[][] {{}}, 1, -1, SamplingOptions.GREEDY, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt 0");
            assertThatThrownBy(() -> generator.generate(new int[][] {{17}}, 1, -1, SamplingOptions.GREEDY, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary");
            assertThatThrownBy(() -> generator.generate(new int[][] {new int[21]}, 1, -1, SamplingOptions.GREEDY, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLength");
            assertThatThrownBy(() -> generator.generate(new int[][] {{1}}, 1, -1, SamplingOptions.temperature(1f), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rng");
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
