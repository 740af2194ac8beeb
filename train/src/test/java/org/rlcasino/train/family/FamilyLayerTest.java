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
 * GeGLU, the residuals — forward (tolerance 1e-5 absolute + 1e-4 relative) and backward: the input
 * gradient and every weight gradient of {@code sum(output · upstream)} against torch autograd
 * (1e-4 + 1e-3 relative).
 */
class FamilyLayerTest {
    private static final Path FIXTURES = Path.of("src/test/resources/families");

    /** The layer's sizes from the fixture's config. */
    record Shape(int h, int inter, int nh, int nkv, int d, float eps, boolean gemma, boolean qkNorm, double theta, int window,
                 float scale) {
        static Shape of(JsonNode cfg, String family) {
            boolean gemma = family.equals("gemma3");
            int d = cfg.get("head_dim").asInt();
            // Gemma's layer 0 is a sliding layer: the local rotary base and a window
            double theta = gemma ? cfg.path("rope_parameters").path("sliding_attention").path("rope_theta").asDouble() : ropeTheta(cfg);
            return new Shape(cfg.get("hidden_size").asInt(), cfg.get("intermediate_size").asInt(),
                    cfg.get("num_attention_heads").asInt(), cfg.get("num_key_value_heads").asInt(), d,
                    (float) cfg.get("rms_norm_eps").asDouble(), gemma, gemma || family.equals("qwen3"), theta,
                    gemma ? cfg.get("sliding_window").asInt() : 0,
                    1f / (float) Math.sqrt(gemma ? cfg.get("query_pre_attn_scalar").asDouble() : d));
        }
    }

