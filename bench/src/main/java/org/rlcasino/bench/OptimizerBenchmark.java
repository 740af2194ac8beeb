package org.rlcasino.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.rlcasino.io.Progress;
import org.rlcasino.optimizer.AdamW;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.optimizer.BsrAdamW;
import org.rlcasino.optimizer.BsrAdamWOptions;
import org.rlcasino.optimizer.NonFinitePolicy;
import org.rlcasino.optimizer.Optimizer;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.ParameterLayout;

/**
 * Times dense {@link AdamW} against {@link BsrAdamW} side by side in one process: every optimizer
 * shares the same parameter and gradient buffers, all are warmed up first, then the repeats
 * interleave them (one sample of each per round, the starting optimizer rotating each round), so
 * drifts of the machine affect all alike. Each sample runs enough steps to last a few
 * milliseconds; the figure kept is the median over repeats of the time per step.
 */
public final class OptimizerBenchmark {
    /** Columns of the synthetic 2-D tensors. */
    public static final int COLUMNS = 4096;
    private static final long TARGET_SAMPLE_NANOS = 4_000_000;

    /**
     * What to run.
     *
     * @param params        parameters in all, as 2-D tensors of ≤1024 × {@value #COLUMNS}
     * @param sparsities    percentages in [0, 100); 0 is the full mask (BSR-AdamW updating everything)
     * @param shapes        mask shapes timed at each non-zero sparsity
     * @param warmup        warm-up rounds
     * @param repeats       timed rounds
     * @param seed          seed of masks and data
     * @param jvmFastPath   use the Vector API kernels for sparse steps on the JVM
     * @param triadElements elements per triad array (0 skips the bandwidth measurement)
     */
    public record Config(long params, List<Double> sparsities, List<MaskShape> shapes, int warmup, int repeats,
                         long seed, boolean jvmFastPath, int triadElements) {
        public Config {
            if (params < 1024 || params > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("params must be in [1024, 2^31-9], got " + params);
            }
            if (sparsities == null || sparsities.isEmpty()) {
                throw new IllegalArgumentException("sparsities must list at least one percentage");
            }
            for (double s : sparsities) {
                if (!(s >= 0 && s < 100)) {
                    throw new IllegalArgumentException("sparsity must be in [0, 100) percent, got " + s);
                }
            }
            if (shapes == null || shapes.isEmpty()) {
                throw new IllegalArgumentException("shapes must list at least one mask shape");
            }
            if (warmup < 0 || repeats < 1) {
                throw new IllegalArgumentException("warmup must be >= 0 and repeats >= 1, got " + warmup + ", " + repeats);
            }
            if (triadElements < 0) {
                throw new IllegalArgumentException("triadElements must be >= 0, got " + triadElements);
            }
            sparsities = List.copyOf(sparsities);
            shapes = List.copyOf(shapes);
        }
    }


    /**
     * One timed optimizer.
     *
     * @param optimizer       {@code adamw} or {@code bsr-adamw}
     * @param shape           mask shape label ({@code dense}, {@code full} for the 0 % mask, or a {@link MaskShape} label)
     * @param sparsity        percent of parameters not updated
     * @param indexing        kernel used ({@code dense}, {@code ELEMENT}, {@code BLOCK})
     * @param active          parameters updated per step
     * @param runs            row segments (block indexing), else 0
     * @param medianMs        median time per step over repeats
     * @param minMs           fastest repeat
     * @param maxMs           slowest repeat
     * @param nsPerParam      median time per step divided by all parameters
     * @param modelBytes      bytes per step under {@link ByteModel}
     * @param modelGBps       modelBytes / median time
     * @param fractionOfTriad modelGBps / the triad's best GB/s (NaN when not measured)
     * @param modelSpeedup    dense model bytes / this model's bytes: the speed-up bandwidth allows
     * @param speedup         dense median / this median
     * @param stateBytes      optimizer state (moments and indices)
     */
    public record Row(String optimizer, String shape, double sparsity, String indexing, long active, long runs,
                      double medianMs, double minMs, double maxMs, double nsPerParam, long modelBytes,
                      double modelGBps, double fractionOfTriad, double modelSpeedup, double speedup, long stateBytes) {}

    /** Everything measured. */
    public record Result(String backend, int threads, long params, int tensors, int warmup, int repeats, long seed,
                         boolean jvmFastPath, int vectorLanes, CopyBandwidth.Result triad, List<Row> rows) {}

    private record Candidate(String shape, double sparsity, Optimizer optimizer, long modelBytes,
                             String indexing, long runs, long active) {}

    private final Backend backend;
    private final JvmBackend host;

    /**
     * @param backend runs the optimizers
     * @param host    runs the host-side bandwidth probe (the same object when benchmarking the JVM)
     */
    public OptimizerBenchmark(Backend backend, JvmBackend host) {
        this.backend = backend;
        this.host = host;
    }

