package org.rlcasino.train.family;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlcasino.io.safetensors.SafetensorsFile;
import org.rlcasino.kernels.GatedActivationKernels;
import org.rlcasino.kernels.GroupedAttentionKernels;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.RmsNormKernels;
import org.rlcasino.kernels.RotaryKernels;

import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * One decoder layer of Llama, Qwen2, Qwen3 and Gemma 3, composed of the project's kernels, against
 * transformers 5.18 running the same layer with the same random weights
 * (src/test/resources/families/*-layer0.safetensors, from src/test/python/gen_family_layers.py):
 * RMSNorm (Gemma's 1 + w, before and after attention and MLP), q/k/v projections with Qwen2's biases,
 * Qwen3's and Gemma's per-head q/k norms, rotary embeddings (Gemma's local base on its sliding layer),
 * grouped-query attention 4:2 with Gemma's query scale and sliding window 4 over 7 tokens, SwiGLU or
 * GeGLU, the residuals. Tolerance 1e-5 absolute + 1e-4 relative (float32, values of order 1).
 */
class FamilyLayerTest {
    private static final Path FIXTURES = Path.of("src/test/resources/families");

    /** {@code x (m, k) · W (n, k)ᵀ (+ b)}: a Hugging Face Linear. */
    static float[] linear(float[] x, int m, int k, float[] w, int n, float[] bias) {
        float[] out = new float[m * n];
        MatmulKernels.matmulNT(out, x, w, bias == null ? new float[1] : bias,
                MatmulKernels.dims(m, k, n, 0, 0, 0, 0, bias == null ? 0 : MatmulKernels.F_BIAS), 0, m * n);
        return out;
    }

    static float[] rmsNorm(float[] x, int rows, int c, float[] w, float eps, boolean plusOne) {
        float[] out = new float[rows * c];
        RmsNormKernels.rmsNormForward(out, new float[rows], x, w, new float[] {eps},
                RmsNormKernels.dims(rows, c, 0, plusOne ? RmsNormKernels.F_PLUS_ONE : 0), 0, rows);
        return out;
    }

    static float[] add(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    static float[] stack(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "gemma3"})
    void aDecoderLayerOfKernelsMatchesTransformers(String family) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(FIXTURES.resolve(family + "-layer0.safetensors"))) {
            JsonNode cfg = new ObjectMapper().readTree(f.metadata().get("config"));
            int h = cfg.get("hidden_size").asInt();
            int inter = cfg.get("intermediate_size").asInt();
            int nh = cfg.get("num_attention_heads").asInt();
            int nkv = cfg.get("num_key_value_heads").asInt();
            int d = cfg.get("head_dim").asInt();
            float eps = (float) cfg.get("rms_norm_eps").asDouble();
            boolean gemma = family.equals("gemma3");
            boolean qkNorm = gemma || family.equals("qwen3");
            float[] input = f.readFloats("input");
            int n = input.length / h;

            float[] x = rmsNorm(input, n, h, f.readFloats("input_layernorm.weight"), eps, gemma);
            float[] q = linear(x, n, h, f.readFloats("self_attn.q_proj.weight"), nh * d,
                    f.contains("self_attn.q_proj.bias") ? f.readFloats("self_attn.q_proj.bias") : null);
            float[] k = linear(x, n, h, f.readFloats("self_attn.k_proj.weight"), nkv * d,
                    f.contains("self_attn.k_proj.bias") ? f.readFloats("self_attn.k_proj.bias") : null);
            float[] v = linear(x, n, h, f.readFloats("self_attn.v_proj.weight"), nkv * d,
                    f.contains("self_attn.v_proj.bias") ? f.readFloats("self_attn.v_proj.bias") : null);
            if (qkNorm) {
                q = rmsNorm(q, n * nh, d, f.readFloats("self_attn.q_norm.weight"), eps, gemma);
                k = rmsNorm(k, n * nkv, d, f.readFloats("self_attn.k_norm.weight"), eps, gemma);
            }
            // Gemma's layer 0 is a sliding layer: the local rotary base and a window
            double theta = gemma ? cfg.path("rope_parameters").path("sliding_attention").path("rope_theta").asDouble()
                    : ropeTheta(cfg);
            int window = gemma ? cfg.get("sliding_window").asInt() : 0;
            float[][] tables = RotaryKernels.tables(n, d, theta);
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = i;
            }
            RotaryKernels.rotaryForward(q, tables[0], tables[1], positions, RotaryKernels.dims(n, nh * d, 0, nh, d), 0, n * nh * d / 2);
            RotaryKernels.rotaryForward(k, tables[0], tables[1], positions, RotaryKernels.dims(n, nkv * d, 0, nkv, d), 0, n * nkv * d / 2);
            float scale = 1f / (float) Math.sqrt(gemma ? cfg.get("query_pre_attn_scalar").asDouble() : d);
            float[] attended = new float[n * nh * d];
            GroupedAttentionKernels.groupedAttentionForward(attended, new float[nh * n * n], q, k, v, new float[] {scale},
                    GroupedAttentionKernels.dims(1, n, nh, nkv, d, window), 0, nh * n);
            float[] o = linear(attended, n, nh * d, f.readFloats("self_attn.o_proj.weight"), h, null);
            if (gemma) {
                o = rmsNorm(o, n, h, f.readFloats("post_attention_layernorm.weight"), eps, true);
            }
            float[] mid = add(input, o);
            float[] x2 = rmsNorm(mid, n, h, f.readFloats(gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight"),
                    eps, gemma);
            float[] gu = linear(x2, n, h, stack(f.readFloats("mlp.gate_proj.weight"), f.readFloats("mlp.up_proj.weight")), 2 * inter,
                    null);
            float[] act = new float[n * inter];
            if (gemma) {
                GatedActivationKernels.gegluForward(act, gu, GatedActivationKernels.dims(n, inter), 0, n * inter);
            } else {
                GatedActivationKernels.swigluForward(act, gu, GatedActivationKernels.dims(n, inter), 0, n * inter);
            }
            float[] down = linear(act, n, inter, f.readFloats("mlp.down_proj.weight"), h, null);
            if (gemma) {
                down = rmsNorm(down, n, h, f.readFloats("post_feedforward_layernorm.weight"), eps, true);
            }
            assertClose(family + " layer output", add(mid, down), f.readFloats("output"), 1e-5, 1e-4);
        }
    }

    /** {@code rope_theta}, at the top level or (transformers 5) inside {@code rope_parameters}. */
    static double ropeTheta(JsonNode cfg) {
        if (cfg.hasNonNull("rope_theta")) {
            return cfg.get("rope_theta").asDouble();
        }
        return cfg.path("rope_parameters").path("rope_theta").asDouble(10000.0);
    }
}
