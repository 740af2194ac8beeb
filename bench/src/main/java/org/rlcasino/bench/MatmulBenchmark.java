package org.rlcasino.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import org.rlcasino.io.Progress;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelLaunch;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.RangeKernel;
import org.rlcasino.kernels.jvm.VectorMatmulKernels;

/**
 * GFLOP/s of the trainer's matrix products: the reference {@code @Parallel} kernels of
 * {@link MatmulKernels} against the Vector API fast paths of {@link VectorMatmulKernels} (through
 * the JVM backend, as the trainer launches them), at the GPT-2 trainer's shapes and each thread
 * count, and optionally PyTorch's sgemm at the same shapes and threads. Fast and reference samples
 * alternate within each round so that load on the machine affects both alike; each sample repeats
 * the product until it lasts {@value #TARGET_SAMPLE_MILLIS} ms, and the median over rounds is kept.
 */
public final class MatmulBenchmark {
    private static final long TARGET_SAMPLE_MILLIS = 30;

    /** Which product: NN = a·b, NT = a·bᵀ, TN = aᵀ·b (a is M×K in every case). */
    public enum Op { NN, NT, TN }

    /**
     * One product shape.
     *
     * @param label what it is in the trainer
     * @param op    the product
     * @param m     rows of a (for TN the reduced extent)
     * @param k     columns of a
     * @param n     output columns
     */
    public record Case(String label, Op op, int m, int k, int n) {
        public Case {
            if (m < 1 || k < 1 || n < 1) {
                throw new IllegalArgumentException("matmul case " + label + ": extents must be >= 1, got " + m + "x" + k + "x" + n);
            }
        }

        /** Floating-point operations: one multiply and one add per term. */
        public double flops() {
            return 2.0 * m * k * n;
        }

        /** {@code OP:MxKxN}, as the torch script reads it. */
        public String spec() {
            return op + ":" + m + "x" + k + "x" + n;
        }

        int range() {
            return op == Op.TN ? k * n : m * n;
        }
    }

