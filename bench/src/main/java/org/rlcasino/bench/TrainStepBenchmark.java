package org.rlcasino.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import org.rlcasino.io.Progress;
import org.rlcasino.optimizer.AdamW;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.optimizer.BsrAdamW;
import org.rlcasino.optimizer.BsrAdamWOptions;
import org.rlcasino.optimizer.NonFinitePolicy;
import org.rlcasino.optimizer.Optimizer;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.KernelProfile;
import org.rlcasino.kernels.TransferCounters;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.model.Architecture;
import org.rlcasino.train.model.GptConfig;
import org.rlcasino.train.model.GptModel;
import org.rlcasino.train.model.GradientMask;
import org.rlcasino.train.model.LanguageModel;

/**
 * Step time of this project's trainer — a {@link LanguageModel}'s forward + backward (GPT-2 of a
 * given shape with its seeded initial weights, or any family's Hugging Face directory), then an
 * optimizer step — on the JVM backend, with dense {@link AdamW} and with {@link BsrAdamW} at
 * several sparsities (block masks on the 2-D weights; 1-D tensors frozen, the optimizer's
 * default) whose backward computes only the weight gradients BSR-AdamW reads ({@link GradientMask}:
 * block-sparse dW, none for frozen tensors; dX dense), and for GPT-2 the same model in PyTorch with {@code torch.optim.AdamW} at the same batch,
 * sequence length and thread count, measured in the same run (torch only when a Python with torch
 * is given, and never on a generic reference BLAS).
 *
 * <p>Each arm has its own model (same initial weights) so that its prepared launches stay
 * prepared; the arms share one batch; after warm-up they run interleaved, one step each per
 * round with the first arm rotating, so that load on the machine affects all alike. The loss is
 * the mean negative log-likelihood of the targets, so {@code dLogProbs = -1/(B·T)} everywhere.
 */
public final class TrainStepBenchmark {

    /**
     * What to run.
     *
     * @param model       the model: a GPT-2 shape, or the architecture of the directory {@code init}
     * @param batch       sequences per step (B)
     * @param threads     JVM backend threads (and torch threads)
     * @param warmup      warm-up steps per arm
     * @param repeats     timed steps per arm (median, min, max reported)
     * @param sparsities  BSR-AdamW sparsities in percent, each in (0, 100); empty for dense only
     * @param block       block shape of the synthetic masks
     * @param seed        seed of weights, batch and masks
     * @param python      Python with torch, or null for no torch figures
     * @param frozenEmbeddings BSR arms: no active entry in wte/wpe (so no head dW and no embedding backward), as an
     *                    RL fine-tune that freezes the embeddings; else the embeddings get block masks like the others
     * @param gradientBlock the blocks of the BSR arms' backward (dW computed in every block holding an active entry),
     *                    or null for the masks' own {@code block}
     * @param seqLen      tokens per sequence T, at most the model's context
     * @param init        the model directory whose weights every arm starts from, or null for seeded random weights
     */
    public record Config(Architecture model, int batch, int threads, int warmup, int repeats, List<Double> sparsities,
                         BlockShape block, long seed, Path python, boolean frozenEmbeddings, BlockShape gradientBlock,
                         int seqLen, Path init) {
        public Config {
            if (model == null || block == null) {
                throw new IllegalArgumentException("model and block shape must be given");
            }
            if (seqLen < 1 || seqLen > model.maxSeqLen()) {
                throw new IllegalArgumentException("the sequence length must be in [1, " + model.maxSeqLen() + "], got " + seqLen);
            }
            if (python != null && !(model instanceof GptConfig)) {
                throw new IllegalArgumentException("the PyTorch comparison runs GPT-2 shapes only, not " + model.family());
            }
            if (batch < 1 || threads < 1 || warmup < 0 || repeats < 1) {
                throw new IllegalArgumentException("need batch >= 1, threads >= 1, warmup >= 0, repeats >= 1; got "
                        + batch + ", " + threads + ", " + warmup + ", " + repeats);
            }
            if ((long) batch * seqLen * model.vocabSize() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("batch·T·V must stay below 2^31 (logits in one array)");
            }
            sparsities = List.copyOf(sparsities == null ? List.of() : sparsities);
            for (double s : sparsities) {
                if (!(s > 0 && s < 100)) {
                    throw new IllegalArgumentException("sparsities must be in (0, 100) percent, got " + s);
                }
            }
        }

        /** GPT-2 of {@code model}'s shape with T = its maxSeqLen and seeded weights. */
        public static Config gpt(GptConfig model, int batch, int threads, int warmup, int repeats, List<Double> sparsities,
                                 BlockShape block, long seed, Path python, boolean frozenEmbeddings, BlockShape gradientBlock) {
            return new Config(model, batch, threads, warmup, repeats, sparsities, block, seed, python, frozenEmbeddings,
                    gradientBlock, model.maxSeqLen(), null);
        }

        /** Tokens per step. */
        public int tokens() {
            return batch * seqLen;
        }
    }

