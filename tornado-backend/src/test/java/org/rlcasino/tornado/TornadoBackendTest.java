package org.rlcasino.tornado;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.rlcasino.optimizer.AdamW;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.optimizer.BsrAdamW;
import org.rlcasino.optimizer.BsrAdamWOptions;
import org.rlcasino.optimizer.LearningRateSchedule;
import org.rlcasino.optimizer.Optimizer;
import org.rlcasino.optimizer.StepReport;
import org.rlcasino.kernels.AdamWKernels;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.BlockSparseMatmulKernels;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.ScoringKernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Every kernel through TornadoVM against the JVM backend. Tolerance: OpenCL contracts
 * {@code a*b+c} into fused multiply-adds (one rounding instead of two), so device results differ
 * from the JVM's by a few ulps per operation: we allow 1e-5 relative plus 1e-7 absolute, over up
 * to 20 optimizer steps. Needs TORNADOVM_HOME (run with {@code mvn -B -ntp -Ptornado -Dgroups=tornado verify}).
 */
@Tag("tornado")
class TornadoBackendTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-7;
    private static TornadoBackend tornado;
    private static JvmBackend jvm;

    @BeforeAll
    static void start() {
        boolean present = System.getenv("TORNADOVM_HOME") != null;
        if (!present) {
            System.err.println("TORNADOVM_HOME is not set: TornadoVM parity tests SKIPPED (set it to a TornadoVM SDK for JDK 25)");
        }
        assumeTrue(present, "TORNADOVM_HOME is not set: TornadoVM parity tests skipped");
        tornado = new TornadoBackend(-1, 0);
        jvm = new JvmBackend(2, 1000);
    }

    @AfterAll
    static void stop() {
        if (tornado != null) {
            tornado.close();
            jvm.close();
        }
    }

    private static float[] random(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    private static float[] hyper(long step) {
        double lr = 1e-2, wd = 0.05, b1 = 0.9, b2 = 0.999;
        float[] h = new float[AdamWKernels.HYPER_LENGTH];
        h[AdamWKernels.H_DECAY] = (float) (1 - lr * wd);
        h[AdamWKernels.H_BETA1] = (float) b1;
        h[AdamWKernels.H_ONE_MINUS_BETA1] = (float) (1 - b1);
        h[AdamWKernels.H_BETA2] = (float) b2;
        h[AdamWKernels.H_ONE_MINUS_BETA2] = (float) (1 - b2);
        h[AdamWKernels.H_STEP_SIZE] = (float) (lr / (1 - Math.pow(b1, step)));
        h[AdamWKernels.H_BC2_SQRT] = (float) Math.sqrt(1 - Math.pow(b2, step));
        h[AdamWKernels.H_EPS] = 1e-8f;
        h[AdamWKernels.H_GRAD_SCALE] = 0.5f;
        return h;
    }

    /** Runs {@code calls} (one per backend, same kernel on copies of the same data) for 5 launches each. */
    private static void compareKernel(Kernel kernel, int n, java.util.function.BiFunction<Backend, Object[], KernelCall> make,
                                      Object[] data) {
        compareKernel(kernel, n, make, data, ATOL, RTOL);
    }

    /** As above, with the tolerance of a longer reduction. */
    private static void compareKernel(Kernel kernel, int n, java.util.function.BiFunction<Backend, Object[], KernelCall> make,
                                      Object[] data, double atol, double rtol) {
        Object[] onJvm = copy(data);
        Object[] onDevice = copy(data);
        var jvmLaunch = jvm.prepare(make.apply(jvm, onJvm));
        var deviceLaunch = tornado.prepare(make.apply(tornado, onDevice));
        for (int launch = 0; launch < 5; launch++) {
            jvmLaunch.launch();
            deviceLaunch.launch();
        }
        for (int i = 0; i < data.length; i++) {
            if (onDevice[i] instanceof float[] f) {
                tornado.syncToHost(f);
                assertClose(kernel + " argument " + i, f, (float[]) onJvm[i], atol, rtol);
            } else if (onDevice[i] instanceof int[] ints) {
                assertThat(ints).as(kernel + " argument " + i).isEqualTo((int[]) onJvm[i]);
            }
        }
        TornadoBackend.LaunchProfile profile = ((TornadoBackend.TornadoLaunch) deviceLaunch).lastProfile();
        assertThat(profile.compileNanos()).as(kernel + ": no compilation after warm-up").isZero();
        System.out.printf("%s on %s: OK over %d iterations, last launch kernel %.3f ms, compile %d ns%n",
                kernel, tornado.name(), n, profile.kernelNanos() / 1e6, profile.compileNanos());
    }

    private static Object[] copy(Object[] data) {
        Object[] c = new Object[data.length];
        for (int i = 0; i < data.length; i++) {
            c[i] = data[i] instanceof float[] f ? f.clone() : data[i] instanceof int[] a ? a.clone() : data[i];
        }
        return c;
    }

    @Test
    void adamWKernelMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 100_003;
        Object[] data = {random(r, n, 1), new float[n], new float[n], random(r, n, 1e-2), hyper(3)};
        compareKernel(Kernel.ADAMW, n, (b, a) -> KernelCall.builder("test.adamw", Kernel.ADAMW)
                .state((float[]) a[0]).state((float[]) a[1]).state((float[]) a[2]).input((float[]) a[3])
                .input((float[]) a[4]).over(n), data);
    }

    @Test
    void sparseAdamWKernelMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 50_000;
        int[] idx = r.ints(0, n).distinct().limit(2_000).sorted().toArray();
        Object[] data = {random(r, n, 1), new float[idx.length], new float[idx.length], random(r, n, 1e-2), idx, hyper(2)};
        compareKernel(Kernel.SPARSE_ADAMW, idx.length, (b, a) -> KernelCall.builder("test.sparse_adamw", Kernel.SPARSE_ADAMW)
                .state((float[]) a[0]).state((float[]) a[1]).state((float[]) a[2]).input((float[]) a[3])
                .constant((int[]) a[4]).input((float[]) a[5]).over(idx.length), data);
    }

    @Test
    void blockSparseAdamWKernelMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(3);
        int runs = 500;
        int[] start = new int[runs];
        int[] state = new int[runs];
        int[] length = new int[runs];
        int next = 0;
        int s = 0;
        for (int k = 0; k < runs; k++) {
            next += 1 + r.nextInt(40);
            start[k] = next;
            length[k] = 1 + r.nextInt(33);
            state[k] = s;
            s += length[k];
            next += length[k];
        }
        int n = next + 10;
        Object[] data = {random(r, n, 1), new float[s], new float[s], random(r, n, 1e-2), start, state, length, hyper(4)};
        compareKernel(Kernel.BLOCK_SPARSE_ADAMW, runs, (b, a) -> KernelCall.builder("test.block_sparse_adamw",
                        Kernel.BLOCK_SPARSE_ADAMW)
                .state((float[]) a[0]).state((float[]) a[1]).state((float[]) a[2]).input((float[]) a[3])
                .constant((int[]) a[4]).constant((int[]) a[5]).constant((int[]) a[6]).input((float[]) a[7]).over(runs), data);
    }

    @Test
    void blockSparseMatmulTNMatchesTheJvmAndLeavesInactiveBlocksAlone() {
        SplittableRandom r = new SplittableRandom(21);
        int m = 96;
        int k = 70; // 16x16 blocks: the last block row and column are partial
        int n = 90;
        int[] rows = {0, 0, 1, 2, 4, 4};
        int[] cols = {0, 5, 3, 1, 0, 5};
        int[] blocks = BlockSparseMatmulKernels.blocks(k, n, 16, 16, rows, cols);
        int[] dims = MatmulKernels.dims(m, k, n, 3, 1, 2, 0, MatmulKernels.F_ACCUMULATE);
        int range = BlockSparseMatmulKernels.iterations(blocks);
        float[] out = random(r, 3 + k * n, 1);
        Object[] data = {out, random(r, 1 + m * k, 1), random(r, 2 + m * n, 0.25), blocks, dims};
        Object[] onDevice = copy(data);
        // 5 accumulating launches of 96-term sums of products up to 0.25: with one rounding per step on
        // the device (contracted a*b+c) and two on the JVM, entries of magnitude ~1-5 differ by ~1e-6
        compareKernel(Kernel.BLOCK_SPARSE_MATMUL_TN, range, (b, a) -> KernelCall.builder("test.block_sparse_matmul_tn",
                        Kernel.BLOCK_SPARSE_MATMUL_TN)
                .state((float[]) a[0]).input((float[]) a[1]).input((float[]) a[2]).constant((int[]) a[3])
                .constant((int[]) a[4]).over(range), data, 1e-5, RTOL);
        // entries outside the active blocks are never written, on the device either
        var launch = tornado.prepare(KernelCall.builder("test.block_sparse_untouched", Kernel.BLOCK_SPARSE_MATMUL_TN)
                .state((float[]) onDevice[0]).input((float[]) onDevice[1]).input((float[]) onDevice[2])
                .constant(blocks).constant(dims).over(range));
        launch.launch();
        tornado.syncToHost((float[]) onDevice[0]);
        float[] result = (float[]) onDevice[0];
        int changed = 0;
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < n; j++) {
                boolean active = false;
                for (int q = 0; q < rows.length; q++) {
                    active |= kk / 16 == rows[q] && j / 16 == cols[q];
                }
                int o = 3 + kk * n + j;
                if (!active) {
                    assertThat(result[o]).as("inactive entry (%d, %d)", kk, j).isEqualTo(out[o]);
                } else if (result[o] != out[o]) {
                    changed++;
                }
            }
        }
        assertThat(changed).isPositive();
    }

    private static int[] tiedKeys(SplittableRandom r, int n) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = org.rlcasino.kernels.SelectionKernels.key(
                    r.nextInt(4) == 0 ? 0.25f * r.nextInt(8) : (float) (r.nextDouble() - 0.2) * 1e3f);
        }
        return x;
    }

    @Test
    void digitHistogramPartialsMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 70_001;
        int block = 4096;
        int radix = 2048;
        int blocks = (n + block - 1) / block;
        int[] scores = tiedKeys(r, n);
        int[] params = {n, 10, 2047, 21, org.rlcasino.kernels.SelectionKernels.key(0.5f) >>> 21, 1, 2047};
        Object[] data = {new int[blocks * radix], scores, params};
        compareKernel(Kernel.DIGIT_HISTOGRAM_PARTIALS, blocks, (b, a) -> KernelCall.builder("test.digit_histogram",
                        Kernel.DIGIT_HISTOGRAM_PARTIALS)
                .output((int[]) a[0]).input((int[]) a[1]).input((int[]) a[2]).size(radix).size(block).over(blocks), data);
    }

    @Test
    void countAbovePartialsMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(12);
        int n = 70_001;
        int block = 4096;
        int blocks = (n + block - 1) / block;
        int[] scores = tiedKeys(r, n);
        int[] params = {n, org.rlcasino.kernels.SelectionKernels.key(0.5f)};
        Object[] data = {new int[blocks], scores, params};
        compareKernel(Kernel.COUNT_ABOVE_PARTIALS, blocks, (b, a) -> KernelCall.builder("test.count_above",
                        Kernel.COUNT_ABOVE_PARTIALS)
                .output((int[]) a[0]).input((int[]) a[1]).input((int[]) a[2]).size(block).over(blocks), data);
    }

    @Test
    void sumOfSquaresPartialsMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(4);
        int n = 70_001;
        int block = 4096;
        int blocks = (n + block - 1) / block;
        Object[] data = {new float[blocks], random(r, n, 3)};
        compareKernel(Kernel.SUM_OF_SQUARES_PARTIALS, blocks, (b, a) -> KernelCall.builder("test.sum_sq",
                        Kernel.SUM_OF_SQUARES_PARTIALS)
                .output((float[]) a[0]).input((float[]) a[1]).size(n).size(block).over(blocks), data);
    }

    @Test
    void gatheredSumOfSquaresPartialsMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 60_000;
        int[] idx = r.ints(0, n).distinct().limit(9_000).sorted().toArray();
        int block = 4096;
        int blocks = (idx.length + block - 1) / block;
        Object[] data = {new float[blocks], random(r, n, 3), idx};
        compareKernel(Kernel.GATHERED_SUM_OF_SQUARES_PARTIALS, blocks, (b, a) -> KernelCall.builder("test.gathered_sum_sq",
                        Kernel.GATHERED_SUM_OF_SQUARES_PARTIALS)
                .output((float[]) a[0]).input((float[]) a[1]).constant((int[]) a[2]).size(idx.length).size(block)
                .over(blocks), data);
    }

    /** A run window of the scoring kernels: deltas of parameters [base, base+length). */
    private static int[] scoringWindow(int base, int length, int slotOffset, int hasPrevious) {
        int[] w = new int[ScoringKernels.WINDOW_LENGTH];
        w[ScoringKernels.W_BASE] = base;
        w[ScoringKernels.W_LENGTH] = length;
        w[ScoringKernels.W_SLOT_OFFSET] = slotOffset;
        w[ScoringKernels.W_HAS_PREVIOUS] = hasPrevious;
        return w;
    }

    @Test
    void magnitudeAccumulateMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 90_001;
        int capacity = 40_000;
        Object[] data = {random(r, n, 1), random(r, capacity, 1e-2), scoringWindow(31_007, 39_001, 0, 0)};
        compareKernel(Kernel.MAGNITUDE_ACCUMULATE, capacity, (b, a) -> KernelCall.builder("test.magnitude",
                        Kernel.MAGNITUDE_ACCUMULATE)
                .state((float[]) a[0]).input((float[]) a[1]).input((int[]) a[2]).over(capacity), data);
    }

    @Test
    void momentumUpdateMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(12);
        int n = 50_003;
        int capacity = 20_000;
        Object[] data = {random(r, 3 * n, 1e-2), random(r, n, 1e-2), random(r, capacity, 1e-2),
                scoringWindow(12_345, 19_999, 2 * n, 1)};
        compareKernel(Kernel.MOMENTUM_UPDATE, capacity, (b, a) -> KernelCall.builder("test.momentum_update",
                        Kernel.MOMENTUM_UPDATE)
                .state((float[]) a[0]).state((float[]) a[1]).input((float[]) a[2]).input((int[]) a[3]).over(capacity), data);
    }

    @Test
    void momentumScoreMatchesTheJvm() {
        for (int formula : new int[] {ScoringKernels.FORMULA_PAPER, ScoringKernels.FORMULA_REFERENCE}) {
            SplittableRandom r = new SplittableRandom(13);
            int n = 60_001;
            int slots = 5;
            float[] velocities = random(r, slots * n, 1e-3);
            for (int i = 0; i < velocities.length; i++) {
                velocities[i] += 3e-4f; // a drift, so |mean| is not tiny against std
            }
            Object[] data = {new float[n], velocities, new int[] {4, formula}, new float[] {1e-8f}};
            compareKernel(Kernel.MOMENTUM_SCORE, n, (b, a) -> KernelCall.builder("test.momentum_score",
                            Kernel.MOMENTUM_SCORE)
                    .output((float[]) a[0]).constant((float[]) a[1]).constant((int[]) a[2]).constant((float[]) a[3])
                    .size(n).over(n), data);
        }
    }

    @Test
    void welfordUpdateMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(14);
        int n = 70_001;
        int capacity = 30_000;
        Object[] data = {random(r, n, 1e-2), random(r, n, 1e-4), random(r, capacity, 1e-2),
                scoringWindow(40_000, 29_999, 0, 0), new float[] {0.25f}};
        compareKernel(Kernel.WELFORD_UPDATE, capacity, (b, a) -> KernelCall.builder("test.welford_update",
                        Kernel.WELFORD_UPDATE)
                .state((float[]) a[0]).state((float[]) a[1]).input((float[]) a[2]).input((int[]) a[3])
                .input((float[]) a[4]).over(capacity), data);
    }

    @Test
    void fisherScoreMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(15);
        int n = 80_001;
        Object[] data = {random(r, n, 1e-4), random(r, n, 1e-2), new float[] {0.125f}};
        for (int i = 0; i < n; i++) {
            ((float[]) data[0])[i] = Math.abs(((float[]) data[0])[i]); // M2 >= 0
        }
        compareKernel(Kernel.FISHER_SCORE, n, (b, a) -> KernelCall.builder("test.fisher_score", Kernel.FISHER_SCORE)
                .state((float[]) a[0]).constant((float[]) a[1]).constant((float[]) a[2]).over(n), data);
    }

    /**
     * The scorers' launch sequence: an update graph fed run by run (the buffer and window change
     * every launch, the state stays on the device), then the state brought home and a second graph
     * that finalises the same arrays. Returns {fisher score, momentum score}.
     */
    private static float[][] scorerSequence(Backend backend, float[][] deltas, int capacity, int slots) {
        int n = deltas[0].length;
        float[] buffer = new float[capacity];
        int[] window = new int[ScoringKernels.WINDOW_LENGTH];
        float[] scalars = new float[ScoringKernels.SCALARS_LENGTH];
        float[] mean = new float[n];
        float[] m2 = new float[n];
        float[] velocities = new float[slots * n];
        float[] previous = new float[n];
        var welford = backend.prepare(KernelCall.builder("test_scorers.welford", Kernel.WELFORD_UPDATE)
                .state(mean).state(m2).input(buffer).input(window).input(scalars).over(capacity));
        var momentum = backend.prepare(KernelCall.builder("test_scorers.momentum", Kernel.MOMENTUM_UPDATE)
                .state(velocities).state(previous).input(buffer).input(window).over(capacity));
        for (int t = 0; t < deltas.length; t++) {
            scalars[ScoringKernels.S_INV_COUNT] = (float) (1.0 / (t + 1));
            window[ScoringKernels.W_HAS_PREVIOUS] = t > 0 ? 1 : 0;
            window[ScoringKernels.W_SLOT_OFFSET] = t > 0 ? (t - 1) * n : 0;
            for (int base = 0; base < n; base += capacity) {
                int length = Math.min(capacity, n - base);
                System.arraycopy(deltas[t], base, buffer, 0, length);
                window[ScoringKernels.W_BASE] = base;
                window[ScoringKernels.W_LENGTH] = length;
                welford.launch();
                momentum.launch();
            }
        }
        for (float[] a : new float[][] {mean, m2, velocities, previous}) {
            backend.syncToHost(a);
        }
        backend.prepare(KernelCall.builder("test_scorers.fisher_score", Kernel.FISHER_SCORE).state(m2).constant(mean)
                .constant(new float[] {(float) (1.0 / deltas.length)}).over(n)).launch();
        backend.syncToHost(m2);
        backend.prepare(KernelCall.builder("test_scorers.momentum_score", Kernel.MOMENTUM_SCORE).output(previous)
                .constant(velocities).constant(new int[] {deltas.length - 1, ScoringKernels.FORMULA_REFERENCE})
                .constant(new float[] {1e-8f}).size(n).over(n)).launch();
        return new float[][] {m2, previous};
    }

    @Test
    void scorerLaunchSequencesMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(16);
        int n = 45_001;
        int steps = 5;
        float[][] deltas = new float[steps][];
        for (int t = 0; t < steps; t++) {
            deltas[t] = random(r, n, 1e-3);
            for (int i = 0; i < n; i++) {
                deltas[t][i] += 5e-4f;
            }
        }
        float[][] onJvm = scorerSequence(jvm, deltas, 10_000, steps - 1);
        float[][] onDevice = scorerSequence(tornado, deltas, 10_000, steps - 1);
        assertClose("fisher score after the scorer's sequence", onDevice[0], onJvm[0], ATOL, RTOL);
        assertClose("momentum score after the scorer's sequence", onDevice[1], onJvm[1], ATOL, RTOL);
        System.out.printf("scorer launch sequences (Welford + Fisher, momentum update + score) on %s: OK over %d x %d deltas%n",
                tornado.name(), steps, n);
    }

    @Test
    void optimizersKeepStateOnTheDeviceAndMatchTheJvmOverManySteps() {
        ParameterLayout layout = ParameterLayout.builder().add("w", 64, 96).add("b", 96).add("u", 33, 17).build();
        int n = layout.totalSize();
        SplittableRandom r = new SplittableRandom(6);
        float[] p0 = random(r, n, 1);
        Map<String, int[]> mask = new LinkedHashMap<>();
        mask.put("w", r.ints(0, 64 * 96).distinct().limit(300).sorted().toArray());
        int[] block = new int[16 * 16];
        for (int i = 0; i < block.length; i++) {
            block[i] = (i / 16) * 17 + (i % 16); // a 16x16 block of u (33x17)
        }
        mask.put("u", block);
        AdamWConfig config = AdamWConfig.defaults().withLr(3e-3).withWeightDecay(0.05).withMaxGradNorm(5.0)
                .withSchedule(LearningRateSchedule.cosine(3, 20, 0.1));
        for (BsrAdamWOptions.Indexing indexing : BsrAdamWOptions.Indexing.values()) {
            float[] pJvm = p0.clone();
            float[] pDevice = p0.clone();
            BsrAdamWOptions options = BsrAdamWOptions.DEFAULTS.withIndexing(indexing);
            Optimizer[] onJvm = {new AdamW(config, layout, jvm), new BsrAdamW(config, layout, mask, options, jvm)};
            Optimizer[] onDevice = {new AdamW(config, layout, tornado), new BsrAdamW(config, layout, mask, options, tornado)};
            for (int o = 0; o < 2; o++) {
                float[] a = p0.clone();
                float[] b = p0.clone();
                float[] g = new float[n];
                for (int step = 0; step < 20; step++) {
                    float[] fresh = random(r, n, 1);
                    System.arraycopy(fresh, 0, g, 0, n);
                    tornado.syncToDevice(g); // gradients are resident in the optimizer's programs: announce the host write
                    StepReport x = onJvm[o].step(a, g);
                    StepReport y = onDevice[o].step(b, g);
                    assertThat(y.gradNorm()).as(indexing + " optimizer " + o + " step " + step + " gradient norm")
                            .isCloseTo(x.gradNorm(), org.assertj.core.data.Percentage.withPercentage(1e-3));
                }
                onDevice[o].syncToHost();
                assertClose(indexing + " optimizer " + o + " params", b, a, ATOL, RTOL);
                assertClose(indexing + " optimizer " + o + " m", onDevice[o].exportState().m(), onJvm[o].exportState().m(), ATOL, RTOL);
            }
            assertThat(pJvm).isEqualTo(pDevice);
        }
    }
}