    public Result run(Config config, Progress progress) {
        ParameterLayout layout = SyntheticMasks.matrices(config.params(), COLUMNS);
        int n = layout.totalSize();
        CopyBandwidth.Result triad = null;
        if (config.triadElements() > 0) {
            progress.begin("triad", 1);
            triad = CopyBandwidth.measure(host, config.triadElements(), 10);
            progress.advance(1);
            progress.end();
        }

        float[] params = new float[n];
        float[] grads = new float[n];
        SplittableRandom random = new SplittableRandom(config.seed());
        for (int i = 0; i < n; i++) {
            params[i] = (float) ((random.nextDouble() - 0.5) * 0.04);
            grads[i] = (float) ((random.nextDouble() - 0.5) * 2e-3);
        }

        AdamWConfig adamW = AdamWConfig.defaults().withNonFinite(NonFinitePolicy.UNCHECKED);
        BsrAdamWOptions options = BsrAdamWOptions.DEFAULTS.withJvmFastPath(config.jvmFastPath());
        List<Candidate> candidates = new ArrayList<>();
        long denseBytes = ByteModel.denseStepBytes(n);
        candidates.add(new Candidate("dense", 0, new AdamW(adamW, layout, backend), denseBytes, "dense", 0, n));
        progress.begin("masks", (long) config.sparsities().size() * config.shapes().size());
        for (double sparsity : config.sparsities()) {
            for (MaskShape shape : config.shapes()) {
                boolean full = sparsity == 0;
                if (full && shape != config.shapes().getFirst()) {
                    progress.advance(1);
                    continue; // the full mask has no shape: time it once
                }
                Map<String, int[]> mask = full ? Map.of()
                        : SyntheticMasks.blocks(layout, shape.block(), 1 - sparsity / 100, config.seed() + shape.ordinal());
                BsrAdamWOptions opts = options.withBlockShape(shape.block());
                if (full) {
                    opts = opts.withUnmaskedTensors(BsrAdamWOptions.UnmaskedTensors.DENSE);
                }
                BsrAdamW bsr = new BsrAdamW(adamW, layout, mask, opts, backend);
                long lines = full ? ByteModel.linesSpanned(n) : ByteModel.linesTouched(layout, mask);
                long runs = bsr.indexing() == BsrAdamWOptions.Indexing.BLOCK ? bsr.runCount() : -1;
                long bytes = ByteModel.sparseStepBytes(lines, bsr.activeCount(), runs);
                candidates.add(new Candidate(full ? "full" : shape.label(), sparsity, bsr, bytes,
                        bsr.indexing().name(), Math.max(0, runs), bsr.activeCount()));
                progress.advance(1);
            }
        }
        progress.end();

        int[] stepsPerSample = new int[candidates.size()];
        progress.begin("warm-up", (long) config.warmup() * candidates.size() + candidates.size());
        for (int w = 0; w < config.warmup(); w++) {
            for (Candidate c : candidates) {
                timeSteps(c.optimizer(), params, grads, 3);
                progress.advance(1);
            }
        }
        for (int c = 0; c < candidates.size(); c++) {
            long nanos = timeSteps(candidates.get(c).optimizer(), params, grads, 1);
            stepsPerSample[c] = (int) Math.max(1, Math.min(2000, TARGET_SAMPLE_NANOS / Math.max(1, nanos)));
            progress.advance(1);
        }
        progress.end();

        double[][] perStepMs = new double[candidates.size()][config.repeats()];
        progress.begin("timing", (long) config.repeats() * candidates.size());
        for (int r = 0; r < config.repeats(); r++) {
            for (int k = 0; k < candidates.size(); k++) {
                int c = (k + r) % candidates.size();
                long nanos = timeSteps(candidates.get(c).optimizer(), params, grads, stepsPerSample[c]);
                perStepMs[c][r] = nanos / 1e6 / stepsPerSample[c];
                progress.advance(1);
            }
        }
        progress.end();

        double denseMedian = median(perStepMs[0]);
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < candidates.size(); c++) {
            Candidate cand = candidates.get(c);
            double[] samples = perStepMs[c].clone();
            Arrays.sort(samples);
            double med = median(samples);
            double gbps = cand.modelBytes() / (med * 1e6);
            rows.add(new Row(c == 0 ? "adamw" : "bsr-adamw", cand.shape(), cand.sparsity(), cand.indexing(),
                    cand.active(), cand.runs(), med, samples[0], samples[samples.length - 1], med * 1e6 / n,
                    cand.modelBytes(), gbps, triad == null ? Double.NaN : gbps / triad.bestGBps(),
                    (double) denseBytes / cand.modelBytes(), denseMedian / med, cand.optimizer().stateBytes()));
        }
        return new Result(backend.name(), backend.parallelism(), n, layout.tensors().size(), config.warmup(),
                config.repeats(), config.seed(), config.jvmFastPath(),
                org.rlcasino.kernels.jvm.VectorAdamWKernels.lanes(), triad, rows);
    }

    private static long timeSteps(Optimizer optimizer, float[] params, float[] grads, int steps) {
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            optimizer.step(params, grads);
        }
        return System.nanoTime() - t0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