    /** Median, fastest and slowest of a set of timings, in ms. */
    public record Timing(double medianMs, double minMs, double maxMs) {
        static Timing of(double[] ms) {
            double[] s = ms.clone();
            Arrays.sort(s);
            return new Timing(MatmulBenchmark.median(s), s[0], s[s.length - 1]);
        }

        static Timing of(JsonNode node) {
            return new Timing(node.get("median_ms").asDouble(), node.get("min_ms").asDouble(), node.get("max_ms").asDouble());
        }
    }

    /**
     * One optimizer arm of the Java trainer.
     *
     * @param optimizer       {@code adamw} or {@code bsr-adamw}
     * @param sparsity        percent of the 2-D weights not updated (0 for dense)
     * @param active          parameters the optimizer updates
     * @param step            whole step: forward + backward + optimizer
     * @param forwardBackward forward + backward (zeroing gradients included)
     * @param optimizerStep   the optimizer step
     * @param tokensPerSecond tokens / median step
     * @param speedupVsDense  dense median step / this median step
     * @param gradientBlockFill share of the 2-D weights' blocks whose gradient the backward computes (1 for dense)
     * @param forward         the forward pass (zeroing gradients included)
     * @param backward        the backward pass (input and weight gradients)
     * @param backwardInputMs mean time per step of the backward's input-gradient launches (dX chain)
     * @param backwardParameterMs mean time per step of its parameter-gradient launches (dW, bias, LayerNorm, embedding)
     *                        (both NaN on a device backend, whose backward runs as one program)
     * @param hostToDeviceBytesPerStep bytes sent to the device per timed step (0 on the JVM; TornadoVM's profiler)
     * @param deviceToHostBytesPerStep bytes copied back per timed step
     * @param graphRunsPerStep task-graph executions per timed step (0 on the JVM)
     * @param kernelLaunchesPerStep kernel launches of programs per timed step (0 on the JVM)
     * @param compileMsWhileTiming  time the backend spent compiling during the timed steps (0: nothing recompiled)
     */
    public record Arm(String optimizer, double sparsity, long active, Timing step, Timing forwardBackward,
                      Timing optimizerStep, double tokensPerSecond, double speedupVsDense, double gradientBlockFill,
                      Timing forward, Timing backward, double backwardInputMs, double backwardParameterMs,
                      long hostToDeviceBytesPerStep, long deviceToHostBytesPerStep, long graphRunsPerStep,
                      long kernelLaunchesPerStep, double compileMsWhileTiming, List<KernelTime> kernels) {}

    /**
     * One kernel's share of a timed step on the JVM backend (every launch timed, {@link KernelProfile}):
     * launches and milliseconds per step, the most time first. Empty on a device backend.
     */
    public record KernelTime(String kernel, double launchesPerStep, double msPerStep) {}

