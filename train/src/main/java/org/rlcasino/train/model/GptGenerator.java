package org.rlcasino.train.model;

import java.util.ArrayList;
import java.util.List;

import org.rlcasino.kernels.AttentionKernels;
import org.rlcasino.kernels.EmbeddingKernels;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.LayerNormKernels;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.ProgramLaunch;

/**
 * GPT-2's position program for {@link TokenGenerator}: embedding, per layer LayerNorm, the fused
 * QKV projection, attention over the KV cache, projection, residual, LayerNorm, MLP with GELU,
 * residual; then the final LayerNorm and the tied head. Every kernel computes a position exactly
 * as {@link GptModel#forward} does (same operation order), so greedy generation picks the argmax
 * of the forward's logits bit for bit. The caches hold the model's maxSeqLen positions.
 */
public final class GptGenerator extends TokenGenerator {
    private final GptModel model;

    /** A generator for up to {@code maxBatch} rows at once over {@code model}'s live parameters. */
    public GptGenerator(GptModel model, int maxBatch) {
        super(requireModel(model).config().vocabSize(), model.config().maxSeqLen(), maxBatch, model.backend().fixedShapes());
        this.model = model;
        prepareFixedShape();
    }

    private static GptModel requireModel(GptModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        return model;
    }

    @Override
    protected Position position(int rows) {
        Decoder d = new Decoder(rows);
        return new Position(d.tokens, d.positions, d.logits, d.program, model.backend());
    }

    /** Activations, KV cache and prepared launches for one position of {@code rows} rows. */
    private final class Decoder {
        final int[] tokens;
        final int[] positions;
        final float[] logits;
        private final List<KernelCall> calls = new ArrayList<>();
        /** One position: token ids and positions go in, logits come out; the KV cache stays resident. */
        final ProgramLaunch program;

        Decoder(int rows) {
            GptConfig config = model.config();
            int c = config.channels();
            int v = config.vocabSize();
            int nh = config.numHeads();
            int maxT = config.maxSeqLen();
            int layers = config.numLayers();
            GptModel.Offsets o = model.offsets();
            float[] p = model.parameters();
            tokens = new int[rows];
            positions = new int[rows];
            logits = new float[rows * v];
            float[] x = new float[rows * c];
            float[] ln = new float[rows * c];
            float[] mean = new float[rows];
            float[] rstd = new float[rows];
            float[] qkv = new float[rows * 3 * c];
            float[] attY = new float[rows * c];
            float[] att = new float[rows * nh * maxT];
            float[] proj = new float[rows * c];
            float[] fc = new float[rows * 4 * c];
            float[] fcGelu = new float[rows * 4 * c];
            int[] attDims = AttentionKernels.dims(rows, maxT, c, nh);
            add(KernelCall.builder("generate.embedding", Kernel.EMBEDDING_FORWARD)
                    .output(x).input(tokens).input(positions).state(p)
                    .constant(EmbeddingKernels.dims(rows, c, o.wte, o.wpe)).over(rows));
            for (int l = 0; l < layers; l++) {
                float[] kCache = new float[rows * maxT * c];
                float[] vCache = new float[rows * maxT * c];
                add(layerNorm("generate.ln_1", ln, mean, rstd, x, rows, c, o.ln1W[l], o.ln1B[l]));
                add(MatmulCalls.nn("generate.c_attn", qkv, ln, p, p,
                        MatmulKernels.dims(rows, c, 3 * c, 0, 0, o.attnW[l], o.attnB[l], MatmulKernels.F_BIAS)));
                add(KernelCall.builder("generate.attention", Kernel.ATTENTION_DECODE)
                        .output(attY).output(att).state(kCache).state(vCache).input(qkv).input(positions)
                        .constant(attDims).grain(1).over(rows * nh));
                add(MatmulCalls.nn("generate.attn_proj", proj, attY, p, p,
                        MatmulKernels.dims(rows, c, c, 0, 0, o.projW[l], o.projB[l], MatmulKernels.F_BIAS)));
                add(KernelCall.builder("generate.residual_attn", Kernel.RESIDUAL_ADD_IN_PLACE)
                        .state(x).input(proj).over(rows * c));
                add(layerNorm("generate.ln_2", ln, mean, rstd, x, rows, c, o.ln2W[l], o.ln2B[l]));
                add(MatmulCalls.nn("generate.c_fc", fc, ln, p, p,
                        MatmulKernels.dims(rows, c, 4 * c, 0, 0, o.fcW[l], o.fcB[l], MatmulKernels.F_BIAS)));
                add(ActivationCalls.geluForward("generate.gelu", fcGelu, fc, rows * 4 * c));
                add(MatmulCalls.nn("generate.mlp_proj", proj, fcGelu, p, p,
                        MatmulKernels.dims(rows, 4 * c, c, 0, 0, o.fcProjW[l], o.fcProjB[l], MatmulKernels.F_BIAS)));
                add(KernelCall.builder("generate.residual_mlp", Kernel.RESIDUAL_ADD_IN_PLACE)
                        .state(x).input(proj).over(rows * c));
            }
            add(layerNorm("generate.ln_f", ln, mean, rstd, x, rows, c, o.lnfW, o.lnfB));
            add(MatmulCalls.nt("generate.head", logits, ln, p, p, MatmulKernels.dims(rows, c, v, 0, 0, o.wte, 0, 0)));
            KernelProgram.Builder b = KernelProgram.builder("generate.position").input(tokens).input(positions).output(logits);
            calls.forEach(b::call);
            program = model.backend().prepare(b.build());
        }


        private void add(KernelCall call) {
            calls.add(call);
        }

        private KernelCall layerNorm(String task, float[] out, float[] mean, float[] rstd, float[] x, int rows, int c,
                                     int w, int b) {
            return KernelCall.builder(task, Kernel.LAYER_NORM_FORWARD)
                    .output(out).output(mean).output(rstd).input(x).state(model.parameters())
                    .constant(LayerNormKernels.dims(rows, c, w, b, 0)).grain(GptModel.rowGrain(3L * c)).over(rows);
        }
    }
}
