package org.rlcasino.train.family;

import java.util.ArrayList;
import java.util.List;

import org.rlcasino.io.hf.DecoderConfig;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.EmbeddingKernels;
import org.rlcasino.kernels.GatedActivationKernels;
import org.rlcasino.kernels.GroupedAttentionKernels;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.ProgramLaunch;
import org.rlcasino.kernels.RmsNormKernels;
import org.rlcasino.kernels.RotaryKernels;
import org.rlcasino.train.model.MatmulCalls;
import org.rlcasino.train.model.TokenGenerator;

/**
 * The Llama-family and Gemma 3 position program for {@link TokenGenerator}
 * ({@code generate.decoder_position}: the rows' new tokens and positions in, their logits out; the
 * KV caches stay resident): embedding (Gemma: scaled), per layer RMSNorm, q/k/v projections, q/k
 * norms, rotary embeddings at each row's position, grouped-query attention over the cache (the
 * sliding window on sliding layers), output projection, Gemma's post-attention norm, residual, MLP
 * norm, fused gate/up, SwiGLU or GeGLU, down projection, Gemma's post-feedforward norm, residual;
 * the final norm and the head. The decode step computes what a full forward computes at that
 * position (the grouped attention's decode kernel equals the forward bit for bit).
 */
public final class DecoderGenerator extends TokenGenerator {
    private final DecoderModel model;
    private final Backend backend;

    /**
     * @param maxBatch  sequences decoded together at most
     * @param maxLength the longest prompt + continuation (≤ max_position_embeddings)
     */
    public DecoderGenerator(DecoderModel model, int maxBatch, int maxLength) {
        super(model.config().vocabSize(), checkLength(model, maxLength), maxBatch, model.backend().fixedShapes());
        this.model = model;
        this.backend = model.backend();
        prepareFixedShape();
    }

    private static int checkLength(DecoderModel model, int maxLength) {
        if (maxLength < 1 || maxLength > model.config().maxPositions()) {
            throw new IllegalArgumentException("maxLength must be in [1, max_position_embeddings=" + model.config().maxPositions()
                    + "], got " + maxLength);
        }
        return maxLength;
    }

    @Override
    protected Position position(int rows) {
        Step d = new Step(rows);
        return new Position(d.tokens, d.positions, d.logits, d.step, backend);
    }

    /** One position of {@code rows} rows with its KV caches. */
    private final class Step {
        private final int[] tokens;
        private final int[] positions;
        private final float[] logits;
        private final ProgramLaunch step;

