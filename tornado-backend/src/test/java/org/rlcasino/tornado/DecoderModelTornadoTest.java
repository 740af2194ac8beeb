package org.rlcasino.tornado;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlcasino.io.hf.DecoderConfig;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.family.DecoderModel;
import org.rlcasino.train.model.SamplingOptions;
import org.rlcasino.train.model.TokenGenerator;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * The forward program of a Llama-family and a Gemma 3 decoder (the tiny models of train's
 * DecoderModelTest, which match transformers on the JVM) through TornadoVM's device-resident
 * programs: the same logits, log-probs and gradients within float32 tolerance, and the same greedy tokens.
 */
@Tag("tornado")
class DecoderModelTornadoTest {
    private static final Path MODELS = Path.of("../train/src/test/resources/families");

    @BeforeAll
    static void present() {
        assumeTrue(System.getenv("TORNADOVM_HOME") != null, "TORNADOVM_HOME is not set: TornadoVM parity tests skipped");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "gemma3"})
    void logitsOnTheDeviceMatchTheJvm(String family) throws Exception {
        Path dir = MODELS.resolve(family + "-model");
        DecoderConfig config = DecoderConfig.read(dir.resolve("config.json"));
        int[] tokens = new int[2 * 9];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 7 + 3) % config.vocabSize();
        }
        int[] targets = new int[tokens.length];
        float[] dlogp = new float[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            targets[i] = (i * 5 + 1) % config.vocabSize();
            dlogp[i] = -1f / (1 + i % 3);
        }
        float[] onJvm;
        float[] logpJvm;
        float[] gradJvm;
        int[][] prompts = {{1, 2, 3, 4}, {5, 6, 7, 8}};
        int[][] greedyJvm;
        try (JvmBackend jvm = new JvmBackend(2, 1 << 14); DecoderModel model = new DecoderModel(config, jvm)) {
            model.load(dir);
            onJvm = model.logits(tokens, 2, 9).clone();
            logpJvm = model.forward(tokens, targets, 2, 9).clone();
            model.backward(dlogp);
            gradJvm = model.gradientsOnHost().clone();
            try (TokenGenerator generator = model.generator(2, 12)) {
                greedyJvm = generator.generate(prompts, 8, -1, SamplingOptions.GREEDY, null);
            }
        }
        try (TornadoBackend tornado = new TornadoBackend(-1, 0); DecoderModel model = new DecoderModel(config, tornado)) {
            model.load(dir);
            float[] onDevice = model.logits(tokens, 2, 9);
            assertClose(family + " logits on " + tornado.name(), onDevice, onJvm, 1e-4, 1e-4);
            assertClose(family + " log p on " + tornado.name(), model.forward(tokens, targets, 2, 9), logpJvm, 1e-4, 1e-4);
            model.backward(dlogp);
            assertClose(family + " gradients on " + tornado.name(), model.gradientsOnHost(), gradJvm, 1e-4, 1e-3);
            try (TokenGenerator generator = model.generator(2, 12)) {
                org.assertj.core.api.Assertions.assertThat(generator.generate(prompts, 8, -1, SamplingOptions.GREEDY, null)).as(family + " greedy on the device")
                        .isDeepEqualTo(greedyJvm);
            }
        }
    }
}