    /**
     * PyTorch's figures (or why there are none).
     *
     * @param skippedBecause why torch did not run, or null
     * @param blas           the BLAS torch used
     * @param paths          torch's AdamW implementation and attention kernel (its fastest CPU paths)
     */
    public record Torch(String skippedBecause, String torchVersion, String blas, List<String> blasLibraries,
                        long params, Timing step, Timing forwardBackward, Timing optimizerStep,
                        double tokensPerSecond, String paths) {}

    /**
     * Everything measured.
     *
     * @param params          parameters of the model
     * @param arms            dense AdamW first, then BSR-AdamW by sparsity
     * @param torch           torch's figures, or null when not asked for
     * @param throughputVsTorch Java dense tokens/s ÷ torch tokens/s (NaN without torch)
     */
    public record Result(Architecture model, int seqLen, int batch, int threads, int warmup, int repeats, String backend,
                         long params, List<Arm> arms, Torch torch, double throughputVsTorch, boolean frozenEmbeddings,
                         BlockShape block, BlockShape gradientBlock) {}

    private TrainStepBenchmark() {}

    /** Runs the benchmark on the JVM backend with {@code config.threads()} threads. */
    public static Result run(Config config, Progress progress) {
        try (JvmBackend backend = new JvmBackend(config.threads(), JvmBackend.DEFAULT_CHUNK_SIZE)) {
            return run(config, backend, progress);
        }
    }

