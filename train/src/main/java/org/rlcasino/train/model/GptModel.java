package org.rlcasino.train.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.rlcasino.kernels.AttentionKernels;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.EmbeddingKernels;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelLaunch;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.LayerNormKernels;
import org.rlcasino.kernels.LogProbKernels;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.ProgramLaunch;
import org.rlcasino.kernels.jvm.VectorAttentionKernels;

/**
 * GPT-2 with all parameters in one flat buffer addressed through named views ({@link GptConfig#layout()}),
 * gradients likewise; forward and backward run as kernels through a {@link Backend}.
 *
 * <p>Activations are preallocated per (batch, seqLen) shape, and the kernel launches of a shape are
 * prepared once and reused (on TornadoVM that is one compiled task graph per launch); the most
 * recently used {@value #MAX_SHAPES} shapes are kept. Per position, the forward pass computes
 * (B = batch, T = seqLen, C = channels, V = vocabulary, letters as in llm.c):
 * <pre>
 *   x = wte[token] + wpe[t]                                       (B·T, C)
 *   per block: x = x + attn(ln_1(x)) ; x = x + mlp(ln_2(x))       (B·T, C)
 *   logits = ln_f(x) · wteᵀ                                       (B·T, V)  tied head
 *   logp = z[target] − logsumexp(z), z = logits / τ (τ = 1 unless set) (B·T)
 * </pre>
 * and the backward pass runs the same chain in reverse, adding every parameter gradient into
 * {@link #gradients()}. Every kernel is deterministic, so results do not depend on the backend's
 * thread count.
 *
 * <p>Not thread-safe: one forward/backward at a time.
 */
public final class GptModel implements LanguageModel {
    /** Activation shapes kept prepared at once. */
    static final int MAX_SHAPES = 4;

    private final GptConfig config;
    private final Backend backend;
    private final ParameterLayout layout;
    private final float[] parameters;
    private final float[] gradients;
    private final Offsets offsets;
    private final ProgramLaunch zeroGradients;
    private final Map<Long, Workspace> workspaces = new LinkedHashMap<>(8, 0.75f, true);
    private Workspace last;
    private boolean backwardReady;
    /** Which parameter gradients the backward computes; null = all (the dense path). */
    private GradientMask gradientMask;
    private float[] inverseTemperature = LogProbKernels.inverseTemperature(1);
    /** With {@link #timeBackward}: nanoseconds in {input-gradient, parameter-gradient} launches; else null. */
    private long[] backwardSplit;
    /**
     * Bytes of the activation buffers one batch shape allocates (what {@code prepare(batch, seqLen)}
     * adds to the heap): per layer the residual stream, LayerNorm outputs and statistics, QKV,
     * attention output and (B, NH, T, T) probabilities, MLP pre- and post-activation; the head's
     * logits; with {@code backward}, the gradient buffers of one layer and the head.
     */
    public static long activationBytes(GptConfig config, int batch, int seqLen, boolean backward) {
        long n = (long) batch * seqLen;
        long c = config.channels();
        long v = config.vocabSize();
        long layers = config.numLayers();
        long att = (long) batch * config.numHeads() * seqLen * seqLen;
        long floats = (layers + 1) * n * c                       // residual
                + layers * (n * c + 2 * n + 3 * n * c + n * c + att + n * c + 2 * n + 8 * n * c) // per layer
                + n * c + n * c + 2 * n + n * v + 2 * n;         // projOut, lnf (+ stats), logits, lse, logp
        if (backward) {
            floats += n + n * v + 3 * n * c + 4 * n * c + 3 * n * c + att;
        }
        return 4 * floats + 3L * 4 * n;                          // + tokens, targets, positions
    }

    /** Forward passes only: no backward program is prepared ({@link #forwardOnly()}). */
    private boolean forwardOnly;

    public GptModel(GptConfig config, Backend backend) {
        if (config == null || backend == null) {
            throw new IllegalArgumentException("config and backend must not be null");
        }
        this.config = config;
        this.backend = backend;
        this.layout = config.layout();
        this.parameters = new float[layout.totalSize()];
        this.gradients = new float[layout.totalSize()];
        this.offsets = new Offsets(layout, config.numLayers());
        this.zeroGradients = backend.prepare(KernelProgram.builder("gpt.zero_grad")
                .call(KernelCall.builder("gpt.zero_grad", Kernel.ZERO).state(gradients).over(gradients.length)).build());
    }

    public GptConfig config() {
        return config;
    }

    @Override
    public GptConfig architecture() {
        return config;
    }