        Step(int rows) {
            int maxLength = maxLength();
            DecoderConfig c = model.config();
            int h = c.hiddenSize();
            int d = c.headDim();
            int nh = c.heads();
            int nkv = c.kvHeads();
            int inter = c.intermediateSize();
            boolean gemma = c.family().equals("gemma3_text");
            boolean qkNorm = gemma || c.family().equals("qwen3");
            float[] p = model.parameters();
            tokens = new int[rows];
            positions = new int[rows];
            logits = new float[rows * c.vocabSize()];
            float[] x = new float[rows * h];
            float[] normed = new float[rows * h];
            float[] rstd = new float[rows * nh];
            float[] q = new float[rows * nh * d];
            float[] k = new float[rows * nkv * d];
            float[] v = new float[rows * nkv * d];
            float[] qn = qkNorm ? new float[rows * nh * d] : q;
            float[] kn = qkNorm ? new float[rows * nkv * d] : k;
            float[] attended = new float[rows * nh * d];
            float[] att = new float[rows * nh * maxLength];
            float[] proj = new float[rows * h];
            float[] projNormed = new float[rows * h];
            float[] gu = new float[rows * 2 * inter];
            float[] act = new float[rows * inter];
            float[] eps = {c.rmsNormEps()};
            int flags = gemma ? RmsNormKernels.F_PLUS_ONE : 0;
            float[][] global = model.rotaryTables(c.rope(), maxLength);
            float[][] local = model.rotaryTables(c.localRope(), maxLength);
            float[] scale = {c.queryScale()};
            List<KernelCall> calls = new ArrayList<>();
            calls.add(KernelCall.builder("generate.embedding", Kernel.TOKEN_EMBEDDING_FORWARD).output(x).input(tokens).state(p)
                    .constant(new float[] {gemma ? (float) Math.sqrt(h) : 1f})
                    .constant(EmbeddingKernels.dims(rows, h, model.offset("model.embed_tokens.weight"), c.paddingToken())).over(rows));
            for (int l = 0; l < c.layers(); l++) {
                String pre = "model.layers." + l + ".";
                boolean sliding = c.slidingLayers().get(l);
                float[][] rope = sliding ? local : global;
                float[] kCache = new float[rows * maxLength * nkv * d];
                float[] vCache = new float[rows * maxLength * nkv * d];
                calls.add(model.rmsNormCall("generate.input_norm", normed, rstd, x, rows, h, pre + "input_layernorm.weight", eps, flags));
                calls.add(model.linearCall("generate.q_proj", q, normed, rows, h, nh * d, pre + "self_attn.q_proj"));
                calls.add(model.linearCall("generate.k_proj", k, normed, rows, h, nkv * d, pre + "self_attn.k_proj"));
                calls.add(model.linearCall("generate.v_proj", v, normed, rows, h, nkv * d, pre + "self_attn.v_proj"));
                if (qkNorm) {
                    calls.add(model.rmsNormCall("generate.q_norm", qn, rstd, q, rows * nh, d, pre + "self_attn.q_norm.weight", eps, flags));
                    calls.add(model.rmsNormCall("generate.k_norm", kn, rstd, k, rows * nkv, d, pre + "self_attn.k_norm.weight", eps, flags));
                }
                calls.add(KernelCall.builder("generate.rope_q", Kernel.ROTARY_FORWARD).state(qn).constant(rope[0]).constant(rope[1])
                        .input(positions).constant(RotaryKernels.dims(rows, nh * d, 0, nh, d)).over(rows * nh * d / 2));
                calls.add(KernelCall.builder("generate.rope_k", Kernel.ROTARY_FORWARD).state(kn).constant(rope[0]).constant(rope[1])
                        .input(positions).constant(RotaryKernels.dims(rows, nkv * d, 0, nkv, d)).over(rows * nkv * d / 2));
                calls.add(KernelCall.builder("generate.attention", Kernel.GROUPED_ATTENTION_DECODE).output(attended).output(att)
                        .state(kCache).state(vCache).input(qn).input(kn).input(v).input(positions).constant(scale)
                        .constant(GroupedAttentionKernels.dims(rows, maxLength, nh, nkv, d, sliding ? c.slidingWindow() : 0))
                        .over(rows * nkv));
                calls.add(model.linearCall("generate.o_proj", proj, attended, rows, nh * d, h, pre + "self_attn.o_proj"));
                float[] attnOut = proj;
                if (gemma) {
                    calls.add(model.rmsNormCall("generate.post_attention_norm", projNormed, rstd, proj, rows, h,
                            pre + "post_attention_layernorm.weight", eps, flags));
                    attnOut = projNormed;
                }
                calls.add(KernelCall.builder("generate.residual_attention", Kernel.RESIDUAL_ADD_IN_PLACE).state(x).input(attnOut)
                        .over(rows * h));
                calls.add(model.rmsNormCall("generate.mlp_norm", normed, rstd, x, rows, h,
                        pre + (gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight"), eps, flags));
                calls.add(MatmulCalls.nt("generate.gate_up", gu, normed, p, p,
                        MatmulKernels.dims(rows, h, 2 * inter, 0, 0, model.offset(pre + "mlp.gate_proj.weight"), 0, 0)));
                calls.add(KernelCall.builder("generate.glu", gemma ? Kernel.GEGLU_FORWARD : Kernel.SWIGLU_FORWARD).output(act).input(gu)
                        .constant(GatedActivationKernels.dims(rows, inter)).over(rows * inter));
                calls.add(model.linearCall("generate.down_proj", proj, act, rows, inter, h, pre + "mlp.down_proj"));
                float[] mlpOut = proj;
                if (gemma) {
                    calls.add(model.rmsNormCall("generate.post_feedforward_norm", projNormed, rstd, proj, rows, h,
                            pre + "post_feedforward_layernorm.weight", eps, flags));
                    mlpOut = projNormed;
                }
                calls.add(KernelCall.builder("generate.residual_mlp", Kernel.RESIDUAL_ADD_IN_PLACE).state(x).input(mlpOut).over(rows * h));
            }
            calls.add(model.rmsNormCall("generate.final_norm", normed, rstd, x, rows, h, "model.norm.weight", eps, flags));
            String head = c.tiedEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
            calls.add(MatmulCalls.nt("generate.head", logits, normed, p, p,
                    MatmulKernels.dims(rows, h, c.vocabSize(), 0, 0, model.offset(head), 0, 0)));
            KernelProgram.Builder program = KernelProgram.builder("generate.decoder_position").input(tokens).input(positions).output(logits);
            calls.forEach(program::call);
            step = backend.prepare(program.build());
        }

    }
}
