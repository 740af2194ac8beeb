package org.rlcasino.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlcasino.io.InsufficientHeapException;
import org.rlcasino.io.Progress;
import org.rlcasino.io.hf.DecoderConfig;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.KernelProfile;
import org.rlcasino.optimizer.AdamW;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.optimizer.NonFinitePolicy;
import org.rlcasino.train.family.DecoderArchitecture;
import org.rlcasino.train.family.DecoderModel;

/**
 * Speed of the Hugging Face model families ({@link DecoderModel}: llama, qwen2, qwen3, gemma3_text,
 * and mistral on request) at two random-weight sizes on the JVM backend: forward tokens/s (the
 * logits of B×T tokens) and the whole training step (forward log-probs + backward + dense
 * {@link AdamW} step), with the step split into forward, backward and optimizer and, per kernel,
 * where its time goes ({@link KernelProfile}).
 *
 * <p>The configs are written as {@code config.json} text and read by {@link DecoderConfig#parse},
 * so each family gets its own defaults (a tied head for Gemma 3 only, Qwen2's q/k/v biases,
 * Qwen3's and Gemma 3's q/k norms, Gemma 3's 5:1 sliding/full layers, its scaled embeddings and
 * (1 + w) norms). Weights are seeded normal with std 0.02, biases 0, norm weights at their
 * identity (1, and 0 for Gemma's 1 + w form).
 *
 * <p>All families of one size and thread count are built at once when the heap holds them
 * (else in groups that fit, one after the other; a single model that does not fit is refused with
 * its estimate, {@link InsufficientHeapException}); after warm-up each round times one forward and
 * one step of every model of the group, the first model rotating, so that load on the machine
 * affects all alike. The loss is the mean negative log-likelihood of random targets, so
 * {@code dlogp = -1/(B·T)} everywhere.
 */
public final class FamilyBenchmark {
    /** The families timed when none are named. */
    public static final List<String> DEFAULT_FAMILIES = List.of("llama", "qwen2", "qwen3", "gemma3_text");
    /** Families the benchmark can build (those of {@link DecoderModel}). */
    public static final List<String> FAMILIES = List.of("llama", "mistral", "qwen2", "qwen3", "gemma3_text");
    /** Bytes kept free of the heap for everything but the models (the JVM, scratch panels, the next group's garbage). */
    static final long HEAP_MARGIN = 256L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A model size and its default batch shape.
     *
     * @param slidingWindow keys a query sees on a sliding layer (Gemma 3 and Mistral; less than the
     *                      default sequence length, so that the window takes effect)
     */
    public record Size(String name, int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate, int vocab,
                       int slidingWindow, int batch, int seqLen) {}

    /** {@code tiny}: a test-sized model; {@code 100m}: about 100M parameters (125M with an untied head). */
    public static final List<Size> SIZES = List.of(
            new Size("tiny", 64, 2, 4, 2, 16, 128, 512, 32, 8, 64),
            new Size("100m", 768, 12, 12, 4, 64, 2048, 32000, 64, 4, 128));

