package org.rlcasino.train.family;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.rlcasino.io.hf.DecoderConfig;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.EmbeddingKernels;
import org.rlcasino.kernels.GatedActivationKernels;
import org.rlcasino.kernels.GroupedAttentionKernels;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.ProgramLaunch;
import org.rlcasino.kernels.RmsNormKernels;
import org.rlcasino.kernels.RotaryKernels;
import org.rlcasino.kernels.TensorView;

/**
 * The forward pass of a Llama-family or Gemma 3 decoder ({@link DecoderConfig}: llama, mistral,
 * qwen2, qwen3, gemma3_text) as one kernel program over a flat float32 parameter buffer whose
 * views carry the Hugging Face names ({@code model.layers.0.self_attn.q_proj.weight}, …), so
 * masks, deltas and scorers can address it as they address GPT-2. Each layer: RMSNorm (Gemma:
 * 1 + w), q/k/v projections (Qwen2: biases), per-head q/k RMSNorm (Qwen3, Gemma 3), rotary
 * embeddings (Gemma 3's local base on sliding layers), grouped-query attention (sliding window,
 * Gemma's query scale), the output projection, Gemma's post-attention norm, the residual; then the
 * MLP's norm, a fused gate/up projection (HF's gate_proj and up_proj stored next to each other),
 * SwiGLU or Gemma's GeGLU, the down projection, Gemma's post-feedforward norm, the residual. Then
 * the final norm and the head (tied to the embedding or not). The forward only, for now: the
 * backward, training and generation of these families are the rest of issue 17.
 */
public final class DecoderModel implements AutoCloseable {
    private final DecoderConfig config;
    private final Backend backend;
    private final ParameterLayout layout;
    private final float[] parameters;
    private final boolean gemma;
    private final boolean qkNorm;
    private Shape shape;

    public DecoderModel(DecoderConfig config, Backend backend) {
        if (config.family().equals("gpt2")) {
            throw new IllegalArgumentException("GPT-2 is trained by GptModel; DecoderModel runs llama, mistral, qwen2, qwen3 and gemma3_text");
        }
        this.config = config;
        this.backend = backend;
        this.gemma = config.family().equals("gemma3_text");
        this.qkNorm = gemma || config.family().equals("qwen3");
        this.layout = layout(config);
        this.parameters = new float[layout.totalSize()];
    }

