package org.rlcasino.train.family;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.rlcasino.io.hf.DecoderConfig;
import org.rlcasino.io.safetensors.CheckpointWriter;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.EmbeddingKernels;
import org.rlcasino.kernels.GatedActivationKernels;
import org.rlcasino.kernels.GroupedAttentionKernels;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.LogProbKernels;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.ProgramLaunch;
import org.rlcasino.kernels.RmsNormKernels;
import org.rlcasino.kernels.RotaryKernels;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.kernels.jvm.VectorGroupedAttentionKernels;
import org.rlcasino.train.model.GradientMask;
import org.rlcasino.train.model.MatmulCalls;
import org.rlcasino.train.model.LanguageModel;

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
 * the final norm and the head (tied to the embedding or not) and the log-probabilities of targets.
 * The backward of {@code Σ dlogp·logp} is a second program over the activations the forward keeps.
 */
public final class DecoderModel implements LanguageModel {
    /** Batch shapes kept prepared at once (as GPT-2's). */
    private static final int MAX_SHAPES = 4;

    private final DecoderArchitecture architecture;
    private final DecoderConfig config;
    private final Backend backend;
    private final ParameterLayout layout;
    private final float[] parameters;
    private final float[] gradients;
    private final boolean gemma;
    private final boolean qkNorm;
    /** Prepared shapes, least recently used first. */
    private final Map<Long, Shape> shapes = new LinkedHashMap<>(8, 0.75f, true);
    private Shape last;
    private boolean forwardOnly;
    /** Which weight gradients the backward computes (null: all); see {@link #restrictGradients}. */
    private GradientMask gradientMask;
    private float[] inverseTemperature = LogProbKernels.inverseTemperature(1);

    /** A model built from a config alone (it has no config.json to save). */
    public DecoderModel(DecoderConfig config, Backend backend) {
        this(new DecoderArchitecture(config, null), backend);
    }