    /** The size named {@code name} ({@code tiny}, {@code 100m}; any case). */
    public static Size size(String name) {
        for (Size s : SIZES) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown size '" + name + "'; sizes: "
                + String.join(", ", SIZES.stream().map(Size::name).toList()));
    }

    /**
     * What to run.
     *
     * @param families model types, each in {@link #FAMILIES}
     * @param sizes    size names ({@link #SIZES})
     * @param batch    sequences per step, or null for each size's default
     * @param seqLen   tokens per sequence, or null for each size's default
     * @param threads  JVM backend thread counts, each run on its own backend
     * @param warmup   warm-up forwards and steps per model
     * @param repeats  timed forwards and steps per model (median, min, max)
     * @param seed     seed of the weights and the batch
     */
    public record Config(List<String> families, List<String> sizes, Integer batch, Integer seqLen, List<Integer> threads,
                         int warmup, int repeats, long seed) {
        public Config {
            if (families == null || families.isEmpty() || sizes == null || sizes.isEmpty()) {
                throw new IllegalArgumentException("name at least one family and one size");
            }
            families = List.copyOf(families);
            sizes = List.copyOf(sizes);
            for (String f : families) {
                if (!FAMILIES.contains(f)) {
                    throw new IllegalArgumentException("family '" + f + "' is not supported; families: " + String.join(", ", FAMILIES));
                }
            }
            sizes.forEach(FamilyBenchmark::size);
            if (batch != null && batch < 1 || seqLen != null && seqLen < 1) {
                throw new IllegalArgumentException("batch and sequence length must be >= 1, got " + batch + ", " + seqLen);
            }
            if (threads == null || threads.isEmpty() || threads.stream().anyMatch(t -> t == null || t < 1)) {
                throw new IllegalArgumentException("threads must list counts >= 1, got " + threads);
            }
            threads = List.copyOf(threads);
            if (warmup < 0 || repeats < 1) {
                throw new IllegalArgumentException("need warmup >= 0 and repeats >= 1, got " + warmup + ", " + repeats);
            }
        }

        /** The batch of {@code size}: the one given, or the size's default. */
        public int batchOf(Size size) {
            return batch != null ? batch : size.batch();
        }

        /** The sequence length of {@code size}: the one given, or the size's default. */
        public int seqLenOf(Size size) {
            return seqLen != null ? seqLen : size.seqLen();
        }
    }

    /**
     * One family at one size and thread count.
     *
     * @param params                parameters (the layout's total)
     * @param tiedEmbeddings        whether the head is the embedding table (the family's default)
     * @param heapBytes             the heap estimate of this model: weights, gradients, both AdamW moments, activations
     * @param forward               the logits of B×T tokens (the forward program, log-probs included)
     * @param forwardTokensPerSecond B·T / median forward
     * @param step                  whole training step: forward log-probs + backward + AdamW
     * @param stepForward           the step's forward
     * @param backward              the step's backward
     * @param optimizer             the step's AdamW
     * @param stepTokensPerSecond   B·T / median step
     * @param group                 which heap group it ran in (models of one group ran interleaved)
     * @param kernels               per kernel, launches and ms per timed step (most time first)
     */
    public record Row(String family, String size, long params, boolean tiedEmbeddings, int threads, int batch, int seqLen,
                      long heapBytes, TrainStepBenchmark.Timing forward, double forwardTokensPerSecond,
                      TrainStepBenchmark.Timing step, TrainStepBenchmark.Timing stepForward, TrainStepBenchmark.Timing backward,
                      TrainStepBenchmark.Timing optimizer, double stepTokensPerSecond, int group,
                      List<TrainStepBenchmark.KernelTime> kernels) {}

    /** Everything measured. */
    public record Result(int warmup, int repeats, long maxHeapBytes, List<Row> rows) {}

    private FamilyBenchmark() {}

    /**
     * The {@code config.json} of {@code family} at {@code size} for sequences of {@code seqLen}
     * (max_position_embeddings at least 2048), read as transformers would read it.
     */
    public static DecoderConfig config(String family, Size size, int seqLen) {
        ObjectNode c = JSON.createObjectNode();
        c.put("model_type", family);
        c.put("hidden_size", size.hidden());
        c.put("intermediate_size", size.intermediate());
        c.put("num_hidden_layers", size.layers());
        c.put("num_attention_heads", size.heads());
        c.put("num_key_value_heads", size.kvHeads());
        c.put("head_dim", size.headDim());
        c.put("vocab_size", size.vocab());
        c.put("max_position_embeddings", Math.max(2048, seqLen));
        c.put("rms_norm_eps", 1e-6);
        switch (family) {
            case "llama" -> c.put("rope_theta", 500000.0);
            case "mistral" -> {
                c.put("rope_theta", 1000000.0);
                c.put("sliding_window", size.slidingWindow());
            }
            case "qwen2", "qwen3" -> c.put("rope_theta", 1000000.0);
            case "gemma3_text" -> {
                c.put("query_pre_attn_scalar", size.headDim());
                c.put("sliding_window", size.slidingWindow());
                ArrayNode types = c.putArray("layer_types");
                for (int i = 0; i < size.layers(); i++) {
                    // five sliding layers, then a full one, as Gemma 3; the last layer full, so a tiny model has both
                    boolean full = (i + 1) % 6 == 0 || i == size.layers() - 1;
                    types.add(full ? "full_attention" : "sliding_attention");
                }
            }
            default -> throw new IllegalArgumentException("family '" + family + "' is not supported; families: "
                    + String.join(", ", FAMILIES));
        }
        try {
            return DecoderConfig.parse(family + " " + size.name(), JSON.writeValueAsBytes(c));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Heap one model needs for training steps of B×T: 16 bytes per parameter and the activations. */
    public static long heapBytes(DecoderConfig config, int batch, int seqLen) {
        return 16 * config.parameterCount() + new DecoderArchitecture(config, null).activationBytes(batch, seqLen, true)
                + 12L * batch * seqLen;
    }

    /** One model to time: its family, size, config and heap estimate. */
    record Member(String family, Size size, DecoderConfig config, int batch, int seqLen, long heapBytes) {
        String label() {
            return family + " " + size.name();
        }
    }

    /**
     * The members in groups that fit in {@code maxHeap} less {@link #HEAP_MARGIN} together, in order;
     * a member that does not fit alone is refused with its estimate.
     */
    static List<List<Member>> groups(List<Member> members, long maxHeap) {
        long room = maxHeap - HEAP_MARGIN;
        List<List<Member>> groups = new ArrayList<>();
        List<Member> current = new ArrayList<>();
        long used = 0;
        for (Member m : members) {
            InsufficientHeapException.require(String.format(Locale.ROOT,
                    "the %s benchmark (%,d parameters: weights, gradients and AdamW moments, %,d bytes; activations of %d×%d tokens)",
                    m.label(), m.config().parameterCount(), 16 * m.config().parameterCount(), m.batch(), m.seqLen()),
                    m.heapBytes() + HEAP_MARGIN, maxHeap);
            if (!current.isEmpty() && used + m.heapBytes() > room) {
                groups.add(current);
                current = new ArrayList<>();
                used = 0;
            }
            current.add(m);
            used += m.heapBytes();
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    /** The members of {@code config}, by size then family. */
    static List<Member> members(Config config) {
        List<Member> members = new ArrayList<>();
        for (String name : config.sizes()) {
            Size size = size(name);
            int batch = config.batchOf(size);
            int seqLen = config.seqLenOf(size);
            if ((long) batch * seqLen * size.vocab() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("batch·seqLen·vocab of " + name + " must stay below 2^31 (logits in one array), got "
                        + batch + "·" + seqLen + "·" + size.vocab());
            }
            for (String family : config.families()) {
                DecoderConfig c = config(family, size, seqLen);
                members.add(new Member(family, size, c, batch, seqLen, heapBytes(c, batch, seqLen)));
            }
        }
        return members;
    }

    /** Runs the benchmark within this JVM's heap limit. */
    public static Result run(Config config, Progress progress) {
        return run(config, Runtime.getRuntime().maxMemory(), progress);
    }

    /** Runs the benchmark; models are grouped to fit in {@code maxHeap} bytes. */
    public static Result run(Config config, long maxHeap, Progress progress) {
        List<Member> members = members(config);
        List<List<Member>> all = new ArrayList<>();
        for (String name : config.sizes()) {
            all.addAll(groups(members.stream().filter(m -> m.size().name().equalsIgnoreCase(name)).toList(), maxHeap));
        }
        List<Row> rows = new ArrayList<>();
        for (int threads : config.threads()) {
            try (JvmBackend backend = new JvmBackend(threads, JvmBackend.DEFAULT_CHUNK_SIZE)) {
                for (int g = 0; g < all.size(); g++) {
                    rows.addAll(runGroup(all.get(g), g, threads, backend, config, progress));
                }
            }
        }
        return new Result(config.warmup(), config.repeats(), maxHeap, rows);
    }

    private static List<Row> runGroup(List<Member> group, int groupIndex, int threads, JvmBackend backend, Config config,
                                      Progress progress) {
        int n = group.size();
        String label = group.getFirst().size().name() + ", " + threads + " thread" + (threads == 1 ? "" : "s");
        List<DecoderModel> models = new ArrayList<>();
        List<AdamW> optimizers = new ArrayList<>();
        AdamWConfig adamW = AdamWConfig.defaults().withLr(1e-4).withNonFinite(NonFinitePolicy.UNCHECKED);
        try {
            progress.begin("building " + label, n);
            for (Member m : group) {
                DecoderModel model = new DecoderModel(m.config(), backend);
                models.add(model);
                model.initialize(config.seed());
                AdamW optimizer = new AdamW(adamW, model.layout(), backend);
                optimizers.add(optimizer);
                optimizer.prepare(model.parameters(), model.gradients());
                model.prepare(m.batch(), m.seqLen());
                progress.advance(1);
            }
            progress.end();
            int[][] tokens = new int[n][];
            int[][] targets = new int[n][];
            float[][] dlogp = new float[n][];
            for (int k = 0; k < n; k++) {
                Member m = group.get(k);
                int count = m.batch() * m.seqLen();
                SplittableRandom random = new SplittableRandom(config.seed() + 1);
                tokens[k] = new int[count];
                targets[k] = new int[count];
                for (int i = 0; i < count; i++) {
                    tokens[k][i] = random.nextInt(m.config().vocabSize());
                    targets[k][i] = random.nextInt(m.config().vocabSize());
                }
                dlogp[k] = new float[count];
                Arrays.fill(dlogp[k], -1f / count);
            }
            progress.begin("warm-up " + label, (long) config.warmup() * n);
            for (int w = 0; w < config.warmup(); w++) {
                for (int k = 0; k < n; k++) {
                    forward(models.get(k), tokens[k], group.get(k));
                    step(models.get(k), optimizers.get(k), tokens[k], targets[k], dlogp[k], group.get(k));
                    progress.advance(1);
                }
            }
            progress.end();
            int reps = config.repeats();
            double[][] fwd = new double[n][reps];
            double[][] total = new double[n][reps];
            double[][] stepFwd = new double[n][reps];
            double[][] bwd = new double[n][reps];
            double[][] opt = new double[n][reps];
            KernelProfile[] profiles = new KernelProfile[n];
            for (int k = 0; k < n; k++) {
                profiles[k] = new KernelProfile();
            }
            progress.begin("timing " + label, (long) reps * n);
            for (int r = 0; r < reps; r++) {
                for (int i = 0; i < n; i++) {
                    int k = (i + r) % n;
                    fwd[k][r] = forward(models.get(k), tokens[k], group.get(k));
                    backend.profile(profiles[k]);
                    long[] t = step(models.get(k), optimizers.get(k), tokens[k], targets[k], dlogp[k], group.get(k));
                    backend.profile(null);
                    stepFwd[k][r] = (t[1] - t[0]) / 1e6;
                    bwd[k][r] = (t[2] - t[1]) / 1e6;
                    opt[k][r] = (t[3] - t[2]) / 1e6;
                    total[k][r] = (t[3] - t[0]) / 1e6;
                    progress.advance(1);
                }
            }
            progress.end();
            List<Row> rows = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                Member m = group.get(k);
                int count = m.batch() * m.seqLen();
                TrainStepBenchmark.Timing forward = TrainStepBenchmark.Timing.of(fwd[k]);
                TrainStepBenchmark.Timing step = TrainStepBenchmark.Timing.of(total[k]);
                List<TrainStepBenchmark.KernelTime> kernels = new ArrayList<>();
                for (KernelProfile.Entry e : profiles[k].entries()) {
                    kernels.add(new TrainStepBenchmark.KernelTime(e.kernel().name(), (double) e.launches() / reps,
                            e.nanos() / 1e6 / reps));
                }
                rows.add(new Row(m.family(), m.size().name(), models.get(k).layout().totalSize(), m.config().tiedEmbeddings(),
                        threads, m.batch(), m.seqLen(), m.heapBytes(), forward, count / (forward.medianMs() / 1e3), step,
                        TrainStepBenchmark.Timing.of(stepFwd[k]), TrainStepBenchmark.Timing.of(bwd[k]),
                        TrainStepBenchmark.Timing.of(opt[k]), count / (step.medianMs() / 1e3), groupIndex, List.copyOf(kernels)));
            }
            return rows;
        } finally {
            optimizers.forEach(AdamW::close);
            models.forEach(DecoderModel::close);
        }
    }

    /** The logits of one batch; returns ms. */
    private static double forward(DecoderModel model, int[] tokens, Member m) {
        long t0 = System.nanoTime();
        model.logits(tokens, m.batch(), m.seqLen());
        return (System.nanoTime() - t0) / 1e6;
    }

    /** One training step; returns the times before forward, after forward, after backward, after the optimizer. */
    private static long[] step(DecoderModel model, AdamW optimizer, int[] tokens, int[] targets, float[] dlogp, Member m) {
        long t0 = System.nanoTime();
        model.zeroGradients();
        model.forward(tokens, targets, m.batch(), m.seqLen());
        long t1 = System.nanoTime();
        model.backward(dlogp);
        long t2 = System.nanoTime();
        optimizer.step(model.parameters(), model.gradients());
        long t3 = System.nanoTime();
        return new long[] {t0, t1, t2, t3};
    }

    /** The table printed by {@code casino bench family}; with {@code kernels}, each row's kernels follow it. */
    public static String table(Result result, boolean kernels) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "JVM backend; median (min-max) of %d forwards and %d training steps (forward log-probs + backward + AdamW) per model "
                        + "after %d warm-up each; models of a size interleaved; random weights (std 0.02)%n",
                result.repeats(), result.repeats(), result.warmup()));
        sb.append(String.format(Locale.ROOT, "%-12s %-5s %12s %4s %3s %8s %10s %11s %26s %9s %9s %9s %10s%n", "family", "size",
                "params", "tied", "thr", "BxT", "fwd ms", "fwd tok/s", "step ms", "step fwd", "backward", "adamw", "step tok/s"));
        for (Row r : result.rows()) {
            sb.append(String.format(Locale.ROOT, "%-12s %-5s %,12d %4s %3d %8s %10.2f %,11.0f %26s %9.2f %9.2f %9.2f %,10.0f%n",
                    r.family(), r.size(), r.params(), r.tiedEmbeddings() ? "yes" : "no", r.threads(), r.batch() + "x" + r.seqLen(),
                    r.forward().medianMs(), r.forwardTokensPerSecond(), timing(r.step()), r.stepForward().medianMs(),
                    r.backward().medianMs(), r.optimizer().medianMs(), r.stepTokensPerSecond()));
        }
        long groups = result.rows().stream().map(r -> r.size() + "/" + r.group()).distinct().count();
        long sizes = result.rows().stream().map(Row::size).distinct().count();
        if (groups > sizes) {
            sb.append(String.format(Locale.ROOT, "(the heap limit of %s does not hold every family of a size at once: those ran in "
                    + "groups one after the other)%n", InsufficientHeapException.gigabytes(result.maxHeapBytes())));
        }
        if (kernels) {
            for (Row r : result.rows()) {
                double sum = r.kernels().stream().mapToDouble(TrainStepBenchmark.KernelTime::msPerStep).sum();
                sb.append(String.format(Locale.ROOT, "%n%s %s, %d thread%s: per kernel, ms per timed step (all kernels %.2f ms)%n",
                        r.family(), r.size(), r.threads(), r.threads() == 1 ? "" : "s", sum));
                for (TrainStepBenchmark.KernelTime k : r.kernels()) {
                    sb.append(String.format(Locale.ROOT, "  %-32s %7.1f launches %10.2f ms %6.1f%%%n", k.kernel(), k.launchesPerStep(),
                            k.msPerStep(), sum == 0 ? 0 : 100 * k.msPerStep() / sum));
                }
            }
        }
        return sb.toString();
    }

    private static String timing(TrainStepBenchmark.Timing t) {
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", t.medianMs(), t.minMs(), t.maxMs());
    }
}