    /** The parameter views in Hugging Face's names and order; gate_proj and up_proj adjacent. */
    static ParameterLayout layout(DecoderConfig c) {
        int h = c.hiddenSize();
        int q = c.heads() * c.headDim();
        int kv = c.kvHeads() * c.headDim();
        boolean gemma = c.family().equals("gemma3_text");
        boolean qkNorm = gemma || c.family().equals("qwen3");
        ParameterLayout.Builder b = ParameterLayout.builder().add("model.embed_tokens.weight", c.vocabSize(), h);
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            b.add(p + "input_layernorm.weight", h);
            b.add(p + "self_attn.q_proj.weight", q, h);
            b.add(p + "self_attn.k_proj.weight", kv, h);
            b.add(p + "self_attn.v_proj.weight", kv, h);
            if (c.qkvBias()) {
                b.add(p + "self_attn.q_proj.bias", q).add(p + "self_attn.k_proj.bias", kv).add(p + "self_attn.v_proj.bias", kv);
            }
            if (qkNorm) {
                b.add(p + "self_attn.q_norm.weight", c.headDim()).add(p + "self_attn.k_norm.weight", c.headDim());
            }
            b.add(p + "self_attn.o_proj.weight", h, q);
            if (c.outputBias()) {
                b.add(p + "self_attn.o_proj.bias", h);
            }
            b.add(p + "post_attention_layernorm.weight", h);
            if (gemma) {
                b.add(p + "pre_feedforward_layernorm.weight", h).add(p + "post_feedforward_layernorm.weight", h);
            }
            b.add(p + "mlp.gate_proj.weight", c.intermediateSize(), h);
            b.add(p + "mlp.up_proj.weight", c.intermediateSize(), h);
            b.add(p + "mlp.down_proj.weight", h, c.intermediateSize());
        }
        b.add("model.norm.weight", h);
        if (!c.tiedEmbeddings()) {
            b.add("lm_head.weight", c.vocabSize(), h);
        }
        return b.build();
    }

    public ParameterLayout layout() {
        return layout;
    }

    public float[] parameters() {
        return parameters;
    }

    public DecoderConfig config() {
        return config;
    }

    /**
     * Loads the weights of a Hugging Face directory (one file or shards with an index; F32, F16 or
     * BF16, upcast) by name; a missing, unexpected or misshapen tensor is an error naming it.
     */
    public void load(Path directory) throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(directory)) {
            for (var entry : c.tensors()) {
                String name = entry.name();
                if (!layout.contains(name)) {
                    if (name.equals("lm_head.weight") && config.tiedEmbeddings()) {
                        continue; // a tied head saved alongside the embedding
                    }
                    throw new IllegalArgumentException(directory + ": tensor " + name + " is not a parameter of this "
                            + config.family() + " model");
                }
            }
            for (TensorView t : layout.tensors()) {
                if (!c.contains(t.name())) {
                    throw new IllegalArgumentException(directory + ": tensor " + t.name() + " is missing");
                }
                if (c.tensor(t.name()).numel() != t.size()) {
                    throw new IllegalArgumentException(directory + ": tensor " + t.name() + " has " + c.tensor(t.name()).numel()
                            + " elements, the config gives " + t.size());
                }
                c.readFloats(t.name(), 0, parameters, t.offset(), t.size());
            }
        }
        if (shape != null) {
            backend.syncToDevice(parameters);
        }
    }

    private int offset(String name) {
        return layout.tensor(name).offset();
    }

    /** The buffers and the prepared program of one (batch, seqLen). */
    private final class Shape {
        final int batch;
        final int seqLen;
        final int[] tokens;
        final float[] logits;
        final ProgramLaunch program;

        Shape(int batch, int seqLen) {
            this.batch = batch;
            this.seqLen = seqLen;
            int n = batch * seqLen;
            int h = config.hiddenSize();
            int d = config.headDim();
            int nh = config.heads();
            int nkv = config.kvHeads();
            int inter = config.intermediateSize();
            int v = config.vocabSize();
            float[] p = parameters;
            tokens = new int[n];
            logits = new float[n * v];
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = i % seqLen;
            }
            float[] residual = new float[n * h];
            float[] normed = new float[n * h];
            float[] rstd = new float[Math.max(n, n * nh)];
            float[] q = new float[n * nh * d];
            float[] k = new float[n * nkv * d];
            float[] v0 = new float[n * nkv * d];
            float[] qn = new float[n * nh * d];
            float[] kn = new float[n * nkv * d];
            float[] attended = new float[n * nh * d];
            float[] att = new float[batch * nh * seqLen * seqLen];
            float[] proj = new float[n * h];
            float[] projNormed = new float[n * h];
            float[] gu = new float[n * 2 * inter];
            float[] act = new float[n * inter];
            float[] eps = {config.rmsNormEps()};
            int normFlags = gemma ? RmsNormKernels.F_PLUS_ONE : 0;
            float[][] global = tables(config.rope(), seqLen);
            float[][] local = tables(config.localRope(), seqLen);
            float[] queryScale = {config.queryScale()};
            List<KernelCall> calls = new ArrayList<>();
            calls.add(KernelCall.builder("decoder.embedding", Kernel.TOKEN_EMBEDDING_FORWARD).output(residual).input(tokens)
                    .state(p).constant(new float[] {gemma ? (float) Math.sqrt(h) : 1f})
                    .constant(EmbeddingKernels.dims(n, h, offset("model.embed_tokens.weight"), 0)).over(n));
            for (int l = 0; l < config.layers(); l++) {
                String pre = "model.layers." + l + ".";
                boolean sliding = config.slidingLayers().get(l);
                float[][] rope = sliding ? local : global;
                calls.add(norm("decoder.input_norm", normed, rstd, residual, n, h, offset(pre + "input_layernorm.weight"), eps, normFlags));
                calls.add(linear("decoder.q_proj", q, normed, n, h, nh * d, pre + "self_attn.q_proj"));
                calls.add(linear("decoder.k_proj", k, normed, n, h, nkv * d, pre + "self_attn.k_proj"));
                calls.add(linear("decoder.v_proj", v0, normed, n, h, nkv * d, pre + "self_attn.v_proj"));
                float[] qr = q;
                float[] kr = k;
                if (qkNorm) {
                    calls.add(norm("decoder.q_norm", qn, rstd, q, n * nh, d, offset(pre + "self_attn.q_norm.weight"), eps, normFlags));
                    calls.add(norm("decoder.k_norm", kn, rstd, k, n * nkv, d, offset(pre + "self_attn.k_norm.weight"), eps, normFlags));
                    qr = qn;
                    kr = kn;
                }
                calls.add(KernelCall.builder("decoder.rope_q", Kernel.ROTARY_FORWARD).state(qr).constant(rope[0]).constant(rope[1])
                        .input(positions).constant(RotaryKernels.dims(n, nh * d, 0, nh, d)).over(n * nh * d / 2));
                calls.add(KernelCall.builder("decoder.rope_k", Kernel.ROTARY_FORWARD).state(kr).constant(rope[0]).constant(rope[1])
                        .input(positions).constant(RotaryKernels.dims(n, nkv * d, 0, nkv, d)).over(n * nkv * d / 2));
                calls.add(KernelCall.builder("decoder.attention", Kernel.GROUPED_ATTENTION_FORWARD).output(attended).output(att)
                        .input(qr).input(kr).input(v0).constant(queryScale)
                        .constant(GroupedAttentionKernels.dims(batch, seqLen, nh, nkv, d, sliding ? config.slidingWindow() : 0))
                        .over(batch * nh * seqLen));
                calls.add(linear("decoder.o_proj", proj, attended, n, nh * d, h, pre + "self_attn.o_proj"));
                float[] attnOut = proj;
                if (gemma) {
                    calls.add(norm("decoder.post_attention_norm", projNormed, rstd, proj, n, h,
                            offset(pre + "post_attention_layernorm.weight"), eps, normFlags));
                    attnOut = projNormed;
                }
                calls.add(KernelCall.builder("decoder.residual_attention", Kernel.RESIDUAL_ADD_IN_PLACE).state(residual).input(attnOut)
                        .over(n * h));
                calls.add(norm("decoder.mlp_norm", normed, rstd, residual, n, h,
                        offset(pre + (gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight")), eps, normFlags));
                calls.add(KernelCall.builder("decoder.gate_up", Kernel.MATMUL_NT).output(gu).input(normed).input(p).input(p)
                        .constant(MatmulKernels.dims(n, h, 2 * inter, 0, 0, offset(pre + "mlp.gate_proj.weight"), 0, 0))
                        .over(n * 2 * inter));
                calls.add(KernelCall.builder("decoder.glu", gemma ? Kernel.GEGLU_FORWARD : Kernel.SWIGLU_FORWARD).output(act).input(gu)
                        .constant(GatedActivationKernels.dims(n, inter)).over(n * inter));
                calls.add(linear("decoder.down_proj", proj, act, n, inter, h, pre + "mlp.down_proj"));
                float[] mlpOut = proj;
                if (gemma) {
                    calls.add(norm("decoder.post_feedforward_norm", projNormed, rstd, proj, n, h,
                            offset(pre + "post_feedforward_layernorm.weight"), eps, normFlags));
                    mlpOut = projNormed;
                }
                calls.add(KernelCall.builder("decoder.residual_mlp", Kernel.RESIDUAL_ADD_IN_PLACE).state(residual).input(mlpOut)
                        .over(n * h));
            }
            calls.add(norm("decoder.final_norm", normed, rstd, residual, n, h, offset("model.norm.weight"), eps, normFlags));
            String head = config.tiedEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
            calls.add(KernelCall.builder("decoder.head", Kernel.MATMUL_NT).output(logits).input(normed).input(p).input(p)
                    .constant(MatmulKernels.dims(n, h, v, 0, 0, offset(head), 0, 0)).over(n * v));
            KernelProgram.Builder program = KernelProgram.builder("decoder.forward").input(tokens).output(logits);
            calls.forEach(program::call);
            this.program = backend.prepare(program.build());
        }

        private KernelCall norm(String task, float[] out, float[] rstd, float[] x, int rows, int c, int w, float[] eps, int flags) {
            return KernelCall.builder(task, Kernel.RMS_NORM_FORWARD).output(out).output(rstd).input(x).state(parameters)
                    .constant(eps).constant(RmsNormKernels.dims(rows, c, w, flags)).over(rows);
        }

        /** {@code out = x · Wᵀ (+ b)} with the weight (and bias) of the HF Linear {@code name} in the flat buffer. */
        private KernelCall linear(String task, float[] out, float[] x, int m, int k, int n, String name) {
            boolean bias = layout.contains(name + ".bias");
            return KernelCall.builder(task, Kernel.MATMUL_NT).output(out).input(x).input(parameters).input(parameters)
                    .constant(MatmulKernels.dims(m, k, n, 0, 0, offset(name + ".weight"), bias ? offset(name + ".bias") : 0,
                            bias ? MatmulKernels.F_BIAS : 0))
                    .over(m * n);
        }
    }

    /** The cos/sin tables of a rotary schedule for {@code positions} positions. */
    private float[][] tables(DecoderConfig.Rope rope, int positions) {
        float[] inv = RotaryKernels.inverseFrequencies(config.headDim(), rope.theta());
        if (rope.type().equals("linear")) {
            inv = RotaryKernels.linearScaling(inv, rope.factor());
        } else if (rope.type().equals("llama3")) {
            inv = RotaryKernels.llama3Scaling(inv, rope.factor(), rope.lowFreqFactor(), rope.highFreqFactor(), rope.originalMaxPositions());
        }
        return RotaryKernels.tables(positions, inv);
    }

    /**
     * The logits (B·T, V) of {@code tokens} (B sequences of T, row-major), every position attending
     * causally within its own sequence. The returned array is the model's own; copy it to keep it.
     */
    public float[] logits(int[] tokens, int batch, int seqLen) {
        if (tokens.length != batch * seqLen) {
            throw new IllegalArgumentException("expected " + batch * seqLen + " tokens, got " + tokens.length);
        }
        for (int t : tokens) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException("token " + t + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        if (seqLen > config.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + seqLen + " exceeds max_position_embeddings " + config.maxPositions());
        }
        if (shape == null || shape.batch != batch || shape.seqLen != seqLen) {
            if (shape != null) {
                backend.release(shape.program);
            }
            shape = new Shape(batch, seqLen);
        }
        System.arraycopy(tokens, 0, shape.tokens, 0, tokens.length);
        shape.program.run();
        return shape.logits;
    }

    @Override
    public void close() {
        if (shape != null) {
            backend.release(shape.program);
            shape = null;
        }
    }
}