    static Shape shape(SafetensorsFile f, String family) throws java.io.IOException {
        return Shape.of(new ObjectMapper().readTree(f.metadata().get("config")), family);
    }

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
            Shape sh = shape(f, family);
            int h = sh.h();
            int inter = sh.inter();
            int nh = sh.nh();
            int nkv = sh.nkv();
            int d = sh.d();
            float eps = sh.eps();
            boolean gemma = sh.gemma();
            boolean qkNorm = sh.qkNorm();
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
            int window = sh.window();
            float[][] tables = RotaryKernels.tables(n, d, sh.theta());
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = i;
            }
            RotaryKernels.rotaryForward(q, tables[0], tables[1], positions, RotaryKernels.dims(n, nh * d, 0, nh, d), 0, n * nh * d / 2);
            RotaryKernels.rotaryForward(k, tables[0], tables[1], positions, RotaryKernels.dims(n, nkv * d, 0, nkv, d), 0, n * nkv * d / 2);
            float[] attended = new float[n * nh * d];
            GroupedAttentionKernels.groupedAttentionForward(attended, new float[nh * n * n], q, k, v, new float[] {sh.scale()},
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

    /** {@code a (m, k) · b (k, n)}, added into out when {@code accumulate}. */
    static void nn(float[] out, float[] a, float[] b, int m, int k, int n, boolean accumulate) {
        MatmulKernels.matmulNN(out, a, b, new float[1], MatmulKernels.dims(m, k, n, 0, 0, 0, 0,
                accumulate ? MatmulKernels.F_ACCUMULATE : 0), 0, m * n);
    }

    /** {@code a (m, k)ᵀ · b (m, n)}: a weight gradient (k, n). */
    static float[] tn(float[] a, float[] b, int m, int k, int n) {
        float[] out = new float[k * n];
        MatmulKernels.matmulTN(out, a, b, new float[1], MatmulKernels.dims(m, k, n, 0, 0, 0, 0, 0), 0, k * n);
        return out;
    }

    /** RMSNorm with its saved rstd, for the backward. */
    record Normed(float[] y, float[] rstd) {}

    static Normed rmsNormSaved(float[] x, int rows, int c, float[] w, float eps, boolean plusOne) {
        float[] out = new float[rows * c];
        float[] rstd = new float[rows];
        RmsNormKernels.rmsNormForward(out, rstd, x, w, new float[] {eps},
                RmsNormKernels.dims(rows, c, 0, plusOne ? RmsNormKernels.F_PLUS_ONE : 0), 0, rows);
        return new Normed(out, rstd);
    }

    /** The input gradient of an RMSNorm, added into {@code dx}, and its weight gradient (returned). */
    static float[] rmsNormBackward(float[] dx, float[] dy, float[] x, float[] rstd, int rows, int c, float[] w, boolean plusOne) {
        int flags = RmsNormKernels.F_ACCUMULATE | (plusOne ? RmsNormKernels.F_PLUS_ONE : 0);
        RmsNormKernels.rmsNormBackwardInput(dx, dy, x, rstd, w, RmsNormKernels.dims(rows, c, 0, flags), 0, rows);
        float[] dw = new float[c];
        RmsNormKernels.rmsNormBackwardParams(dw, dy, x, rstd, RmsNormKernels.dims(rows, c, 0, flags), 0, c);
        return dw;
    }

    static float[] columnSum(float[] a, int m, int n) {
        float[] out = new float[n];
        MatmulKernels.columnSum(out, a, MatmulKernels.dims(m, 0, n, 0, 0, 0, 0, 0), 0, n);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "gemma3"})
    void theLayersBackwardOfKernelsMatchesTorchAutograd(String family) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(FIXTURES.resolve(family + "-layer0.safetensors"))) {
            Shape sh = shape(f, family);
            int h = sh.h();
            int inter = sh.inter();
            int nh = sh.nh();
            int nkv = sh.nkv();
            int d = sh.d();
            float eps = sh.eps();
            boolean gemma = sh.gemma();
            boolean qkNorm = sh.qkNorm();
            boolean bias = f.contains("self_attn.q_proj.bias");
            float[] input = f.readFloats("input");
            int n = input.length / h;
            float[] wq = f.readFloats("self_attn.q_proj.weight");
            float[] wk = f.readFloats("self_attn.k_proj.weight");
            float[] wv = f.readFloats("self_attn.v_proj.weight");
            float[] wo = f.readFloats("self_attn.o_proj.weight");
            float[] wgu = stack(f.readFloats("mlp.gate_proj.weight"), f.readFloats("mlp.up_proj.weight"));
            float[] wd = f.readFloats("mlp.down_proj.weight");
            String norm2 = gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight";

            // forward, keeping what the backward reads
            Normed x = rmsNormSaved(input, n, h, f.readFloats("input_layernorm.weight"), eps, gemma);
            float[] q0 = linear(x.y(), n, h, wq, nh * d, bias ? f.readFloats("self_attn.q_proj.bias") : null);
            float[] k0 = linear(x.y(), n, h, wk, nkv * d, bias ? f.readFloats("self_attn.k_proj.bias") : null);
            float[] v = linear(x.y(), n, h, wv, nkv * d, bias ? f.readFloats("self_attn.v_proj.bias") : null);
            Normed qn = qkNorm ? rmsNormSaved(q0, n * nh, d, f.readFloats("self_attn.q_norm.weight"), eps, gemma) : null;
            Normed kn = qkNorm ? rmsNormSaved(k0, n * nkv, d, f.readFloats("self_attn.k_norm.weight"), eps, gemma) : null;
            float[] q = (qkNorm ? qn.y() : q0).clone();
            float[] k = (qkNorm ? kn.y() : k0).clone();
            float[][] tables = RotaryKernels.tables(n, d, sh.theta());
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = i;
            }
            int[] ropeQ = RotaryKernels.dims(n, nh * d, 0, nh, d);
            int[] ropeK = RotaryKernels.dims(n, nkv * d, 0, nkv, d);
            RotaryKernels.rotaryForward(q, tables[0], tables[1], positions, ropeQ, 0, n * nh * d / 2);
            RotaryKernels.rotaryForward(k, tables[0], tables[1], positions, ropeK, 0, n * nkv * d / 2);
            float[] scale = {sh.scale()};
            int[] attDims = GroupedAttentionKernels.dims(1, n, nh, nkv, d, sh.window());
            float[] attended = new float[n * nh * d];
            float[] att = new float[nh * n * n];
            GroupedAttentionKernels.groupedAttentionForward(attended, att, q, k, v, scale, attDims, 0, nh * n);
            float[] o0 = linear(attended, n, nh * d, wo, h, null);
            Normed o = gemma ? rmsNormSaved(o0, n, h, f.readFloats("post_attention_layernorm.weight"), eps, true) : null;
            float[] mid = add(input, gemma ? o.y() : o0);
            Normed x2 = rmsNormSaved(mid, n, h, f.readFloats(norm2), eps, gemma);
            float[] gu = linear(x2.y(), n, h, wgu, 2 * inter, null);
            float[] act = new float[n * inter];
            int[] gluDims = GatedActivationKernels.dims(n, inter);
            if (gemma) {
                GatedActivationKernels.gegluForward(act, gu, gluDims, 0, n * inter);
            } else {
                GatedActivationKernels.swigluForward(act, gu, gluDims, 0, n * inter);
            }
            float[] down0 = linear(act, n, inter, wd, h, null);
            Normed down = gemma ? rmsNormSaved(down0, n, h, f.readFloats("post_feedforward_layernorm.weight"), eps, true) : null;
            assertClose(family + " forward", add(mid, gemma ? down.y() : down0), f.readFloats("output"), 1e-5, 1e-4);

            // backward of sum(output · upstream)
            float[] dOut = f.readFloats("upstream");
            java.util.Map<String, float[]> grads = new java.util.LinkedHashMap<>();
            float[] dMid = dOut.clone();
            float[] dDown0 = dOut;
            if (gemma) {
                dDown0 = new float[n * h];
                grads.put("post_feedforward_layernorm.weight", rmsNormBackward(dDown0, dOut, down0, down.rstd(), n, h,
                        f.readFloats("post_feedforward_layernorm.weight"), true));
            }
            float[] dAct = new float[n * inter];
            nn(dAct, dDown0, wd, n, h, inter, false);
            grads.put("mlp.down_proj.weight", tn(dDown0, act, n, h, inter));
            float[] dGu = new float[n * 2 * inter];
            if (gemma) {
                GatedActivationKernels.gegluBackward(dGu, dAct, gu, gluDims, 0, n * inter);
            } else {
                GatedActivationKernels.swigluBackward(dGu, dAct, gu, gluDims, 0, n * inter);
            }
            float[] dX2 = new float[n * h];
            nn(dX2, dGu, wgu, n, 2 * inter, h, false);
            float[] dWgu = tn(dGu, x2.y(), n, 2 * inter, h);
            grads.put("mlp.gate_proj.weight", java.util.Arrays.copyOfRange(dWgu, 0, inter * h));
            grads.put("mlp.up_proj.weight", java.util.Arrays.copyOfRange(dWgu, inter * h, 2 * inter * h));
            grads.put(norm2, rmsNormBackward(dMid, dX2, mid, x2.rstd(), n, h, f.readFloats(norm2), gemma));
            float[] dInput = dMid.clone();
            float[] dO0 = dMid;
            if (gemma) {
                dO0 = new float[n * h];
                grads.put("post_attention_layernorm.weight", rmsNormBackward(dO0, dMid, o0, o.rstd(), n, h,
                        f.readFloats("post_attention_layernorm.weight"), true));
            }
            float[] dAttended = new float[n * nh * d];
            nn(dAttended, dO0, wo, n, h, nh * d, false);
            grads.put("self_attn.o_proj.weight", tn(dO0, attended, n, h, nh * d));
            float[] dq = new float[n * nh * d];
            float[] datt = new float[att.length];
            float[] dk = new float[n * nkv * d];
            float[] dv = new float[n * nkv * d];
            GroupedAttentionKernels.groupedAttentionBackwardQuery(dq, datt, dAttended, k, v, att, scale, attDims, 0, nh * n);
            GroupedAttentionKernels.groupedAttentionBackwardKeyValue(dk, dv, dAttended, q, att, datt, scale, attDims, 0, nkv * n);
            RotaryKernels.rotaryBackward(dq, tables[0], tables[1], positions, ropeQ, 0, n * nh * d / 2);
            RotaryKernels.rotaryBackward(dk, tables[0], tables[1], positions, ropeK, 0, n * nkv * d / 2);
            float[] dq0 = dq;
            float[] dk0 = dk;
            if (qkNorm) {
                dq0 = new float[dq.length];
                dk0 = new float[dk.length];
                grads.put("self_attn.q_norm.weight", rmsNormBackward(dq0, dq, q0, qn.rstd(), n * nh, d,
                        f.readFloats("self_attn.q_norm.weight"), gemma));
                grads.put("self_attn.k_norm.weight", rmsNormBackward(dk0, dk, k0, kn.rstd(), n * nkv, d,
                        f.readFloats("self_attn.k_norm.weight"), gemma));
            }
            float[] dX = new float[n * h];
            nn(dX, dq0, wq, n, nh * d, h, false);
            nn(dX, dk0, wk, n, nkv * d, h, true);
            nn(dX, dv, wv, n, nkv * d, h, true);
            grads.put("self_attn.q_proj.weight", tn(dq0, x.y(), n, nh * d, h));
            grads.put("self_attn.k_proj.weight", tn(dk0, x.y(), n, nkv * d, h));
            grads.put("self_attn.v_proj.weight", tn(dv, x.y(), n, nkv * d, h));
            if (bias) {
                grads.put("self_attn.q_proj.bias", columnSum(dq0, n, nh * d));
                grads.put("self_attn.k_proj.bias", columnSum(dk0, n, nkv * d));
                grads.put("self_attn.v_proj.bias", columnSum(dv, n, nkv * d));
            }
            grads.put("input_layernorm.weight", rmsNormBackward(dInput, dX, input, x.rstd(), n, h,
                    f.readFloats("input_layernorm.weight"), gemma));
            grads.put("input", dInput);
            int checked = 0;
            for (var e : grads.entrySet()) {
                assertClose(family + " grad " + e.getKey(), e.getValue(), f.readFloats("grad." + e.getKey()), 1e-4, 1e-3);
                checked++;
            }
            long expected = f.tensors().stream().filter(t -> t.name().startsWith("grad.")).count();
            org.assertj.core.api.Assertions.assertThat(checked).as(family + ": every gradient torch computed").isEqualTo((int) expected);
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
