package org.rlcasino.train.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import org.rlcasino.kernels.AttentionKernels;
import org.rlcasino.kernels.EmbeddingKernels;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.LayerNormKernels;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.ProgramLaunch;

/**
 * Batched autoregressive generation with a KV cache: each prompt is run once, then one position
 * per step per row, attending over the cached keys and values.
 *
 * <p>Rows are left-aligned: step p feeds every unfinished row its token at position p (a prompt
 * token while the row is still in its prompt, else its last sampled token), so rows of different
 * prompt lengths share every launch; a row starts sampling once its whole prompt has been fed.
 * Every kernel computes a position exactly as the full forward pass does (same operation order),
 * so greedy generation picks the argmax of {@link GptModel#forward}'s logits bit for bit.
 *
 * <p>Not thread-safe; uses the model's live parameters (generate after the optimizer step).
 */
public final class GptGenerator {
    private final GptModel model;
    private final int maxBatch;
    private final Map<Integer, Decoder> decoders = new HashMap<>();

    /** A generator for up to {@code maxBatch} rows at once over {@code model}'s live parameters. */
    public GptGenerator(GptModel model, int maxBatch) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.model = model;
        this.maxBatch = maxBatch;
        if (model.backend().fixedShapes()) { // one shape, prepared now: every call runs maxBatch rows
            decoders.put(maxBatch, new Decoder(maxBatch));
        }
    }

    /** Releases the generator's programs on the model's backend (the model stays usable). */
    public void close() {
        decoders.values().forEach(d -> model.backend().release(d.program));
        decoders.clear();
    }

    /** The most rows one {@link #generate} call takes. */
    public int maxBatch() {
        return maxBatch;
    }

    /**
     * Continues every prompt by up to {@code maxNew} tokens; a row stops after emitting
     * {@code stopToken} (included in its output; {@code -1}: never). Prompts may differ in length;
     * prompt plus output never exceeds the model's maxSeqLen. Sampling draws from {@code rng} in
     * row order, so the same rng state gives the same outputs for any thread count.
     *
     * @return the generated tokens of each row (without the prompt)
     * @throws IllegalArgumentException for empty or too long prompts, token ids outside the
     *                                  vocabulary, more rows than maxBatch, or a negative maxNew
     */
    public int[][] generate(int[][] prompts, int maxNew, int stopToken, SamplingOptions options, RandomGenerator rng) {
        GptConfig config = model.config();
        int maxT = config.maxSeqLen();
        int v = config.vocabSize();
        if (prompts == null || prompts.length == 0 || prompts.length > maxBatch) {
            throw new IllegalArgumentException("prompts must hold 1 to maxBatch=" + maxBatch + " rows, got "
                    + (prompts == null ? "null" : prompts.length));
        }
        if (maxNew < 0) {
            throw new IllegalArgumentException("maxNew must be >= 0, got " + maxNew);
        }
        if (stopToken < -1 || stopToken >= v) {
            throw new IllegalArgumentException("stopToken must be -1 (none) or a token id in [0, " + v + "), got " + stopToken);
        }
        if (options == null) {
            throw new IllegalArgumentException("sampling options must not be null");
        }
        if (!options.greedy() && rng == null) {
            throw new IllegalArgumentException("sampling needs a random generator (rng is null)");
        }
        int rows = prompts.length;
        int[][] sequences = new int[rows][maxT];
        int[] lengths = new int[rows];
        int[] promptLengths = new int[rows];
        boolean[] active = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            int[] prompt = prompts[r];
            if (prompt == null || prompt.length == 0 || prompt.length > maxT) {
                throw new IllegalArgumentException("prompt " + r + " must hold 1 to maxSeqLen=" + maxT + " tokens, got "
                        + (prompt == null ? "null" : prompt.length));
            }
            for (int i = 0; i < prompt.length; i++) {
                if (prompt[i] < 0 || prompt[i] >= v) {
                    throw new IllegalArgumentException("prompt " + r + " token " + i + " = " + prompt[i]
                            + " is outside the vocabulary [0, " + v + ")");
                }
            }
            System.arraycopy(prompt, 0, sequences[r], 0, prompt.length);
            lengths[r] = prompt.length;
            promptLengths[r] = prompt.length;
            active[r] = maxNew > 0 && prompt.length < maxT;
        }
        // on a backend that keeps one shape, rows past the prompts ride along like finished ones
        int decoderRows = model.backend().fixedShapes() ? maxBatch : rows;
        Decoder d = decoders.computeIfAbsent(decoderRows, Decoder::new);
        for (int p = 0; anyActive(active); p++) {
            for (int r = 0; r < decoderRows; r++) {
                // finished rows ride along on a harmless token and position; their results are ignored
                boolean live = r < rows && active[r];
                d.tokens[r] = live ? sequences[r][p] : 0;
                d.positions[r] = live ? p : Math.min(p, maxT - 1);
            }
            d.program.run();
            for (int r = 0; r < rows; r++) {
                if (!active[r] || p != lengths[r] - 1) {
                    continue;
                }
                int next = pick(d.logits, r * v, v, options, rng);
                sequences[r][lengths[r]++] = next;
                int produced = lengths[r] - promptLengths[r];
                if (next == stopToken || produced == maxNew || lengths[r] == maxT) {
                    active[r] = false;
                }
            }
        }
        int[][] out = new int[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(sequences[r], promptLengths[r], lengths[r]);
        }
        return out;
    }

    private static boolean anyActive(boolean[] active) {
        for (boolean a : active) {
            if (a) {
                return true;
            }
        }
        return false;
    }

    /**
     * The next token from {@code logits[from, from+v)}: the argmax (lowest id on ties) when greedy;
     * else one draw {@code u = rng.nextDouble()} from softmax(logits / temperature) restricted to the
     * top-k tokens (ties broken by lower id), inverted by a cumulative sum in token order.
     */
    static int pick(float[] logits, int from, int v, SamplingOptions options, RandomGenerator rng) {
        if (options.greedy()) {
            int best = 0;
            for (int j = 1; j < v; j++) {
                if (logits[from + j] > logits[from + best]) {
                    best = j;
                }
            }
            return best;
        }
        boolean[] keep = new boolean[v];
        int k = options.topK();
        if (k > 0 && k < v) {
            Integer[] order = new Integer[v];
            for (int j = 0; j < v; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> {
                int c = Float.compare(logits[from + b], logits[from + a]);
                return c != 0 ? c : Integer.compare(a, b);
            });
            for (int i = 0; i < k; i++) {
                keep[order[i]] = true;
            }
        } else {
            Arrays.fill(keep, true);
        }
        double t = options.temperature();
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            if (keep[j]) {
                max = Math.max(max, logits[from + j] / t);
            }
        }
        double[] weights = new double[v];
        double sum = 0;
        for (int j = 0; j < v; j++) {
            if (keep[j]) {
                weights[j] = Math.exp(logits[from + j] / t - max);
                sum += weights[j];
            }
        }
        double u = rng.nextDouble() * sum;
        double cumulative = 0;
        int last = 0;
        for (int j = 0; j < v; j++) {
            if (keep[j]) {
                cumulative += weights[j];
                last = j;
                if (u < cumulative) {
                    return j;
                }
            }
        }
        return last;
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