    /**
     * Runs the benchmark on {@code backend} (the caller closes it); {@code progress} sees the warm-up
     * and timing phases. On the JVM backend the backward's time is split into dX and dW launches; on a
     * device backend each arm reports the bytes each way, graph runs and kernel launches per step instead.
     */
    public static Result run(Config config, Backend backend, Progress progress) {
        Architecture shape = config.model();
        int tokens = config.tokens();
        int seqLen = config.seqLen();
        List<Arm> arms = new ArrayList<>();
        String backendName;
        long params;
        List<LanguageModel> models = new ArrayList<>();
        boolean host = backend instanceof JvmBackend;
        try {
            float[] weights = config.init() == null ? null : weights(config.init());
            backendName = backend.name();
            ParameterLayout layout = shape.layout();
            params = layout.totalSize();
            SplittableRandom random = new SplittableRandom(config.seed() + 1);
            int[] input = new int[tokens];
            int[] targets = new int[tokens];
            for (int i = 0; i < tokens; i++) {
                input[i] = random.nextInt(shape.vocabSize());
                targets[i] = random.nextInt(shape.vocabSize());
            }
            float[] dLogProbs = new float[tokens];
            Arrays.fill(dLogProbs, -1f / tokens);

            AdamWConfig adamW = AdamWConfig.defaults().withLr(1e-4).withNonFinite(NonFinitePolicy.UNCHECKED);
            List<Optimizer> optimizers = new ArrayList<>();
            List<Double> sparsity = new ArrayList<>();
            List<Long> active = new ArrayList<>();
            optimizers.add(new AdamW(adamW, layout, backend));
            models.add(model(shape, weights, backend, config.seed(), null));
            sparsity.add(0.0);
            active.add(params);
            ParameterLayout matrices = matrices(layout, config.frozenEmbeddings());
            BsrAdamWOptions options = BsrAdamWOptions.DEFAULTS.withBlockShape(config.block());
            for (double s : config.sparsities()) {
                Map<String, int[]> mask = SyntheticMasks.blocks(matrices, config.block(), 1 - s / 100,
                        config.seed() + Double.hashCode(s));
                BsrAdamW bsr = new BsrAdamW(adamW, layout, mask, options, backend);
                optimizers.add(bsr);
                BlockShape dW = config.gradientBlock() != null ? config.gradientBlock() : config.block();
                models.add(model(shape, weights, backend, config.seed(),
                        GradientMask.fromActive(layout, mask, dW.rows(), dW.columns())));
                sparsity.add(s);
                active.add((long) bsr.activeCount());
            }

            int n = optimizers.size();
            progress.begin("warm-up", (long) config.warmup() * n);
            for (int w = 0; w < config.warmup(); w++) {
                for (int k = 0; k < n; k++) {
                    step(models.get(k), optimizers.get(k), input, targets, dLogProbs, config.batch(), seqLen);
                    progress.advance(1);
                }
            }
            progress.end();
            double[][] fb = new double[n][config.repeats()];
            double[][] fwd = new double[n][config.repeats()];
            double[][] bwd = new double[n][config.repeats()];
            double[][] opt = new double[n][config.repeats()];
            double[][] total = new double[n][config.repeats()];
            TransferCounters[] moved = new TransferCounters[n];
            Arrays.fill(moved, TransferCounters.NONE);
            KernelProfile[] profiles = new KernelProfile[n];
            JvmBackend jvm = host ? (JvmBackend) backend : null;
            if (host) {
                models.forEach(m -> {
                    if (m instanceof GptModel gpt) {
                        gpt.timeBackward(true);
                    }
                });
                for (int k = 0; k < n; k++) {
                    profiles[k] = new KernelProfile();
                }
            }
            progress.begin("timing", (long) config.repeats() * n);
            for (int r = 0; r < config.repeats(); r++) {
                for (int k = 0; k < n; k++) {
                    int a = (k + r) % n;
                    TransferCounters before = backend.transfers();
                    if (jvm != null) {
                        jvm.profile(profiles[a]);
                    }
                    long[] t = step(models.get(a), optimizers.get(a), input, targets, dLogProbs, config.batch(), seqLen);
                    if (jvm != null) {
                        jvm.profile(null);
                    }
                    moved[a] = moved[a].plus(backend.transfers().minus(before));
                    fwd[a][r] = (t[1] - t[0]) / 1e6;
                    bwd[a][r] = (t[2] - t[1]) / 1e6;
                    fb[a][r] = (t[2] - t[0]) / 1e6;
                    opt[a][r] = (t[3] - t[2]) / 1e6;
                    total[a][r] = (t[3] - t[0]) / 1e6;
                    progress.advance(1);
                }
            }
            progress.end();
            double denseMedian = Timing.of(total[0]).medianMs();
            int reps = config.repeats();
            for (int a = 0; a < n; a++) {
                Timing step = Timing.of(total[a]);
                long[] split = models.get(a) instanceof GptModel gpt ? gpt.backwardSplitNanos() : null;
                TransferCounters m = moved[a];
                arms.add(new Arm(a == 0 ? "adamw" : "bsr-adamw", sparsity.get(a), active.get(a), step,
                        Timing.of(fb[a]), Timing.of(opt[a]), tokens / (step.medianMs() / 1e3),
                        denseMedian / step.medianMs(), models.get(a).gradientMask() == null ? 1.0
                        : models.get(a).gradientMask().blockFill(), Timing.of(fwd[a]), Timing.of(bwd[a]),
                        split == null ? Double.NaN : split[0] / 1e6 / reps, split == null ? Double.NaN : split[1] / 1e6 / reps,
                        m.bytesToDevice() / reps, m.bytesToHost() / reps, m.executions() / reps, m.kernelLaunches() / reps,
                        m.compileNanos() / 1e6, kernelTimes(profiles[a], reps)));
            }
        } finally {
            models.forEach(LanguageModel::close);
        }

        Torch torch = null;
        if (config.python() != null) {
            progress.begin("torch", 1);
            torch = torch(config);
            progress.advance(1);
            progress.end();
        }
        double vsTorch = torch == null || torch.skippedBecause() != null ? Double.NaN
                : arms.getFirst().tokensPerSecond() / torch.tokensPerSecond();
        return new Result(shape, seqLen, config.batch(), config.threads(), config.warmup(), config.repeats(), backendName,
                params, arms, torch, vsTorch, config.frozenEmbeddings(), config.block(),
                config.gradientBlock() != null ? config.gradientBlock() : config.block());
    }