    public DecoderModel(DecoderArchitecture architecture, Backend backend) {
        this.architecture = architecture;
        this.config = architecture.config();
        this.backend = backend;
        this.gemma = config.family().equals("gemma3_text");
        this.qkNorm = gemma || config.family().equals("qwen3");
        this.layout = layout(config);
        this.parameters = new float[layout.totalSize()];
        this.gradients = new float[layout.totalSize()];
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

    @Override
    public ParameterLayout layout() {
        return layout;
    }

    @Override
    public DecoderArchitecture architecture() {
        return architecture;
    }

    public DecoderConfig config() {
        return config;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public float[] parameters() {
        return parameters;
    }

    @Override
    public float[] parametersOnHost() {
        backend.syncToHost(parameters);
        return parameters;
    }

    @Override
    public void parametersWritten() {
        backend.syncToDevice(parameters);
    }

    /** Normal weights with std 0.02 (transformers' default initializer_range), biases 0, norms at identity (0 for Gemma's 1 + w). */
    @Override
    public void initialize(long seed) {
        boolean gemma = config().family().equals("gemma3_text");
        SplittableRandom random = new SplittableRandom(seed);
        for (TensorView t : layout().tensors()) {
            int from = t.offset();
            int to = from + t.size();
            if (t.name().endsWith("norm.weight")) {
                Arrays.fill(parameters, from, to, gemma ? 0f : 1f);
            } else if (t.name().endsWith(".bias")) {
                Arrays.fill(parameters, from, to, 0f);
            } else {
                for (int i = from; i < to; i++) {
                    parameters[i] = (float) (0.02 * random.nextGaussian());
                }
            }
        }
        parametersWritten();
    }

    @Override
    public float[] gradients() {
        return gradients;
    }

    @Override
    public float[] gradientsOnHost() {
        backend.syncToHost(gradients);
        return gradients;
    }

    /** Nothing to do: the backward program zeroes the gradient buffer before it writes the gradients. */
    @Override
    public void zeroGradients() {
    }

    @Override
    public void forwardOnly() {
        if (!shapes.isEmpty()) {
            throw new IllegalStateException("forwardOnly() must come before the first prepare or forward");
        }
        forwardOnly = true;
    }

    @Override
    public void prepare(int batch, int seqLen) {
        if (batch < 1 || seqLen < 1 || seqLen > config.maxPositions()) {
            throw new IllegalArgumentException("bad shape: batch " + batch + ", seqLen " + seqLen + " (max_position_embeddings "
                    + config.maxPositions() + ")");
        }
        shape(batch, seqLen);
    }

    @Override
    public DecoderGenerator generator(int maxBatch, int maxLength) {
        return new DecoderGenerator(this, maxBatch, maxLength);
    }

    /**
     * Loads the weights of a Hugging Face directory (one file or shards with an index; F32, F16 or
     * BF16, upcast) by name; a missing, unexpected or misshapen tensor is an error naming it.
     */
    public void load(Path directory) throws IOException {
        architecture.readWeights(directory, parameters);
        parametersWritten();
    }

    /** Opens a Hugging Face directory: its config.json, then its weights ({@link #load}). */
    public static DecoderModel open(Path directory, Backend backend) throws IOException {
        DecoderModel model = new DecoderModel(DecoderArchitecture.read(directory), backend);
        model.load(directory);
        return model;
    }

    /**
     * Writes the weights as {@code save_pretrained} does (one file or shards above
     * {@code maxShardBytes}, with an index; F32, F16 or BF16) and the config.json the model was
     * opened from, its dtype set to the one written ({@link DecoderArchitecture#write}).
     */
    public void save(Path directory, Dtype dtype, long maxShardBytes) throws IOException {
        architecture.write(directory, parametersOnHost(), dtype, maxShardBytes);
    }

    int offset(String name) {
        return layout.tensor(name).offset();
    }

    /** An RMSNorm call over the weight {@code weight} of the flat buffer (for the generator). */
    KernelCall rmsNormCall(String task, float[] out, float[] rstd, float[] x, int rows, int c, String weight, float[] eps, int flags) {
        return KernelCall.builder(task, Kernel.RMS_NORM_FORWARD).output(out).output(rstd).input(x).state(parameters)
                .constant(eps).constant(RmsNormKernels.dims(rows, c, offset(weight), flags)).over(rows);
    }

    /** {@code out = x · Wᵀ (+ b)} with the weight (and bias) of the HF Linear {@code name} (for the generator). */
    KernelCall linearCall(String task, float[] out, float[] x, int m, int k, int n, String name) {
        boolean bias = layout.contains(name + ".bias");
        return MatmulCalls.nt(task, out, x, parameters, parameters, MatmulKernels.dims(m, k, n, 0, 0, offset(name + ".weight"),
                bias ? offset(name + ".bias") : 0, bias ? MatmulKernels.F_BIAS : 0));
    }

    /** The cos/sin tables of a rotary schedule for {@code positions} positions. */
    float[][] rotaryTables(DecoderConfig.Rope rope, int positions) {
        return tables(rope, positions);
    }

    /** The buffers and the prepared programs of one (batch, seqLen): the forward keeps what the backward reads. */
    private final class Shape {
        final int batch;
        final int seqLen;
        final int[] tokens;
        final int[] targets;
        final float[] logits;
        final float[] logp;
        final float[] dlogp;
        final ProgramLaunch forward;
        final ProgramLaunch backward;
        private final float[] noBias = new float[1];

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
            int layers = config.layers();
            float[] p = parameters;
            tokens = new int[n];
            targets = new int[n];
            logits = new float[n * v];
            logp = new float[n];
            dlogp = new float[n];
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = i % seqLen;
            }
            float[][] residual = new float[layers + 1][n * h];
            float[][] x1 = new float[layers][n * h];
            float[][] rstd1 = new float[layers][n];
            float[][] q0 = new float[layers][n * nh * d];
            float[][] k0 = new float[layers][n * nkv * d];
            float[][] qRot = qkNorm ? new float[layers][n * nh * d] : q0;
            float[][] kRot = qkNorm ? new float[layers][n * nkv * d] : k0;
            float[][] qRstd = new float[layers][qkNorm ? n * nh : 0];
            float[][] kRstd = new float[layers][qkNorm ? n * nkv : 0];
            float[][] val = new float[layers][n * nkv * d];
            float[][] att = new float[layers][batch * nh * seqLen * seqLen];
            float[][] attended = new float[layers][n * nh * d];
            float[][] o0 = new float[layers][n * h];
            float[][] oNormed = new float[layers][gemma ? n * h : 0];
            float[][] oRstd = new float[layers][gemma ? n : 0];
            float[][] mid = new float[layers][n * h];
            float[][] x2 = new float[layers][n * h];
            float[][] rstd2 = new float[layers][n];
            float[][] gu = new float[layers][n * 2 * inter];
            float[][] act = new float[layers][n * inter];
            float[][] down0 = new float[layers][n * h];
            float[][] downNormed = new float[layers][gemma ? n * h : 0];
            float[][] downRstd = new float[layers][gemma ? n : 0];
            float[] finalNormed = new float[n * h];
            float[] finalRstd = new float[n];
            float[] lse = new float[n];
            float[] eps = {config.rmsNormEps()};
            int normFlags = gemma ? RmsNormKernels.F_PLUS_ONE : 0;
            float[][] global = tables(config.rope(), seqLen);
            float[][] local = tables(config.localRope(), seqLen);
            float[] queryScale = {config.queryScale()};
            float[] embedScale = {gemma ? (float) Math.sqrt(h) : 1f};
            int[] embedDims = EmbeddingKernels.dims(n, h, offset("model.embed_tokens.weight"), config.paddingToken());
            String head = config.tiedEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";

            List<KernelCall> f = new ArrayList<>();
            f.add(KernelCall.builder("decoder.embedding", Kernel.TOKEN_EMBEDDING_FORWARD).output(residual[0]).input(tokens)
                    .state(p).constant(embedScale).constant(embedDims).over(n));
            for (int l = 0; l < layers; l++) {
                String pre = "model.layers." + l + ".";
                boolean sliding = config.slidingLayers().get(l);
                float[][] rope = sliding ? local : global;
                f.add(norm("decoder.input_norm", x1[l], rstd1[l], residual[l], n, h, offset(pre + "input_layernorm.weight"), eps, normFlags));
                f.add(linear("decoder.q_proj", q0[l], x1[l], n, h, nh * d, pre + "self_attn.q_proj"));
                f.add(linear("decoder.k_proj", k0[l], x1[l], n, h, nkv * d, pre + "self_attn.k_proj"));
                f.add(linear("decoder.v_proj", val[l], x1[l], n, h, nkv * d, pre + "self_attn.v_proj"));
                if (qkNorm) {
                    f.add(norm("decoder.q_norm", qRot[l], qRstd[l], q0[l], n * nh, d, offset(pre + "self_attn.q_norm.weight"), eps, normFlags));
                    f.add(norm("decoder.k_norm", kRot[l], kRstd[l], k0[l], n * nkv, d, offset(pre + "self_attn.k_norm.weight"), eps, normFlags));
                }
                f.add(KernelCall.builder("decoder.rope_q", Kernel.ROTARY_FORWARD).state(qRot[l]).constant(rope[0]).constant(rope[1])
                        .input(positions).constant(RotaryKernels.dims(n, nh * d, 0, nh, d)).over(n * nh * d / 2));
                f.add(KernelCall.builder("decoder.rope_k", Kernel.ROTARY_FORWARD).state(kRot[l]).constant(rope[0]).constant(rope[1])
                        .input(positions).constant(RotaryKernels.dims(n, nkv * d, 0, nkv, d)).over(n * nkv * d / 2));
                float[] out = attended[l];
                float[] probs = att[l];
                float[] qs = qRot[l];
                float[] ks = kRot[l];
                float[] vs = val[l];
                int[] attDims = attentionDims(l);
                f.add(KernelCall.builder("decoder.attention", Kernel.GROUPED_ATTENTION_FORWARD).output(out).output(probs)
                        .input(qs).input(ks).input(vs).constant(queryScale).constant(attDims)
                        .jvmFastPath((offset, count) -> VectorGroupedAttentionKernels.groupedAttentionForward(out, probs, qs, ks, vs,
                                queryScale, attDims, offset, count))
                        .over(batch * nh * seqLen));
                f.add(linear("decoder.o_proj", o0[l], attended[l], n, nh * d, h, pre + "self_attn.o_proj"));
                if (gemma) {
                    f.add(norm("decoder.post_attention_norm", oNormed[l], oRstd[l], o0[l], n, h,
                            offset(pre + "post_attention_layernorm.weight"), eps, normFlags));
                }
                f.add(KernelCall.builder("decoder.residual_attention", Kernel.RESIDUAL_ADD).output(mid[l]).input(residual[l])
                        .input(gemma ? oNormed[l] : o0[l]).over(n * h));
                f.add(norm("decoder.mlp_norm", x2[l], rstd2[l], mid[l], n, h, offset(pre + mlpNorm()), eps, normFlags));
                f.add(MatmulCalls.nt("decoder.gate_up", gu[l], x2[l], p, p,
                        MatmulKernels.dims(n, h, 2 * inter, 0, 0, offset(pre + "mlp.gate_proj.weight"), 0, 0)));
                f.add(KernelCall.builder("decoder.glu", gemma ? Kernel.GEGLU_FORWARD : Kernel.SWIGLU_FORWARD).output(act[l]).input(gu[l])
                        .constant(GatedActivationKernels.dims(n, inter)).over(n * inter));
                f.add(linear("decoder.down_proj", down0[l], act[l], n, inter, h, pre + "mlp.down_proj"));
                if (gemma) {
                    f.add(norm("decoder.post_feedforward_norm", downNormed[l], downRstd[l], down0[l], n, h,
                            offset(pre + "post_feedforward_layernorm.weight"), eps, normFlags));
                }
                f.add(KernelCall.builder("decoder.residual_mlp", Kernel.RESIDUAL_ADD).output(residual[l + 1]).input(mid[l])
                        .input(gemma ? downNormed[l] : down0[l]).over(n * h));
            }
            f.add(norm("decoder.final_norm", finalNormed, finalRstd, residual[layers], n, h, offset("model.norm.weight"), eps, normFlags));
            f.add(MatmulCalls.nt("decoder.head", logits, finalNormed, p, p, MatmulKernels.dims(n, h, v, 0, 0, offset(head), 0, 0)));
            f.add(KernelCall.builder("decoder.log_prob", Kernel.LOG_PROB_FORWARD).output(logp).output(lse).input(logits).input(targets)
                    .constant(inverseTemperature).constant(LogProbKernels.dims(n, v)).over(n));
            KernelProgram.Builder fp = KernelProgram.builder("decoder.forward").input(tokens).input(targets).output(logp);
            f.forEach(fp::call);
            forward = backend.prepare(fp.build());
            if (forwardOnly) {
                backward = null;
                return;
            }

            // backward of Σ dlogp·logp into the gradient buffer (zeroed first)
            float[] g = gradients;
            float[] dlogits = new float[n * v];
            float[] dRes = new float[n * h];
            float[] dTmp = new float[n * h];
            float[] dAct = new float[n * inter];
            float[] dGu = new float[n * 2 * inter];
            float[] dX = new float[n * h];
            float[] dAttended = new float[n * nh * d];
            float[] dq = new float[n * nh * d];
            float[] dk = new float[n * nkv * d];
            float[] dv = new float[n * nkv * d];
            float[] dq0 = qkNorm ? new float[n * nh * d] : dq;
            float[] dk0 = qkNorm ? new float[n * nkv * d] : dk;
            float[] datt = new float[batch * nh * seqLen * seqLen];
            List<KernelCall> b = new ArrayList<>();
            b.add(KernelCall.builder("decoder.zero_grad", Kernel.ZERO).state(g).over(g.length));
            b.add(KernelCall.builder("decoder.log_prob_backward", Kernel.LOG_PROB_BACKWARD).output(dlogits).input(logits).input(lse)
                    .input(targets).input(dlogp).constant(inverseTemperature).constant(LogProbKernels.dims(n, v)).over(n * v));
            b.add(nn("decoder.head_dx", dX, dlogits, n, v, h, offset(head), false));
            weightGradient(b, "decoder.head_dw", head, dlogits, finalNormed, n, v, h);
            b.add(normBackward("decoder.final_norm_dx", dRes, dX, residual[layers], finalRstd, n, h, offset("model.norm.weight"), normFlags));
            if (computes("model.norm.weight")) {
                b.add(normParams("decoder.final_norm_dw", dX, residual[layers], finalRstd, n, h, offset("model.norm.weight")));
            }
            for (int l = layers - 1; l >= 0; l--) {
                String pre = "model.layers." + l + ".";
                boolean sliding = config.slidingLayers().get(l);
                float[][] rope = sliding ? local : global;
                float[] dDown = dRes;
                if (gemma) {
                    int w = offset(pre + "post_feedforward_layernorm.weight");
                    b.add(normBackward("decoder.post_feedforward_norm_dx", dTmp, dRes, down0[l], downRstd[l], n, h, w, normFlags));
                    if (computes(pre + "post_feedforward_layernorm.weight")) {
                        b.add(normParams("decoder.post_feedforward_norm_dw", dRes, down0[l], downRstd[l], n, h, w));
                    }
                    dDown = dTmp;
                }
                b.add(nn("decoder.down_proj_dx", dAct, dDown, n, h, inter, offset(pre + "mlp.down_proj.weight"), false));
                weightGradient(b, "decoder.down_proj_dw", pre + "mlp.down_proj.weight", dDown, act[l], n, h, inter);
                b.add(KernelCall.builder("decoder.glu_backward", gemma ? Kernel.GEGLU_BACKWARD : Kernel.SWIGLU_BACKWARD).output(dGu)
                        .input(dAct).input(gu[l]).constant(GatedActivationKernels.dims(n, inter)).over(n * inter));
                b.add(nn("decoder.gate_up_dx", dX, dGu, n, 2 * inter, h, offset(pre + "mlp.gate_proj.weight"), false));
                gateUpGradient(b, pre, dGu, x2[l], n, inter, h);
                b.add(normBackward("decoder.mlp_norm_dx", dRes, dX, mid[l], rstd2[l], n, h, offset(pre + mlpNorm()),
                        normFlags | RmsNormKernels.F_ACCUMULATE));
                if (computes(pre + mlpNorm())) {
                    b.add(normParams("decoder.mlp_norm_dw", dX, mid[l], rstd2[l], n, h, offset(pre + mlpNorm())));
                }
                float[] dO = dRes;
                if (gemma) {
                    int w = offset(pre + "post_attention_layernorm.weight");
                    b.add(normBackward("decoder.post_attention_norm_dx", dTmp, dRes, o0[l], oRstd[l], n, h, w, normFlags));
                    if (computes(pre + "post_attention_layernorm.weight")) {
                        b.add(normParams("decoder.post_attention_norm_dw", dRes, o0[l], oRstd[l], n, h, w));
                    }
                    dO = dTmp;
                }
                b.add(nn("decoder.o_proj_dx", dAttended, dO, n, h, nh * d, offset(pre + "self_attn.o_proj.weight"), false));
                weightGradient(b, "decoder.o_proj_dw", pre + "self_attn.o_proj.weight", dO, attended[l], n, h, nh * d);
                if (config.outputBias() && computes(pre + "self_attn.o_proj.bias")) {
                    b.add(columnSum("decoder.o_proj_db", dO, n, h, offset(pre + "self_attn.o_proj.bias")));
                }
                float[] qs = qRot[l];
                float[] ks = kRot[l];
                float[] vs = val[l];
                float[] probs = att[l];
                int[] attDims = attentionDims(l);
                b.add(KernelCall.builder("decoder.attention_dq", Kernel.GROUPED_ATTENTION_BACKWARD_QUERY).output(dq).output(datt)
                        .input(dAttended).input(ks).input(vs).input(probs).constant(queryScale).constant(attDims)
                        .jvmFastPath((offset, count) -> VectorGroupedAttentionKernels.groupedAttentionBackwardQuery(dq, datt, dAttended,
                                ks, vs, probs, queryScale, attDims, offset, count))
                        .over(batch * nh * seqLen));
                b.add(KernelCall.builder("decoder.attention_dkv", Kernel.GROUPED_ATTENTION_BACKWARD_KEY_VALUE).output(dk).output(dv)
                        .input(dAttended).input(qs).input(probs).input(datt).constant(queryScale).constant(attDims)
                        .jvmFastPath((offset, count) -> VectorGroupedAttentionKernels.groupedAttentionBackwardKeyValue(dk, dv, dAttended,
                                qs, probs, datt, queryScale, attDims, offset, count))
                        .over(batch * nkv * seqLen));
                b.add(KernelCall.builder("decoder.rope_q_backward", Kernel.ROTARY_BACKWARD).state(dq).constant(rope[0]).constant(rope[1])
                        .input(positions).constant(RotaryKernels.dims(n, nh * d, 0, nh, d)).over(n * nh * d / 2));
                b.add(KernelCall.builder("decoder.rope_k_backward", Kernel.ROTARY_BACKWARD).state(dk).constant(rope[0]).constant(rope[1])
                        .input(positions).constant(RotaryKernels.dims(n, nkv * d, 0, nkv, d)).over(n * nkv * d / 2));
                if (qkNorm) {
                    int wq = offset(pre + "self_attn.q_norm.weight");
                    int wk = offset(pre + "self_attn.k_norm.weight");
                    b.add(normBackward("decoder.q_norm_dx", dq0, dq, q0[l], qRstd[l], n * nh, d, wq, normFlags));
                    if (computes(pre + "self_attn.q_norm.weight")) {
                        b.add(normParams("decoder.q_norm_dw", dq, q0[l], qRstd[l], n * nh, d, wq));
                    }
                    b.add(normBackward("decoder.k_norm_dx", dk0, dk, k0[l], kRstd[l], n * nkv, d, wk, normFlags));
                    if (computes(pre + "self_attn.k_norm.weight")) {
                        b.add(normParams("decoder.k_norm_dw", dk, k0[l], kRstd[l], n * nkv, d, wk));
                    }
                }
                b.add(nn("decoder.q_proj_dx", dX, dq0, n, nh * d, h, offset(pre + "self_attn.q_proj.weight"), false));
                b.add(nn("decoder.k_proj_dx", dX, dk0, n, nkv * d, h, offset(pre + "self_attn.k_proj.weight"), true));
                b.add(nn("decoder.v_proj_dx", dX, dv, n, nkv * d, h, offset(pre + "self_attn.v_proj.weight"), true));
                weightGradient(b, "decoder.q_proj_dw", pre + "self_attn.q_proj.weight", dq0, x1[l], n, nh * d, h);
                weightGradient(b, "decoder.k_proj_dw", pre + "self_attn.k_proj.weight", dk0, x1[l], n, nkv * d, h);
                weightGradient(b, "decoder.v_proj_dw", pre + "self_attn.v_proj.weight", dv, x1[l], n, nkv * d, h);
                if (config.qkvBias()) {
                    String[] biases = {"q_proj", "k_proj", "v_proj"};
                    float[][] grads = {dq0, dk0, dv};
                    int[] widths = {nh * d, nkv * d, nkv * d};
                    for (int i = 0; i < 3; i++) {
                        if (computes(pre + "self_attn." + biases[i] + ".bias")) {
                            b.add(columnSum("decoder." + biases[i] + "_db", grads[i], n, widths[i], offset(pre + "self_attn." + biases[i] + ".bias")));
                        }
                    }
                }
                int wIn = offset(pre + "input_layernorm.weight");
                b.add(normBackward("decoder.input_norm_dx", dRes, dX, residual[l], rstd1[l], n, h, wIn, normFlags | RmsNormKernels.F_ACCUMULATE));
                if (computes(pre + "input_layernorm.weight")) {
                    b.add(normParams("decoder.input_norm_dw", dX, residual[l], rstd1[l], n, h, wIn));
                }
            }
            if (computes("model.embed_tokens.weight")) {
                b.add(KernelCall.builder("decoder.embedding_backward", Kernel.TOKEN_EMBEDDING_BACKWARD).state(g).input(dRes).input(tokens)
                        .constant(embedScale).constant(embedDims).over(h));
            }
            KernelProgram.Builder bp = KernelProgram.builder("decoder.backward").input(dlogp).input(targets);
            if (computes("model.embed_tokens.weight")) { // a frozen embedding needs no token ids
                bp.input(tokens);
            }
            b.forEach(bp::call);
            backward = backend.prepare(bp.build());
        }

        void release() {
            backend.release(forward);
            if (backward != null) {
                backend.release(backward);
            }
        }

        private String mlpNorm() {
            return gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight";
        }

        private int[] attentionDims(int layer) {
            return GroupedAttentionKernels.dims(batch, seqLen, config.heads(), config.kvHeads(), config.headDim(),
                    config.slidingLayers().get(layer) ? config.slidingWindow() : 0);
        }

        private KernelCall norm(String task, float[] out, float[] rstd, float[] x, int rows, int c, int w, float[] eps, int flags) {
            return KernelCall.builder(task, Kernel.RMS_NORM_FORWARD).output(out).output(rstd).input(x).state(parameters)
                    .constant(eps).constant(RmsNormKernels.dims(rows, c, w, flags)).over(rows);
        }

        private KernelCall normBackward(String task, float[] dx, float[] dy, float[] x, float[] rstd, int rows, int c, int w, int flags) {
            KernelCall.Builder builder = KernelCall.builder(task, Kernel.RMS_NORM_BACKWARD_INPUT);
            builder = (flags & RmsNormKernels.F_ACCUMULATE) != 0 ? builder.state(dx) : builder.output(dx);
            return builder.input(dy).input(x).input(rstd).input(parameters).constant(RmsNormKernels.dims(rows, c, w, flags)).over(rows);
        }

        private KernelCall normParams(String task, float[] dy, float[] x, float[] rstd, int rows, int c, int w) {
            return KernelCall.builder(task, Kernel.RMS_NORM_BACKWARD_PARAMS).state(gradients).input(dy).input(x).input(rstd)
                    .constant(RmsNormKernels.dims(rows, c, w, 0)).over(c);
        }

        /** {@code out = x · Wᵀ (+ b)} with the weight (and bias) of the HF Linear {@code name} in the flat buffer. */
        private KernelCall linear(String task, float[] out, float[] x, int m, int k, int n, String name) {
            return linearCall(task, out, x, m, k, n, name);
        }

        /** The input gradient of a Linear: {@code dx (m, n) (+)= dy (m, k) · W (k, n)}. */
        private KernelCall nn(String task, float[] dx, float[] dy, int m, int k, int n, int w, boolean accumulate) {
            return MatmulCalls.nn(task, dx, dy, parameters, noBias,
                    MatmulKernels.dims(m, k, n, 0, 0, w, 0, accumulate ? MatmulKernels.F_ACCUMULATE : 0));
        }

        /** The weight gradient of a Linear: {@code dW (k, n) += dy (m, k)ᵀ · x (m, n)}, into the gradient buffer. */
        private KernelCall tn(String task, float[] dy, float[] x, int m, int k, int n, int w) {
            return MatmulCalls.tn(task, gradients, dy, x, MatmulKernels.dims(m, k, n, w, 0, 0, 0, MatmulKernels.F_ACCUMULATE));
        }

        /** {@link #tn} restricted to the active blocks {@code blocks} ({@code BlockSparseMatmulKernels}). */
        private KernelCall blockSparseTn(String task, float[] dy, float[] x, int m, int k, int n, int w, int[] blocks) {
            return MatmulCalls.blockSparseTn(task, gradients, dy, x, blocks,
                    MatmulKernels.dims(m, k, n, w, 0, 0, 0, MatmulKernels.F_ACCUMULATE));
        }

        /** The weight gradient of the HF weight {@code name} (k, n) as the gradient mask allows, added to {@code calls}. */
        private void weightGradient(List<KernelCall> calls, String task, String name, float[] dy, float[] x, int m, int k, int n) {
            GradientMask.TensorGradient plan = gradientMask == null ? null : gradientMask.of(name);
            if (plan == null || plan.kind() == GradientMask.Kind.DENSE) {
                calls.add(tn(task, dy, x, m, k, n, offset(name)));
            } else if (plan.kind() == GradientMask.Kind.BLOCKS) {
                calls.add(blockSparseTn(task, dy, x, m, k, n, offset(name), plan.blocks()));
            }
        }

        /** Whether the gradient of the 1-D tensor {@code name} is computed. */
        private boolean computes(String name) {
            return gradientMask == null || gradientMask.computes(name);
        }

        /** The fused gate/up weight gradient ((2I, h) from gate_proj's offset) as the gradient mask allows. */
        private void gateUpGradient(List<KernelCall> calls, String pre, float[] dGu, float[] x2, int m, int inter, int h) {
            String gate = pre + "mlp.gate_proj.weight";
            String up = pre + "mlp.up_proj.weight";
            if (gradientMask == null) {
                calls.add(tn("decoder.gate_up_dw", dGu, x2, m, 2 * inter, h, offset(gate)));
                return;
            }
            var g = gradientMask.of(gate);
            var u = gradientMask.of(up);
            var dense = GradientMask.Kind.DENSE;
            var frozen = GradientMask.Kind.FROZEN;
            if (g.kind() == frozen && u.kind() == frozen) {
                return;
            }
            int[] shape = gradientMask.blockShape();
            if (g.kind() == dense || u.kind() == dense || inter % shape[0] != 0) {
                calls.add(tn("decoder.gate_up_dw", dGu, x2, m, 2 * inter, h, offset(gate)));
                return;
            }
            List<Integer> rows = new ArrayList<>();
            List<Integer> cols = new ArrayList<>();
            collect(g, 0, rows, cols);
            collect(u, inter / shape[0], rows, cols);
            int[] blocks = org.rlcasino.kernels.BlockSparseMatmulKernels.blocks(2 * inter, h, shape[0], shape[1],
                    rows.stream().mapToInt(Integer::intValue).toArray(), cols.stream().mapToInt(Integer::intValue).toArray());
            calls.add(blockSparseTn("decoder.gate_up_dw", dGu, x2, m, 2 * inter, h, offset(gate), blocks));
        }

        private static void collect(GradientMask.TensorGradient plan, int rowShift, List<Integer> rows,
                                    List<Integer> cols) {
            if (plan.kind() != GradientMask.Kind.BLOCKS) {
                return;
            }
            int[] b = plan.blocks();
            int nb = b[org.rlcasino.kernels.BlockSparseMatmulKernels.B_COUNT];
            for (int q = 0; q < nb; q++) {
                rows.add(b[org.rlcasino.kernels.BlockSparseMatmulKernels.B_FIRST + 2 * q] + rowShift);
                cols.add(b[org.rlcasino.kernels.BlockSparseMatmulKernels.B_FIRST + 2 * q + 1]);
            }
        }

        private KernelCall columnSum(String task, float[] dy, int m, int n, int bias) {
            return MatmulCalls.columnSum(task, gradients, dy, MatmulKernels.dims(m, 0, n, bias, 0, 0, 0, MatmulKernels.F_ACCUMULATE));
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
     * From now on the backward computes weight gradients only where {@code mask} says (as GPT-2's
     * mask-aware backward): a frozen tensor gets none, a block-masked 2-D weight only its active
     * blocks (block-sparse dW, bit-identical to the dense product at those entries); input gradients
     * stay dense. The fused gate/up product is block-sparse when neither tensor is dense (the up
     * projection's blocks shifted by I/br block rows; I a multiple of br), dense when either is, and
     * skipped when both are frozen. Null restores the dense backward.
     */
    @Override
    public void restrictGradients(GradientMask mask) {
        this.gradientMask = mask == null || mask.isDense() ? null : mask;
        releaseShapes(); // the next forward prepares programs with the new backward
    }

    @Override
    public GradientMask gradientMask() {
        return gradientMask;
    }

    @Override
    public void logProbTemperature(double temperature) {
        float[] s = LogProbKernels.inverseTemperature(temperature);
        if (s[0] != inverseTemperature[0]) {
            inverseTemperature = s;
            releaseShapes(); // the next forward prepares programs with the new temperature
        }
    }

    private Shape shape(int batch, int seqLen) {
        if (seqLen > config.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + seqLen + " exceeds max_position_embeddings " + config.maxPositions());
        }
        long key = (long) batch << 32 | seqLen;
        Shape s = shapes.get(key);
        if (s == null) {
            if (shapes.size() >= MAX_SHAPES) {
                var eldest = shapes.entrySet().iterator();
                Shape evicted = eldest.next().getValue();
                eldest.remove();
                evicted.release();
                if (evicted == last) {
                    last = null;
                }
            }
            s = new Shape(batch, seqLen);
            shapes.put(key, s);
        }
        return s;
    }

    /**
     * The log-probabilities (B·T) of {@code targets} after {@code tokens} (B sequences of T,
     * row-major; each position attends causally within its own sequence; a negative target is none:
     * log-prob 0 and no gradient, as for GPT-2's padded rows). The returned array is the
     * model's own; copy it to keep it. Logits stay available ({@link #logits()}) until the next call.
     */
    @Override
    public float[] forward(int[] tokens, int[] targets, int batch, int seqLen) {
        if (batch < 1 || seqLen < 1) {
            throw new IllegalArgumentException("bad shape: batch " + batch + ", seqLen " + seqLen);
        }
        if (tokens.length != batch * seqLen || targets.length != tokens.length) {
            throw new IllegalArgumentException("expected " + batch * seqLen + " tokens and targets, got " + tokens.length + " and "
                    + targets.length);
        }
        for (int t : tokens) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException("token " + t + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        for (int t : targets) {
            if (t >= config.vocabSize()) {
                throw new IllegalArgumentException("target " + t + " is outside the vocabulary [0, " + config.vocabSize()
                        + ") (a negative target means none: log-prob 0, no gradient)");
            }
        }
        Shape s = shape(batch, seqLen);
        System.arraycopy(tokens, 0, s.tokens, 0, tokens.length);
        System.arraycopy(targets, 0, s.targets, 0, targets.length);
        s.forward.run();
        last = s;
        return s.logp;
    }

    /** The logits (B·T, V) of the last {@link #forward}. */
    @Override
    public float[] logits() {
        if (last == null) {
            throw new IllegalStateException("no forward has run");
        }
        backend.syncToHost(last.logits);
        return last.logits;
    }

    /** The logits (B·T, V) of {@code tokens} (targets: token 0 everywhere). */
    public float[] logits(int[] tokens, int batch, int seqLen) {
        forward(tokens, new int[tokens.length], batch, seqLen);
        return logits();
    }

    /**
     * The gradient of {@code Σ dlogp·logp} for the last {@link #forward}, written (not added) into
     * {@link #gradients()}: every parameter's (those of the gradient mask), in the layout's order.
     */
    @Override
    public void backward(float[] dlogp) {
        if (forwardOnly) {
            throw new IllegalStateException("this model runs forward passes only (a frozen reference): no backward");
        }
        if (last == null || dlogp.length != last.dlogp.length) {
            throw new IllegalArgumentException("backward needs one value per position of the last forward");
        }
        System.arraycopy(dlogp, 0, last.dlogp, 0, dlogp.length);
        last.backward.run();
    }

    private void releaseShapes() {
        shapes.values().forEach(Shape::release);
        shapes.clear();
        last = null;
    }

    @Override
    public void close() {
        backend.syncToHost(parameters);
        releaseShapes();
    }
}
