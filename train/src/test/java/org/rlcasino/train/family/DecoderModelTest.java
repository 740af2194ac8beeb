package org.rlcasino.train.family;

import java.nio.file.Files;
import java.util.Arrays;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlcasino.io.hf.DecoderConfig;
import org.rlcasino.io.safetensors.SafetensorsFile;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.optimizer.AdamW;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.train.model.SamplingOptions;
import org.rlcasino.train.model.TokenGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Whole tiny models of four families, loaded from directories transformers' save_pretrained wrote
 * (src/test/resources/families/*-model, from src/test/python/gen_family_models.py), give transformers'
 * logits for two batches of 9 tokens: Llama with llama3 rope scaling, Qwen2 with biases and an untied
 * head, Qwen3 with q/k norms, Gemma 3 with a sliding and a full layer, two rotary bases, its query scale
 * and scaled embeddings. Tolerance 1e-4 absolute + 1e-4 relative on logits of order 10; the log-probs of
 * random targets likewise, and every parameter's gradient of {@code Σ dlogp·logp} against torch autograd
 * to 1e-4 + 1e-3 relative; every weight after 5 steps of the project's AdamW against torch.optim.AdamW
 * (1e-5 + 1e-4 relative); greedy generation of 32 tokens from three prompts against
 * generate(do_sample=False), token for token.
 */
class DecoderModelTest {
    private static final Path FIXTURES = Path.of("src/test/resources/families");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "gemma3"})
    void logitsMatchTransformers(String family) throws Exception {
        Path model = FIXTURES.resolve(family + "-model");
        DecoderConfig config = DecoderConfig.read(model.resolve("config.json"));
        try (JvmBackend backend = new JvmBackend(2, 1 << 14); DecoderModel decoder = new DecoderModel(config, backend);
             SafetensorsFile reference = SafetensorsFile.open(FIXTURES.resolve(family + "-reference.safetensors"))) {
            decoder.load(model);
            long[] ids = reference.readLongs("input_ids");
            int[] tokens = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                tokens[i] = (int) ids[i];
            }
            float[] logits = decoder.logits(tokens, 2, 9);
            assertClose(family + " logits", logits, reference.readFloats("logits"), 1e-4, 1e-4);
            long[] targetIds = reference.readLongs("targets");
            int[] targets = new int[targetIds.length];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = (int) targetIds[i];
            }
            float[] logp = decoder.forward(tokens, targets, 2, 9);
            assertClose(family + " log p", logp, reference.readFloats("logp"), 1e-4, 1e-4);
            decoder.backward(reference.readFloats("dlogp"));
            float[] dlogp = reference.readFloats("dlogp");
            // greedy generation with the KV cache: transformers' generate(do_sample=False), 32 tokens, token for token
            long[] prompt = reference.readLongs("prompt_ids");
            long[] generated = reference.readLongs("generated_ids");
            int rows = 3;
            int[][] prompts = new int[rows][5];
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < 5; t++) {
                    prompts[r][t] = (int) prompt[r * 5 + t];
                }
            }
            try (TokenGenerator generator = decoder.generator(rows, 37)) {
                int[][] out = generator.generate(prompts, 32, -1, SamplingOptions.GREEDY, null);
                for (int r = 0; r < rows; r++) {
                    int[] want = new int[32];
                    for (int t = 0; t < 32; t++) {
                        want[t] = (int) generated[r * 37 + 5 + t];
                    }
                    assertThat(out[r]).as(family + " greedy row " + r).containsExactly(want);
                }
            }
            // five steps of the project's AdamW on the same loss: torch.optim.AdamW's weights
            AdamW adamw = new AdamW(AdamWConfig.defaults(),
                    decoder.layout(), backend);
            try {
                adamw.prepare(decoder.parameters(), decoder.gradients());
                for (int step = 0; step < 5; step++) {
                    decoder.forward(tokens, targets, 2, 9);
                    decoder.backward(dlogp);
                    adamw.step(decoder.parameters(), decoder.gradients());
                }
            } finally {
                adamw.close();
            }
            for (TensorView t : decoder.layout().tensors()) {
                float[] got = Arrays.copyOfRange(decoder.parameters(), t.offset(), t.offset() + t.size());
                assertClose(family + " after 5 AdamW steps: " + t.name(), got, reference.readFloats("adamw5." + t.name()), 1e-5, 1e-4);
            }
        }
    }

    @Test
    void weightsThatDoNotFitTheConfigAreRefusedNamingTheTensor() throws Exception {
        Path model = FIXTURES.resolve("qwen3-model");
        DecoderConfig config = DecoderConfig.read(model.resolve("config.json"));
        DecoderConfig wider = new DecoderConfig(config.family(), config.hiddenSize(), config.intermediateSize() * 2, config.layers(),
                config.heads(), config.kvHeads(), config.headDim(), config.vocabSize(), config.maxPositions(), config.tiedEmbeddings(),
                config.qkvBias(), config.outputBias(), config.mlpBias(), config.dtype(), config.rmsNormEps(), config.rope(),
                config.localRope(), config.slidingWindow(), config.slidingLayers(), config.queryScale(), config.paddingToken());
        try (JvmBackend backend = new JvmBackend(1, 1 << 14); DecoderModel decoder = new DecoderModel(wider, backend)) {
            assertThatThrownBy(() -> decoder.load(model)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mlp.gate_proj.weight").hasMessageContaining("elements");
            assertThatThrownBy(() -> decoder.logits(new int[] {1, 2, 99}, 1, 3)).hasMessageContaining("outside the vocabulary");
            assertThatThrownBy(() -> decoder.forward(new int[] {1, 2, 3}, new int[] {1, 60, 2}, 1, 3))
                    .hasMessageContaining("target 60");
        }
        assertThat(Files.isDirectory(dir)).isTrue();
    }

    /** The matmuls' Vector API fast paths are exact: logits and gradients equal the reference kernels' bit for bit. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen2", "gemma3"})
    void theFastPathsGiveTheReferenceKernelsBits(String family) throws Exception {
        Path model = FIXTURES.resolve(family + "-model");
        int[] tokens = {3, 14, 15, 9, 2, 6, 5, 35, 8, 1, 4, 7};
        int[] targets = {14, 15, 9, 2, 6, 5, 35, 8, 1, 4, 7, -1};
        float[] dlogp = new float[tokens.length];
        java.util.Arrays.fill(dlogp, -0.25f);
        float[][] out = new float[2][];
        float[][] grads = new float[2][];
        org.rlcasino.kernels.FastPaths[] modes = {org.rlcasino.kernels.FastPaths.NONE, org.rlcasino.kernels.FastPaths.ALL};
        for (int i = 0; i < 2; i++) {
            try (JvmBackend backend = new JvmBackend(2, 64, modes[i]); DecoderModel decoder = DecoderModel.open(model, backend)) {
                out[i] = decoder.logits(tokens, 2, 6).clone();
                decoder.forward(tokens, targets, 2, 6);
                decoder.backward(dlogp);
                grads[i] = decoder.gradientsOnHost().clone();
            }
        }
        org.rlcasino.testsupport.NumericAssertions.assertBitIdentical(family + " logits", out[1], out[0]);
        org.rlcasino.testsupport.NumericAssertions.assertBitIdentical(family + " gradients", grads[1], grads[0]);
    }

    @Test
    void settingsTheModelDoesNotImplementAreRefusedByName() throws Exception {
        String llama = Files.readString(FIXTURES.resolve("llama-model/config.json"));
        Files.writeString(dir.resolve("config.json"), llama.replace("\"silu\"", "\"gelu\""));
        assertThatThrownBy(() -> DecoderArchitecture.read(dir)).hasMessageContaining("hidden_act 'gelu'");
        String gemma = Files.readString(FIXTURES.resolve("gemma3-model/config.json"));
        Files.writeString(dir.resolve("config.json"), gemma.replace("\"final_logit_softcapping\": null", "\"final_logit_softcapping\": 30.0"));
        assertThatThrownBy(() -> DecoderArchitecture.read(dir)).hasMessageContaining("final_logit_softcapping");
        Files.writeString(dir.resolve("config.json"), llama.replace("\"mlp_bias\": false", "\"mlp_bias\": true"));
        assertThatThrownBy(() -> DecoderArchitecture.read(dir)).hasMessageContaining("mlp_bias");
    }

    @Test
    void savedDirectoriesLoadBackWithTheSameLogitsSingleOrSharded() throws Exception {
        Path source = FIXTURES.resolve("gemma3-model");
        int[] tokens = {3, 14, 15, 9, 2, 6, 5, 35, 8};
        try (JvmBackend backend = new JvmBackend(2, 1 << 14); DecoderModel model = DecoderModel.open(source, backend)) {
            float[] logits = model.logits(tokens, 1, 9).clone();
            Path f32 = dir.resolve("f32");
            model.save(f32, org.rlcasino.io.safetensors.Dtype.F32, org.rlcasino.io.safetensors.CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
            try (DecoderModel back = DecoderModel.open(f32, backend)) {
                org.rlcasino.testsupport.NumericAssertions.assertBitIdentical("F32 round trip", back.logits(tokens, 1, 9), logits);
            }
            Path bf16 = dir.resolve("bf16");
            model.save(bf16, org.rlcasino.io.safetensors.Dtype.BF16, 20_000);
            assertThat(bf16.resolve("model.safetensors.index.json")).isRegularFile();
            assertThat(Files.readString(bf16.resolve("config.json"))).contains("\"bfloat16\"");
            try (DecoderModel back = DecoderModel.open(bf16, backend)) {
                assertClose("BF16 round trip", back.logits(tokens, 1, 9), logits, 0.5, 0.05);
            }
        }
    }
}