    /** A {@link GptGenerator}; its caches hold maxSeqLen positions ({@code maxLength} is checked against it). */
    @Override
    public GptGenerator generator(int maxBatch, int maxLength) {
        if (maxLength > config.maxSeqLen()) {
            throw new IllegalArgumentException("maxLength " + maxLength + " exceeds maxSeqLen " + config.maxSeqLen());
        }
        return new GptGenerator(this, maxBatch);
    }

    public Backend backend() {
        return backend;
    }

    /** Names, shapes and offsets of the tensors in {@link #parameters()} and {@link #gradients()}. */
    @Override
    public ParameterLayout layout() {
        return layout;
    }

    /**
     * The flat parameter buffer (live; the optimizer updates it in place). On a device backend the
     * device holds the current values between steps: read them through {@link #parametersOnHost()},
     * and after writing this array call {@link #parametersWritten()}.
     */
    public float[] parameters() {
        return parameters;
    }

    /** {@link #parameters()} made current on the host (copied back from a device backend). */
    public float[] parametersOnHost() {
        backend.syncToHost(parameters);
        return parameters;
    }

    /** Announces that the host wrote {@link #parameters()} (loaded a checkpoint, copied weights in). */
    public void parametersWritten() {
        backend.syncToDevice(parameters);
    }

    /** The flat gradient buffer, same layout; {@link #backward} adds into it (see {@link #gradientsOnHost()}). */
    public float[] gradients() {
        return gradients;
    }

    /** {@link #gradients()} made current on the host (copied back from a device backend). */
    public float[] gradientsOnHost() {
        backend.syncToHost(gradients);
        return gradients;
    }

    /**
     * Marks this model as one that only ever runs forward passes (a frozen reference): batch shapes
     * prepared from now on get no backward program, so a device keeps fewer arrays (its activations
     * stay inside the forward's graphs). {@link #backward} then throws.
     */
    public void forwardOnly() {
        if (!workspaces.isEmpty()) {
            throw new IllegalStateException("forwardOnly() must come before the first prepare or forward");
        }
        forwardOnly = true;
    }

    /**
     * Prepares the programs of a (batch, seqLen) shape now rather than at its first forward, so that
     * a device backend compiles every program of a run together (before its first step).
     */
    public void prepare(int batch, int seqLen) {
        if (batch < 1 || seqLen < 1 || seqLen > config.maxSeqLen()) {
            throw new IllegalArgumentException("bad shape: batch " + batch + ", seqLen " + seqLen);
        }
        workspace(batch, seqLen);
    }

    /** Offsets of every tensor in the flat buffers. */
    Offsets offsets() {
        return offsets;
    }

    /**
     * GPT-2 initialisation from {@code seed}: N(0, 0.02) weights, residual projections
     * ({@code attn.c_proj.weight}, {@code mlp.c_proj.weight}) N(0, 0.02/sqrt(2L)), zero biases, unit
     * LayerNorm weights. Tensors are drawn in layout order from one {@link SplittableRandom}, so the
     * same seed always gives the same weights.
     */
    @Override
    public void initialize(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double projStd = 0.02 / Math.sqrt(2.0 * config.numLayers());
        for (var t : layout.tensors()) {
            String name = t.name();
            int from = t.offset();
            int to = from + t.size();
            if (name.endsWith(".bias")) {
                Arrays.fill(parameters, from, to, 0f);
            } else if (name.startsWith("ln_f.") || name.contains(".ln_1.") || name.contains(".ln_2.")) {
                Arrays.fill(parameters, from, to, 1f);
            } else {
                double std = name.endsWith("c_proj.weight") ? projStd : 0.02;
                for (int i = from; i < to; i++) {
                    parameters[i] = (float) (random.nextGaussian() * std);
                }
            }
        }
        backwardReady = false;
        parametersWritten();
    }

    /**
     * Restricts the backward pass to the gradients a sparse optimizer reads ({@link GradientMask}),
     * or lifts the restriction ({@code null}: the dense backward). Gradients outside the mask are not
     * written (they keep whatever {@link #zeroGradients()} left); gradients inside it are bit-identical
     * to the dense backward's. Prepared launches are rebuilt at the next forward.
     */
    public void restrictGradients(GradientMask mask) {
        gradientMask = mask == null || mask.isDense() ? null : mask;
        releaseShapes();
    }

    /** Releases the prepared programs of every shape: the next forward prepares them again. */
    private void releaseShapes() {
        workspaces.values().forEach(Workspace::release);
        workspaces.clear();
        last = null;
        backwardReady = false;
    }