    private static List<KernelTime> kernelTimes(KernelProfile profile, int steps) {
        if (profile == null) {
            return List.of();
        }
        List<KernelTime> out = new ArrayList<>();
        for (KernelProfile.Entry e : profile.entries()) {
            out.add(new KernelTime(e.kernel().name(), (double) e.launches() / steps, e.nanos() / 1e6 / steps));
        }
        return out;
    }

    private static float[] weights(Path init) {
        try {
            return ModelDirectory.load(init).params();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A model with {@code weights} (null: the initial weights of {@code seed}) whose backward computes
     * the gradients of {@code gradients} (null: all).
     */
    private static LanguageModel model(Architecture shape, float[] weights, Backend backend, long seed, GradientMask gradients) {
        LanguageModel model = shape.create(backend);
        if (weights != null) {
            System.arraycopy(weights, 0, model.parameters(), 0, weights.length);
            model.parametersWritten();
        } else {
            model.initialize(seed);
        }
        model.restrictGradients(gradients);
        return model;
    }

    /** One training step; returns the times before forward, after forward, after backward, after the optimizer. */
    private static long[] step(LanguageModel model, Optimizer optimizer, int[] input, int[] targets, float[] dLogProbs,
                               int batch, int seqLen) {
        long t0 = System.nanoTime();
        model.zeroGradients();
        model.forward(input, targets, batch, seqLen);
        long t1 = System.nanoTime();
        model.backward(dLogProbs);
        long t2 = System.nanoTime();
        optimizer.step(model.parameters(), model.gradients());
        long t3 = System.nanoTime();
        return new long[] {t0, t1, t2, t3};
    }

    /**
     * The 2-D tensors of {@code layout} (the ones a block mask covers; without the embeddings — GPT-2's
     * wte/wpe, the families' embed_tokens — if {@code frozenEmbeddings}).
     */
    static ParameterLayout matrices(ParameterLayout layout, boolean frozenEmbeddings) {
        ParameterLayout.Builder builder = ParameterLayout.builder();
        for (TensorView t : layout.tensors()) {
            boolean embedding = t.name().equals("wte.weight") || t.name().equals("wpe.weight")
                    || t.name().equals("model.embed_tokens.weight");
            if (t.shape().length == 2 && !(frozenEmbeddings && embedding)) {
                builder.add(t.name(), t.shape()[0], t.shape()[1]);
            }
        }
        return builder.build();
    }

    private static Torch torch(Config config) {
        GptConfig m = (GptConfig) config.model();
        List<String> args = List.of("train", "--threads", String.valueOf(config.threads()),
                "--C", String.valueOf(m.channels()), "--L", String.valueOf(m.numLayers()),
                "--NH", String.valueOf(m.numHeads()), "--T", String.valueOf(m.maxSeqLen()),
                "--B", String.valueOf(config.batch()), "--V", String.valueOf(m.vocabSize()),
                "--warmup", String.valueOf(Math.max(1, config.warmup())), "--steps", String.valueOf(config.repeats()));
        TorchBench.Outcome outcome = TorchBench.run(config.python(), args, 60);
        if (!outcome.ran()) {
            return new Torch(outcome.skippedBecause(), outcome.torchVersion(), outcome.blas(), outcome.blasLibraries(),
                    0, null, null, null, Double.NaN, "");
        }
        JsonNode j = outcome.json();
        return new Torch(null, outcome.torchVersion(), outcome.blas(), outcome.blasLibraries(), j.get("params").asLong(),
                Timing.of(j.get("step")), Timing.of(j.get("forward_backward")), Timing.of(j.get("optimizer")),
                j.get("tokens_per_s").asDouble(),
                "AdamW " + j.path("adamw").asText("for-loop") + ", attention " + j.path("attention").asText("matmul + masked softmax"));
    }

    /**
     * Milliseconds per timed step in each kernel, one column per arm (the dense arm's kernels in its
     * order of time), and the dense arm's share: where a step's time goes, and what the masks save.
     */
    static String kernelTable(Result r) {
        StringBuilder sb = new StringBuilder();
        List<Arm> arms = r.arms();
        Arm dense = arms.getFirst();
        double denseTotal = dense.kernels().stream().mapToDouble(KernelTime::msPerStep).sum();
        sb.append(String.format(java.util.Locale.ROOT, "%nPer kernel, ms per timed step (%s; every launch timed):%n%-30s %9s",
                r.backend(), "kernel", "launches"));
        for (Arm a : arms) {
            sb.append(String.format(java.util.Locale.ROOT, " %12s", a.sparsity() == 0 ? "adamw"
                    : String.format(java.util.Locale.ROOT, "bsr %.4g%%", a.sparsity())));
        }
        sb.append(String.format(java.util.Locale.ROOT, " %9s%n", "% dense"));
        List<String> order = new ArrayList<>();
        dense.kernels().forEach(k -> order.add(k.kernel()));
        arms.forEach(a -> a.kernels().stream().map(KernelTime::kernel).filter(k -> !order.contains(k)).forEach(order::add));
        for (String kernel : order) {
            KernelTime d = find(dense, kernel);
            sb.append(String.format(java.util.Locale.ROOT, "%-30s %9.1f", kernel,
                    d != null ? d.launchesPerStep() : arms.stream().map(a -> find(a, kernel)).filter(java.util.Objects::nonNull)
                            .findFirst().map(KernelTime::launchesPerStep).orElse(0.0)));
            for (Arm a : arms) {
                KernelTime k = find(a, kernel);
                sb.append(k == null ? String.format(java.util.Locale.ROOT, " %12s", "-")
                        : String.format(java.util.Locale.ROOT, " %12.2f", k.msPerStep()));
            }
            sb.append(d == null || denseTotal == 0 ? String.format(java.util.Locale.ROOT, " %9s%n", "-")
                    : String.format(java.util.Locale.ROOT, " %8.1f%%%n", 100 * d.msPerStep() / denseTotal));
        }
        sb.append(String.format(java.util.Locale.ROOT, "%-30s %9s", "all kernels", ""));
        for (Arm a : arms) {
            sb.append(String.format(java.util.Locale.ROOT, " %12.2f", a.kernels().stream().mapToDouble(KernelTime::msPerStep).sum()));
        }
        sb.append('\n');
        return sb.toString();
    }

    private static KernelTime find(Arm arm, String kernel) {
        for (KernelTime k : arm.kernels()) {
            if (k.kernel().equals(kernel)) {
                return k;
            }
        }
        return null;
    }

    /** The table printed by {@code casino bench train}. */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        String model = r.model() instanceof GptConfig m
                ? String.format(java.util.Locale.ROOT, "GPT-2 C=%d L=%d NH=%d", m.channels(), m.numLayers(), m.numHeads())
                : r.model().family() + " (" + r.model().layout().tensors().size() + " tensors)";
        sb.append(String.format(java.util.Locale.ROOT,
                "%s T=%d V=%d, B=%d (%d tokens/step), %,d parameters; %s; median (min-max) of %d steps after %d warm-up steps per arm, arms interleaved%n",
                model, r.seqLen(), r.model().vocabSize(), r.batch(), r.batch() * r.seqLen(), r.params(), r.backend(), r.repeats(),
                r.warmup()));
        String mask = r.block().rows() == 1 && r.block().columns() == 1 ? "random entries"
                : "random " + r.block().rows() + "x" + r.block().columns() + " blocks";
        sb.append("BSR-AdamW masks: " + mask + " on the 2-D weights at the given sparsity; 1-D tensors frozen"
                + (!r.frozenEmbeddings() ? "" : r.model() instanceof GptConfig ? "; embeddings (wte, wpe) frozen"
                : "; embeddings (embed_tokens) frozen")
                + "; their backward computes dW only in the " + r.gradientBlock().rows() + "x" + r.gradientBlock().columns()
                + " blocks holding an active entry (dX dense)\n\n");
        sb.append(String.format(java.util.Locale.ROOT, "%-22s %12s %24s %22s %8s %8s %8s %8s %20s %10s %9s %8s%n",
                "trainer / optimizer", "active", "step ms", "fwd+bwd ms", "fwd ms", "bwd ms", "bwd dX", "bwd dW", "optimizer ms",
                "tokens/s", "vs dense", "dW fill"));
        for (Arm a : r.arms()) {
            String name = a.sparsity() == 0 ? "java adamw" : String.format(java.util.Locale.ROOT, "java bsr-adamw %.4g%%", a.sparsity());
            sb.append(String.format(java.util.Locale.ROOT, "%-22s %,12d %24s %22s %8.1f %8.1f %8.1f %8.1f %20s %10.0f %8.3fx %7.1f%%%n",
                    name, a.active(), timing(a.step()), timing(a.forwardBackward()), a.forward().medianMs(),
                    a.backward().medianMs(), a.backwardInputMs(), a.backwardParameterMs(), timing(a.optimizerStep()),
                    a.tokensPerSecond(), a.speedupVsDense(), 100 * a.gradientBlockFill()));
        }
        if (r.arms().stream().anyMatch(a -> a.kernelLaunchesPerStep() > 0)) {
            sb.append(String.format(java.util.Locale.ROOT, "%nPer timed step on %s (TornadoVM's profiler):%n%-22s %18s %18s %12s %16s %14s%n",
                    r.backend(), "trainer / optimizer", "bytes to device", "bytes to host", "graph runs", "kernel launches",
                    "compile ms"));
            for (Arm a : r.arms()) {
                String name = a.sparsity() == 0 ? "java adamw" : String.format(java.util.Locale.ROOT, "java bsr-adamw %.4g%%", a.sparsity());
                sb.append(String.format(java.util.Locale.ROOT, "%-22s %,18d %,18d %12d %16d %14.1f%n", name,
                        a.hostToDeviceBytesPerStep(), a.deviceToHostBytesPerStep(), a.graphRunsPerStep(),
                        a.kernelLaunchesPerStep(), a.compileMsWhileTiming()));
            }
        }
        if (r.arms().stream().anyMatch(a -> !a.kernels().isEmpty())) {
            sb.append(kernelTable(r));
        }
        Torch t = r.torch();
        if (t != null) {
            if (t.skippedBecause() != null) {
                sb.append("\nPyTorch omitted: ").append(t.skippedBecause()).append('\n');
            } else {
                sb.append(String.format(java.util.Locale.ROOT, "%-22s %,12d %24s %22s %20s %10.0f%n",
                        "torch " + t.torchVersion() + " adamw", t.params(), timing(t.step()), timing(t.forwardBackward()),
                        timing(t.optimizerStep()), t.tokensPerSecond()));
                sb.append(String.format(java.util.Locale.ROOT,
                        "%nPyTorch BLAS: %s (%s); %s; %d threads both%nJava dense throughput / PyTorch throughput: %.2f (%.0f%%)%n",
                        t.blas(), String.join(", ", t.blasLibraries()), t.paths(), r.threads(), r.throughputVsTorch(),
                        100 * r.throughputVsTorch()));
            }
        }
        return sb.toString();
    }

    private static String timing(Timing t) {
        return String.format(java.util.Locale.ROOT, "%.1f (%.1f-%.1f)", t.medianMs(), t.minMs(), t.maxMs());
    }

    /** The figures as a JSON-ready map. */
    public static Map<String, Object> json(Result r, Map<String, String> machine) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", "rlcasino.bench.train");
        doc.put("version", 1);
        doc.put("machine", machine);
        doc.put("result", r);
        return doc;
    }
}