    /**
     * The products of one GPT-2 block and the tied head in a training step with {@code rows = B·T} token rows, width {@code c}
     * and vocabulary {@code v} (layers repeat the same shapes): the forward of each Conv1D layer
     * (NN), its input gradient (NT) and weight gradient (TN), and the tied head's logits (NT),
     * input gradient (NN) and weight gradient (TN).
     */
    public static List<Case> gpt2Cases(int rows, int c, int v) {
        List<Case> cases = new ArrayList<>();
        int[][] layers = {{c, 3 * c}, {c, c}, {c, 4 * c}, {4 * c, c}};
        String[] names = {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"};
        for (int l = 0; l < layers.length; l++) {
            cases.add(new Case(names[l] + " forward", Op.NN, rows, layers[l][0], layers[l][1]));
        }
        cases.add(new Case("lm_head forward", Op.NT, rows, c, v));
        for (int l = 0; l < layers.length; l++) {
            cases.add(new Case(names[l] + " dX", Op.NT, rows, layers[l][1], layers[l][0]));
        }
        cases.add(new Case("lm_head dX", Op.NN, rows, v, c));
        for (int l = 0; l < layers.length; l++) {
            cases.add(new Case(names[l] + " dW", Op.TN, rows, layers[l][0], layers[l][1]));
        }
        cases.add(new Case("lm_head dW", Op.TN, rows, v, c));
        return cases;
    }

    /**
     * What to run.
     *
     * @param cases            the shapes
     * @param threads          JVM thread counts (torch gets the same)
     * @param warmup           warm-up samples per arm
     * @param repeats          timed samples of the fast path (median kept)
     * @param referenceRepeats timed samples of the reference kernels (0: not timed; they are slow)
     * @param seed             data seed
     * @param python           Python with torch, or null for no torch column
     */
    public record Config(List<Case> cases, List<Integer> threads, int warmup, int repeats, int referenceRepeats,
                         long seed, Path python) {
        public Config {
            if (cases == null || cases.isEmpty()) {
                throw new IllegalArgumentException("matmul benchmark needs at least one case");
            }
            if (threads == null || threads.isEmpty() || threads.stream().anyMatch(t -> t < 1)) {
                throw new IllegalArgumentException("threads must list counts >= 1, got " + threads);
            }
            if (warmup < 0 || repeats < 1 || referenceRepeats < 0 || referenceRepeats > repeats) {
                throw new IllegalArgumentException("need warmup >= 0, repeats >= 1 and 0 <= reference repeats <= repeats, got "
                        + warmup + ", " + repeats + ", " + referenceRepeats);
            }
            cases = List.copyOf(cases);
            threads = List.copyOf(threads);
        }
    }

    /**
     * One shape at one thread count.
     *
     * @param fastMs         median ms per product, Vector API fast path
     * @param fastGflops     its GFLOP/s
     * @param referenceMs    median ms per product, reference kernel (NaN when not timed)
     * @param referenceGflops its GFLOP/s (NaN when not timed)
     * @param torchGflops    PyTorch sgemm GFLOP/s at the same shape and threads (NaN when not timed)
     */
    public record Row(String label, String op, int m, int k, int n, int threads, double fastMs, double fastMinMs,
                      double fastMaxMs, double fastGflops, double referenceMs, double referenceGflops,
                      double torchGflops) {
        /** Fast path over reference. */
        public double speedup() {
            return referenceMs / fastMs;
        }

        /** Fast path GFLOP/s as a fraction of torch's. */
        public double ofTorch() {
            return fastGflops / torchGflops;
        }
    }

    /**
     * Totals over all cases at one thread count: the time one training step's products take.
     *
     * @param fastGflops      total flops / total fast-path median time
     * @param referenceGflops the same for the reference kernels (NaN when not timed)
     * @param torchGflops     the same for torch (NaN when not timed)
     */
    public record Total(int threads, double flops, double fastMs, double fastGflops, double referenceMs,
                        double referenceGflops, double torchMs, double torchGflops) {}

    /** Torch's answer at one thread count. */
    public record TorchRun(int threads, String skippedBecause, String torchVersion, String blas,
                           List<String> blasLibraries) {}

    /** Everything measured. */
    public record Result(int vectorLanes, int warmup, int repeats, int referenceRepeats, List<Row> rows,
                         List<Total> totals, List<TorchRun> torch) {}

    private MatmulBenchmark() {}

    /** Runs the benchmark. */
    public static Result run(Config config, Progress progress) {
        List<Row> rows = new ArrayList<>();
        List<Total> totals = new ArrayList<>();
        List<TorchRun> torchRuns = new ArrayList<>();
        for (int threads : config.threads()) {
            Map<String, Double> torch = new HashMap<>();
            if (config.python() != null) {
                progress.begin("torch " + threads + "t", 1);
                List<String> specs = config.cases().stream().map(Case::spec).distinct().toList();
                TorchBench.Outcome outcome = TorchBench.run(config.python(), List.of("matmul", "--threads",
                        String.valueOf(threads), "--cases", String.join(",", specs), "--warmup",
                        String.valueOf(Math.max(1, config.warmup())), "--repeats", String.valueOf(config.repeats())), 30);
                if (outcome.ran()) {
                    for (JsonNode c : outcome.json().path("cases")) {
                        torch.put(c.get("case").asText(), c.get("median_ms").asDouble());
                    }
                }
                torchRuns.add(new TorchRun(threads, outcome.skippedBecause(), outcome.torchVersion(), outcome.blas(),
                        outcome.blasLibraries()));
                progress.advance(1);
                progress.end();
            }
            double flops = 0;
            double fastTotal = 0;
            double refTotal = 0;
            double torchTotal = 0;
            try (JvmBackend backend = new JvmBackend(threads, JvmBackend.DEFAULT_CHUNK_SIZE)) {
                progress.begin("jvm " + threads + "t", config.cases().size());
                for (Case c : config.cases()) {
                    Row row = timeCase(backend, c, threads, config);
                    Double torchMs = torch.get(c.spec());
                    double torchGflops = torchMs == null ? Double.NaN : c.flops() / (torchMs * 1e6);
                    row = new Row(row.label(), row.op(), row.m(), row.k(), row.n(), threads, row.fastMs(),
                            row.fastMinMs(), row.fastMaxMs(), row.fastGflops(), row.referenceMs(),
                            row.referenceGflops(), torchGflops);
                    rows.add(row);
                    flops += c.flops();
                    fastTotal += row.fastMs();
                    refTotal += row.referenceMs();
                    torchTotal += torchMs == null ? Double.NaN : torchMs;
                    progress.advance(1);
                }
                progress.end();
            }
            totals.add(new Total(threads, flops, fastTotal, flops / (fastTotal * 1e6), refTotal,
                    flops / (refTotal * 1e6), torchTotal, flops / (torchTotal * 1e6)));
        }
        return new Result(VectorMatmulKernels.lanes(), config.warmup(), config.repeats(), config.referenceRepeats(),
                rows, totals, torchRuns);
    }

    private static Row timeCase(JvmBackend backend, Case c, int threads, Config config) {
        SplittableRandom random = new SplittableRandom(config.seed() ^ c.spec().hashCode());
        float[] a = gaussian(random, c.m() * c.k());
        float[] b = gaussian(random, c.op() == Op.TN ? c.m() * c.n() : c.k() * c.n());
        float[] bias = gaussian(random, c.n());
        float[] out = new float[c.range()];
        int[] dims = MatmulKernels.dims(c.m(), c.k(), c.n(), 0, 0, 0, 0, 0);
        Kernel kernel = switch (c.op()) {
            case NN -> Kernel.MATMUL_NN;
            case NT -> Kernel.MATMUL_NT;
            case TN -> Kernel.MATMUL_TN;
        };
        RangeKernel fast = switch (c.op()) {
            case NN -> (offset, count) -> VectorMatmulKernels.matmulNN(out, a, b, bias, dims, offset, count);
            case NT -> (offset, count) -> VectorMatmulKernels.matmulNT(out, a, b, bias, dims, offset, count);
            case TN -> (offset, count) -> VectorMatmulKernels.matmulTN(out, a, b, bias, dims, offset, count);
        };
        int grain = switch (c.op()) {
            case NN -> VectorMatmulKernels.grain(c.m(), c.n());
            case NT -> VectorMatmulKernels.grain(c.m(), c.n());
            case TN -> VectorMatmulKernels.grain(c.k(), c.n());
        };
        KernelLaunch fastLaunch = backend.prepare(call(kernel, out, a, b, bias, dims, c.range(), fast, grain));
        KernelLaunch refLaunch = backend.prepare(call(kernel, out, a, b, bias, dims, c.range(), null, grain));
        for (int w = 0; w < config.warmup(); w++) {
            sample(fastLaunch, 1);
        }
        if (config.referenceRepeats() > 0) {
            sample(refLaunch, 1);
        }
        int fastCalls = calls(fastLaunch);
        int refCalls = config.referenceRepeats() > 0 ? calls(refLaunch) : 0;
        double[] fastMs = new double[config.repeats()];
        double[] refMs = new double[config.referenceRepeats()];
        for (int r = 0; r < config.repeats(); r++) {
            fastMs[r] = sample(fastLaunch, fastCalls);
            if (r < refMs.length) {
                refMs[r] = sample(refLaunch, refCalls);
            }
        }
        Arrays.sort(fastMs);
        double fastMedian = median(fastMs);
        double ref = refMs.length == 0 ? Double.NaN : median(refMs);
        return new Row(c.label(), c.op().name(), c.m(), c.k(), c.n(), threads, fastMedian, fastMs[0],
                fastMs[fastMs.length - 1], c.flops() / (fastMedian * 1e6), ref, c.flops() / (ref * 1e6), Double.NaN);
    }

    private static KernelCall call(Kernel kernel, float[] out, float[] a, float[] b, float[] bias, int[] dims,
                                   int range, RangeKernel fast, int grain) {
        KernelCall.Builder builder = KernelCall.builder("bench.matmul", kernel)
                .output(out).input(a).input(b).input(bias).constant(dims).grain(grain);
        if (fast != null) {
            builder.jvmFastPath(fast);
        }
        return builder.over(range);
    }

    /** Launches to repeat per sample so that one sample lasts about the target time. */
    private static int calls(KernelLaunch launch) {
        double ms = sample(launch, 1);
        return (int) Math.max(1, Math.min(10_000, TARGET_SAMPLE_MILLIS / Math.max(ms, 1e-3)));
    }

    /** Median ms per launch over {@code calls} launches. */
    private static double sample(KernelLaunch launch, int calls) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            launch.launch();
        }
        return (System.nanoTime() - t0) / 1e6 / calls;
    }

    static float[] gaussian(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    /** The table printed by {@code casino bench matmul}. */
    public static String table(Result result) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Vector API %d lanes; median of %d samples (reference: %d) after %d warm-up samples; GFLOP/s = 2·M·K·N / time%n",
                result.vectorLanes(), result.repeats(), result.referenceRepeats(), result.warmup()));
        for (TorchRun t : result.torch()) {
            if (t.skippedBecause() != null) {
                sb.append(String.format(Locale.ROOT, "PyTorch, %d threads: omitted (%s)%n", t.threads(), t.skippedBecause()));
            } else {
                sb.append(String.format(Locale.ROOT, "PyTorch %s, %d threads, BLAS: %s (%s)%n", t.torchVersion(),
                        t.threads(), t.blas(), String.join(", ", t.blasLibraries())));
            }
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%-20s %-3s %17s %3s %10s %9s %9s %8s %9s %8s%n", "product", "op",
                "M x K x N", "thr", "fast ms", "fast GF/s", "ref GF/s", "speedup", "torch GF/s", "of torch"));
        for (Row r : result.rows()) {
            sb.append(String.format(Locale.ROOT, "%-20s %-3s %17s %3d %10.3f %9.1f %9s %8s %9s %8s%n", r.label(), r.op(),
                    r.m() + "x" + r.k() + "x" + r.n(), r.threads(), r.fastMs(), r.fastGflops(),
                    fmt(r.referenceGflops(), "%.2f"), fmt(r.speedup(), "%.1fx"), fmt(r.torchGflops(), "%.1f"),
                    fmt(100 * r.ofTorch(), "%.0f%%")));
        }
        sb.append('\n');
        for (Total t : result.totals()) {
            sb.append(String.format(Locale.ROOT,
                    "all products (one block + head), %d thread%s: %.2f GFLOP in %.1f ms fast (%.1f GFLOP/s), reference %s ms (%s GFLOP/s), torch %s ms (%s GFLOP/s)%n",
                    t.threads(), t.threads() == 1 ? "" : "s", t.flops() / 1e9, t.fastMs(), t.fastGflops(),
                    fmt(t.referenceMs(), "%.1f"), fmt(t.referenceGflops(), "%.2f"), fmt(t.torchMs(), "%.1f"),
                    fmt(t.torchGflops(), "%.1f")));
        }
        return sb.toString();
    }

    static String fmt(double value, String format) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" : String.format(Locale.ROOT, format, value);
    }
}