    /** The backward's gradient mask, or null when it computes every gradient. */
    public GradientMask gradientMask() {
        return gradientMask;
    }

    @Override
    public void logProbTemperature(double temperature) {
        float[] s = LogProbKernels.inverseTemperature(temperature);
        if (s[0] != inverseTemperature[0]) {
            inverseTemperature = s;
            releaseShapes();
        }
    }

    /** Sets every gradient to 0 (a kernel: on a device backend the gradients never leave the device). */
    public void zeroGradients() {
        zeroGradients.run();
    }

    /**
     * Runs the model on {@code batch} rows of {@code seqLen} tokens and returns, per position, the
     * log-probability of {@code targets[b*seqLen+t]} (0 where the target is negative: ignored).
     * The returned array and the activations stay valid until the next forward.
     *
     * @throws IllegalArgumentException for a bad shape, array length or token id
     */
    public float[] forward(int[] tokens, int[] targets, int batch, int seqLen) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (seqLen < 1 || seqLen > config.maxSeqLen()) {
            throw new IllegalArgumentException("seqLen must be in [1, maxSeqLen=" + config.maxSeqLen() + "], got " + seqLen);
        }
        long n = (long) batch * seqLen;
        long attention = (long) batch * config.numHeads() * seqLen * seqLen;
        if (n * Math.max(config.vocabSize(), 4L * config.channels()) > Integer.MAX_VALUE - 8
                || attention > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch " + batch + " × seqLen " + seqLen + " is too large for one forward");
        }
        if (tokens == null || tokens.length != n) {
            throw new IllegalArgumentException("tokens must have batch·seqLen = " + n + " entries, got "
                    + (tokens == null ? "null" : tokens.length));
        }
        if (targets == null || targets.length != n) {
            throw new IllegalArgumentException("targets must have batch·seqLen = " + n + " entries, got "
                    + (targets == null ? "null" : targets.length));
        }
        int v = config.vocabSize();
        for (int i = 0; i < n; i++) {
            if (tokens[i] < 0 || tokens[i] >= v) {
                throw new IllegalArgumentException("tokens[" + i + "] = " + tokens[i] + " is outside the vocabulary [0, " + v + ")");
            }
            if (targets[i] >= v) {
                throw new IllegalArgumentException("targets[" + i + "] = " + targets[i] + " is outside the vocabulary [0, "
                        + v + ") (negative = ignored)");
            }
        }
        Workspace w = workspace(batch, seqLen);
        System.arraycopy(tokens, 0, w.tokens, 0, tokens.length);
        for (int i = 0; i < n; i++) {
            w.targets[i] = targets[i] < 0 ? -1 : targets[i];
        }
        w.forwardProgram.run();
        last = w;
        backwardReady = true;
        return w.logp;
    }

    /** Logits of the last forward, (batch·seqLen·V), copied back from a device backend. */
    public float[] logits() {
        if (last == null) {
            throw new IllegalStateException("logits() before any forward");
        }
        backend.syncToHost(last.logits);
        return last.logits;
    }

    /** (batch, seqLen) of the last forward. */
    public int[] lastShape() {
        if (last == null) {
            throw new IllegalStateException("no forward yet");
        }
        return new int[] {last.batch, last.seqLen};
    }

    /**
     * Back-propagates {@code dLogProbs} (dLoss/d log p(target), one per position of the last
     * forward; 0 where ignored) and adds the parameter gradients into {@link #gradients()}.
     */
    public void backward(float[] dLogProbs) {
        if (forwardOnly) {
            throw new IllegalStateException("this model runs forward passes only (a frozen reference): no backward");
        }
        if (last == null || !backwardReady) {
            throw new IllegalStateException("backward needs a forward with the current parameters first");
        }
        Workspace w = last;
        if (dLogProbs == null || dLogProbs.length != w.dlogp.length) {
            throw new IllegalArgumentException("dLogProbs must have one entry per position of the last forward ("
                    + w.dlogp.length + "), got " + (dLogProbs == null ? "null" : dLogProbs.length));
        }
        System.arraycopy(dLogProbs, 0, w.dlogp, 0, dLogProbs.length);
        if (backwardSplit == null) {
            w.backwardProgram.run();
            return;
        }
        List<KernelLaunch> launches = w.separateBackwardLaunches();
        for (int i = 0; i < launches.size(); i++) {
            long t0 = System.nanoTime();
            launches.get(i).launch();
            backwardSplit[w.parameterGradient.get(i) ? 1 : 0] += System.nanoTime() - t0;
        }
    }

    /**
     * Starts (or, with {@code false}, stops) timing the backward's launches in two sums: those that
     * write input gradients (dX: the chain to lower layers) and those that write parameter gradients
     * (dW, bias, LayerNorm and embedding gradients). One {@code nanoTime} pair per launch; off by default.
     * The backward then launches its calls one by one, which only a host backend can (on a device the
     * program runs as one graph); a device backend refuses.
     */
    public void timeBackward(boolean on) {
        backwardSplit = on ? new long[2] : null;
    }

    /** Nanoseconds spent so far in {input-gradient, parameter-gradient} launches since {@link #timeBackward}; null when off. */
    public long[] backwardSplitNanos() {
        return backwardSplit == null ? null : backwardSplit.clone();
    }

    /** Releases the model's programs on its backend (on a device: copies the parameters back, frees the buffers). */
    @Override
    public void close() {
        backend.syncToHost(parameters);
        workspaces.values().forEach(Workspace::release);
        workspaces.clear();
        backend.release(zeroGradients);
        last = null;
    }

    private Workspace workspace(int batch, int seqLen) {
        long key = ((long) batch << 32) | seqLen;
        Workspace w = workspaces.get(key);
        if (w == null) {
            if (workspaces.size() >= MAX_SHAPES) {
                Long eldest = workspaces.keySet().iterator().next();
                if (last != null && workspaces.get(eldest) == last) {
                    last = null;
                }
                workspaces.remove(eldest).release();
            }
            w = new Workspace(batch, seqLen);
            workspaces.put(key, w);
        }
        return w;
    }

    /** Element offsets of the model's tensors in the flat buffers. */
    static final class Offsets {
        final int wte;
        final int wpe;
        final int lnfW;
        final int lnfB;
        final int[] ln1W;
        final int[] ln1B;
        final int[] attnW;
        final int[] attnB;
        final int[] projW;
        final int[] projB;
        final int[] ln2W;
        final int[] ln2B;
        final int[] fcW;
        final int[] fcB;
        final int[] fcProjW;
        final int[] fcProjB;

        Offsets(ParameterLayout layout, int layers) {
            wte = layout.tensor("wte.weight").offset();
            wpe = layout.tensor("wpe.weight").offset();
            lnfW = layout.tensor("ln_f.weight").offset();
            lnfB = layout.tensor("ln_f.bias").offset();
            ln1W = new int[layers];
            ln1B = new int[layers];
            attnW = new int[layers];
            attnB = new int[layers];
            projW = new int[layers];
            projB = new int[layers];
            ln2W = new int[layers];
            ln2B = new int[layers];
            fcW = new int[layers];
            fcB = new int[layers];
            fcProjW = new int[layers];
            fcProjB = new int[layers];
            for (int l = 0; l < layers; l++) {
                String h = "h." + l + ".";
                ln1W[l] = layout.tensor(h + "ln_1.weight").offset();
                ln1B[l] = layout.tensor(h + "ln_1.bias").offset();
                attnW[l] = layout.tensor(h + "attn.c_attn.weight").offset();
                attnB[l] = layout.tensor(h + "attn.c_attn.bias").offset();
                projW[l] = layout.tensor(h + "attn.c_proj.weight").offset();
                projB[l] = layout.tensor(h + "attn.c_proj.bias").offset();
                ln2W[l] = layout.tensor(h + "ln_2.weight").offset();
                ln2B[l] = layout.tensor(h + "ln_2.bias").offset();
                fcW[l] = layout.tensor(h + "mlp.c_fc.weight").offset();
                fcB[l] = layout.tensor(h + "mlp.c_fc.bias").offset();
                fcProjW[l] = layout.tensor(h + "mlp.c_proj.weight").offset();
                fcProjB[l] = layout.tensor(h + "mlp.c_proj.bias").offset();
            }
        }
    }

    /** Rows per JVM chunk for a kernel whose iterations each cost about {@code work} operations. */
    static int rowGrain(long work) {
        return (int) Math.max(1, Math.min(1 << 14, (1L << 15) / Math.max(1, work)));
    }

    /** Activations, gradients of activations and prepared launches for one (batch, seqLen). */
    private final class Workspace {
        final int batch;
        final int seqLen;
        final int[] tokens;
        final int[] targets;
        final int[] positions;
        // forward activations; shapes with N = batch·seqLen
        final float[][] residual;   // L+1 × (N, C): block inputs, then the final stream
        final float[][] residualMid; // L × (N, C): after the attention residual
        final float[][] ln1;        // L × (N, C)
        final float[][] ln1Mean;    // L × (N)
        final float[][] ln1Rstd;    // L × (N)
        final float[][] qkv;        // L × (N, 3C)
        final float[][] attY;       // L × (N, C)
        final float[][] att;        // L × (B, NH, T, T)
        final float[][] ln2;        // L × (N, C)
        final float[][] ln2Mean;    // L × (N)
        final float[][] ln2Rstd;    // L × (N)
        final float[][] fc;         // L × (N, 4C)
        final float[][] fcGelu;     // L × (N, 4C)
        final float[] projOut;      // (N, C) scratch: a projection before its residual add
        final float[] lnf;          // (N, C)
        final float[] lnfMean;      // (N)
        final float[] lnfRstd;      // (N)
        final float[] logits;       // (N, V)
        final float[] lse;          // (N)
        final float[] logp;         // (N)
        // backward
        final float[] dlogp;        // (N)
        final float[] dlogits;      // (N, V)
        final float[] dlnf;         // (N, C)
        final float[] dresidual;    // (N, C) gradient of the residual stream
        final float[] dtmp;         // (N, C)
        final float[] dfc;          // (N, 4C)
        final float[] dqkv;         // (N, 3C)
        final float[] datt;         // (B, NH, T, T)
        final List<KernelCall> forward = new ArrayList<>();
        final List<KernelCall> backward = new ArrayList<>();
        /** Per call of {@link #backward}: whether it writes parameter gradients (else input gradients). */
        final List<Boolean> parameterGradient = new ArrayList<>();
        final ProgramLaunch forwardProgram;
        final ProgramLaunch backwardProgram;
        private List<KernelLaunch> separateBackward;

        Workspace(int batch, int seqLen) {
            this.batch = batch;
            this.seqLen = seqLen;
            int n = batch * seqLen;
            int c = config.channels();
            int v = config.vocabSize();
            int nh = config.numHeads();
            int layers = config.numLayers();
            int attSize = batch * nh * seqLen * seqLen;
            tokens = new int[n];
            targets = new int[n];
            positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = i % seqLen;
            }
            residual = new float[layers + 1][n * c];
            residualMid = new float[layers][n * c];
            ln1 = new float[layers][n * c];
            ln1Mean = new float[layers][n];
            ln1Rstd = new float[layers][n];
            qkv = new float[layers][n * 3 * c];
            attY = new float[layers][n * c];
            att = new float[layers][attSize];
            ln2 = new float[layers][n * c];
            ln2Mean = new float[layers][n];
            ln2Rstd = new float[layers][n];
            fc = new float[layers][n * 4 * c];
            fcGelu = new float[layers][n * 4 * c];
            projOut = new float[n * c];
            lnf = new float[n * c];
            lnfMean = new float[n];
            lnfRstd = new float[n];
            logits = new float[n * v];
            lse = new float[n];
            logp = new float[n];
            // a forward-only model (a frozen reference) needs none of the backward's buffers or calls
            int g = forwardOnly ? 0 : 1;
            dlogp = new float[g * n];
            dlogits = new float[g * n * v];
            dlnf = new float[g * n * c];
            dresidual = new float[g * n * c];
            dtmp = new float[g * n * c];
            dfc = new float[g * n * 4 * c];
            dqkv = new float[g * n * 3 * c];
            datt = new float[g * attSize];
            prepareForward(n, c, v, nh, layers);
            // per step only token ids and targets go in, log-probs come out; dlogp goes in for the backward
            KernelProgram.Builder f = KernelProgram.builder("gpt.forward").input(tokens).input(targets).output(logp);
            forward.forEach(f::call);
            forwardProgram = backend.prepare(f.build());
            if (forwardOnly) {
                backwardProgram = null;
                return;
            }
            prepareBackward(n, c, v, nh, layers);
            KernelProgram.Builder b = KernelProgram.builder("gpt.backward").input(dlogp).input(targets);
            if (backward.stream().anyMatch(call -> call.kernel() == Kernel.EMBEDDING_BACKWARD)) {
                b.input(tokens);
            }
            backward.forEach(b::call);
            backwardProgram = backend.prepare(b.build());
        }

        void release() {
            backend.release(forwardProgram);
            if (backwardProgram != null) {
                backend.release(backwardProgram);
            }
        }

        /** The backward's calls launched one by one (for {@link #timeBackward}); host backends only. */
        List<KernelLaunch> separateBackwardLaunches() {
            if (separateBackward == null) {
                separateBackward = new ArrayList<>();
                for (KernelCall call : backward) {
                    separateBackward.add(backend.prepare(call));
                }
            }
            return separateBackward;
        }

        private void add(List<KernelCall> list, KernelCall call) {
            list.add(call);
            if (list == backward) {
                parameterGradient.add(false);
            }
        }

        /** A backward call that writes parameter gradients (weight, bias, LayerNorm or embedding). */
        private void addParameterGradient(KernelCall call) {
            backward.add(call);
            parameterGradient.add(true);
        }

        private void prepareForward(int n, int c, int v, int nh, int layers) {
            float[] p = parameters;
            Offsets o = offsets;
            add(forward, KernelCall.builder("gpt.embedding", Kernel.EMBEDDING_FORWARD)
                    .output(residual[0]).input(tokens).constant(positions).state(p)
                    .constant(EmbeddingKernels.dims(n, c, o.wte, o.wpe)).grain(rowGrain(c)).over(n));
            int[] attDims = AttentionKernels.dims(batch, seqLen, c, nh);
            for (int l = 0; l < layers; l++) {
                add(forward, layerNorm("gpt.ln_1", ln1[l], ln1Mean[l], ln1Rstd[l], residual[l], n, c, o.ln1W[l], o.ln1B[l]));
                add(forward, MatmulCalls.nn("gpt.c_attn", qkv[l], ln1[l], p, p,
                        MatmulKernels.dims(n, c, 3 * c, 0, 0, o.attnW[l], o.attnB[l], MatmulKernels.F_BIAS)));
                float[] y = attY[l];
                float[] probs = att[l];
                float[] proj = qkv[l];
                add(forward, KernelCall.builder("gpt.attention", Kernel.ATTENTION_FORWARD)
                        .output(y).output(probs).input(proj).constant(attDims)
                        .jvmFastPath((offset, count) -> VectorAttentionKernels.attentionForward(y, probs, proj, attDims,
                                offset, count))
                        .grain(rowGrain((long) seqLen * c / nh)).over(batch * nh * seqLen));
                add(forward, MatmulCalls.nn("gpt.attn_proj", projOut, attY[l], p, p,
                        MatmulKernels.dims(n, c, c, 0, 0, o.projW[l], o.projB[l], MatmulKernels.F_BIAS)));
                add(forward, residualAdd("gpt.residual_attn", residualMid[l], residual[l], projOut, n * c));
                add(forward, layerNorm("gpt.ln_2", ln2[l], ln2Mean[l], ln2Rstd[l], residualMid[l], n, c, o.ln2W[l], o.ln2B[l]));
                add(forward, MatmulCalls.nn("gpt.c_fc", fc[l], ln2[l], p, p,
                        MatmulKernels.dims(n, c, 4 * c, 0, 0, o.fcW[l], o.fcB[l], MatmulKernels.F_BIAS)));
                add(forward, ActivationCalls.geluForward("gpt.gelu", fcGelu[l], fc[l], n * 4 * c));
                add(forward, MatmulCalls.nn("gpt.mlp_proj", projOut, fcGelu[l], p, p,
                        MatmulKernels.dims(n, 4 * c, c, 0, 0, o.fcProjW[l], o.fcProjB[l], MatmulKernels.F_BIAS)));
                add(forward, residualAdd("gpt.residual_mlp", residual[l + 1], residualMid[l], projOut, n * c));
            }
            add(forward, layerNorm("gpt.ln_f", lnf, lnfMean, lnfRstd, residual[layers], n, c, o.lnfW, o.lnfB));
            add(forward, MatmulCalls.nt("gpt.head", logits, lnf, p, p,
                    MatmulKernels.dims(n, c, v, 0, 0, o.wte, 0, 0)));
            add(forward, KernelCall.builder("gpt.log_prob", Kernel.LOG_PROB_FORWARD)
                    .output(logp).output(lse).input(logits).input(targets).constant(inverseTemperature)
                    .constant(LogProbKernels.dims(n, v)).grain(rowGrain(v)).over(n));
        }

        private void prepareBackward(int n, int c, int v, int nh, int layers) {
            float[] p = parameters;
            float[] g = gradients;
            Offsets o = offsets;
            int acc = MatmulKernels.F_ACCUMULATE;
            add(backward, KernelCall.builder("gpt.log_prob_backward", Kernel.LOG_PROB_BACKWARD)
                    .output(dlogits).input(logits).input(lse).input(targets).input(dlogp).constant(inverseTemperature)
                    .constant(LogProbKernels.dims(n, v)).over(n * v));
            // tied head: dlnf = dlogits · wte, dwte += dlogitsᵀ · lnf
            add(backward, MatmulCalls.nn("gpt.head_dx", dlnf, dlogits, p, p, MatmulKernels.dims(n, v, c, 0, 0, o.wte, 0, 0)));
            weightGradient("gpt.head_dw", "wte.weight", dlogits, lnf, MatmulKernels.dims(n, v, c, o.wte, 0, 0, 0, acc));
            add(backward, layerNormBackward("gpt.ln_f", "ln_f", dresidual, dlnf, residual[layers], lnfMean, lnfRstd, n, c,
                    o.lnfW, o.lnfB, 0));
            int[] attDims = AttentionKernels.dims(batch, seqLen, c, nh);
            for (int l = layers - 1; l >= 0; l--) {
                // MLP: residual[l+1] = residualMid + gelu(ln_2(residualMid)·Wfc + bfc)·Wproj + bproj
                add(backward, MatmulCalls.nt("gpt.mlp_proj_dx", dfc, dresidual, p, p,
                        MatmulKernels.dims(n, c, 4 * c, 0, 0, o.fcProjW[l], 0, 0)));
                String h = "h." + l + ".";
                weightGradient("gpt.mlp_proj_dw", h + "mlp.c_proj.weight", fcGelu[l], dresidual,
                        MatmulKernels.dims(n, 4 * c, c, o.fcProjW[l], 0, 0, 0, acc));
                biasGradient("gpt.mlp_proj_db", h + "mlp.c_proj.bias", dresidual,
                        MatmulKernels.dims(n, 0, c, o.fcProjB[l], 0, 0, 0, acc));
                add(backward, ActivationCalls.geluBackwardInPlace("gpt.gelu_backward", dfc, fc[l], n * 4 * c));
                add(backward, MatmulCalls.nt("gpt.c_fc_dx", dtmp, dfc, p, p,
                        MatmulKernels.dims(n, 4 * c, c, 0, 0, o.fcW[l], 0, 0)));
                weightGradient("gpt.c_fc_dw", h + "mlp.c_fc.weight", ln2[l], dfc,
                        MatmulKernels.dims(n, c, 4 * c, o.fcW[l], 0, 0, 0, acc));
                biasGradient("gpt.c_fc_db", h + "mlp.c_fc.bias", dfc, MatmulKernels.dims(n, 0, 4 * c, o.fcB[l], 0, 0, 0, acc));
                add(backward, layerNormBackward("gpt.ln_2", h + "ln_2", dresidual, dtmp, residualMid[l], ln2Mean[l], ln2Rstd[l], n, c,
                        o.ln2W[l], o.ln2B[l], LayerNormKernels.F_ACCUMULATE));
                // attention: residualMid = residual[l] + attention(ln_1(residual[l])·Wattn + battn)·Wproj + bproj
                add(backward, MatmulCalls.nt("gpt.attn_proj_dx", dtmp, dresidual, p, p,
                        MatmulKernels.dims(n, c, c, 0, 0, o.projW[l], 0, 0)));
                weightGradient("gpt.attn_proj_dw", h + "attn.c_proj.weight", attY[l], dresidual,
                        MatmulKernels.dims(n, c, c, o.projW[l], 0, 0, 0, acc));
                biasGradient("gpt.attn_proj_db", h + "attn.c_proj.bias", dresidual,
                        MatmulKernels.dims(n, 0, c, o.projB[l], 0, 0, 0, acc));
                float[] proj = qkv[l];
                float[] probs = att[l];
                float[] dq = dqkv;
                float[] ds = datt;
                float[] dy = dtmp;
                add(backward, KernelCall.builder("gpt.attention_dq", Kernel.ATTENTION_BACKWARD_QUERY)
                        .output(dq).output(ds).input(dy).input(proj).input(probs).constant(attDims)
                        .jvmFastPath((offset, count) -> VectorAttentionKernels.attentionBackwardQuery(dq, ds, dy, proj, probs,
                                attDims, offset, count))
                        .grain(rowGrain((long) seqLen * c / nh)).over(batch * nh * seqLen));
                add(backward, KernelCall.builder("gpt.attention_dkv", Kernel.ATTENTION_BACKWARD_KEY_VALUE)
                        .output(dq).input(dy).input(proj).input(probs).input(ds).constant(attDims)
                        .jvmFastPath((offset, count) -> VectorAttentionKernels.attentionBackwardKeyValue(dq, dy, proj, probs,
                                ds, attDims, offset, count))
                        .grain(rowGrain((long) seqLen * c / nh)).over(batch * nh * seqLen));
                add(backward, MatmulCalls.nt("gpt.c_attn_dx", dtmp, dqkv, p, p,
                        MatmulKernels.dims(n, 3 * c, c, 0, 0, o.attnW[l], 0, 0)));
                weightGradient("gpt.c_attn_dw", h + "attn.c_attn.weight", ln1[l], dqkv,
                        MatmulKernels.dims(n, c, 3 * c, o.attnW[l], 0, 0, 0, acc));
                biasGradient("gpt.c_attn_db", h + "attn.c_attn.bias", dqkv,
                        MatmulKernels.dims(n, 0, 3 * c, o.attnB[l], 0, 0, 0, acc));
                add(backward, layerNormBackward("gpt.ln_1", h + "ln_1", dresidual, dtmp, residual[l], ln1Mean[l], ln1Rstd[l], n, c,
                        o.ln1W[l], o.ln1B[l], LayerNormKernels.F_ACCUMULATE));
            }
            if (computes("wte.weight") || computes("wpe.weight")) { // both tables in one kernel: skipped only when both are frozen
                addParameterGradient(KernelCall.builder("gpt.embedding_backward", Kernel.EMBEDDING_BACKWARD)
                        .state(g).input(dresidual).input(tokens).constant(positions)
                        .constant(EmbeddingKernels.dims(n, c, o.wte, o.wpe)).grain(rowGrain(n)).over(c));
            }
        }

        /** {@code dW (+)= aᵀ·b} of {@code tensor}: dense, block-sparse or not at all, as the gradient mask says. */
        private void weightGradient(String task, String tensor, float[] a, float[] b, int[] dims) {
            GradientMask.TensorGradient plan = gradientMask == null ? null : gradientMask.of(tensor);
            if (plan == null || plan.kind() == GradientMask.Kind.DENSE) {
                addParameterGradient(MatmulCalls.tn(task, gradients, a, b, dims));
            } else if (plan.kind() == GradientMask.Kind.BLOCKS) {
                addParameterGradient(MatmulCalls.blockSparseTn(task, gradients, a, b, plan.blocks(), dims));
            }
        }

        /** {@code db (+)= column sums of dy} of {@code tensor}, unless it is frozen. */
        private void biasGradient(String task, String tensor, float[] dy, int[] dims) {
            if (computes(tensor)) {
                addParameterGradient(MatmulCalls.columnSum(task, gradients, dy, dims));
            }
        }

        private KernelCall layerNorm(String task, float[] out, float[] mean, float[] rstd, float[] x, int n, int c,
                                     int w, int b) {
            return KernelCall.builder(task, Kernel.LAYER_NORM_FORWARD)
                    .output(out).output(mean).output(rstd).input(x).state(parameters)
                    .constant(LayerNormKernels.dims(n, c, w, b, 0)).grain(rowGrain(3L * c)).over(n);
        }

        /**
         * Two launches' worth: the parameter gradients (per channel; skipped when both of the norm's
         * parameters {@code <norm>.weight} and {@code <norm>.bias} are frozen), then the input gradient (per row).
         */
        private KernelCall layerNormBackward(String task, String norm, float[] dx, float[] dy, float[] x, float[] mean,
                                             float[] rstd, int n, int c, int w, int b, int flags) {
            int[] dims = LayerNormKernels.dims(n, c, w, b, flags);
            if (computes(norm + ".weight") || computes(norm + ".bias")) {
                addParameterGradient(KernelCall.builder(task + "_dw", Kernel.LAYER_NORM_BACKWARD_PARAMS)
                        .state(gradients).input(dy).input(x).input(mean).input(rstd).constant(dims)
                        .grain(rowGrain(3L * n)).over(c));
            }
            KernelCall.Builder builder = KernelCall.builder(task + "_dx", Kernel.LAYER_NORM_BACKWARD_INPUT);
            builder = flags == 0 ? builder.output(dx) : builder.state(dx);
            return builder.input(dy).input(x).input(mean).input(rstd).state(parameters).constant(dims)
                    .grain(rowGrain(6L * c)).over(n);
        }

        private boolean computes(String tensor) {
            return gradientMask == null || gradientMask.computes(tensor);
        }

        private static KernelCall residualAdd(String task, float[] out, float[] a, float[] b, int n) {
            return KernelCall.builder(task, Kernel.RESIDUAL_ADD).output(out).input(a).input(b).over(n);
        }
    }
}
