package org.rlcasino.optimizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.optimizer.BsrAdamWOptions.Indexing;
import org.rlcasino.optimizer.BsrAdamWOptions.UnmaskedTensors;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * BSR-AdamW against dense AdamW (full mask: bit for bit; partial mask: dense AdamW with the frozen
 * entries put back after every step), element against block indexing, and its input checks.
 */
class BsrAdamWTest {
    /** NaNs with payloads no arithmetic produces: an entry still holding one was never written. */
    private static final float SENTINEL_P = Float.intBitsToFloat(0x7fc0_0bad);
    private static final float SENTINEL_G = Float.intBitsToFloat(0x7fc0_0bee);
    private static final int STEPS = 32;

    private static JvmBackend sequential;
    private static List<JvmBackend> backends;

    @BeforeAll
    static void startBackends() {
        sequential = new JvmBackend(1, 1 << 20);
        backends = List.of(sequential, new JvmBackend(2, 7), new JvmBackend(4, 1), new JvmBackend(3, 1 << 14));
    }

    @AfterAll
    static void stopBackends() {
        backends.forEach(JvmBackend::close);
    }

    /** Sizes deliberately not multiples of 16 or 64, a 1-D and a 3-D tensor. */
    static ParameterLayout layout() {
        return ParameterLayout.builder()
                .add("w1", 40, 48)
                .add("w2", 32, 64)
                .add("b", 37)
                .add("w3", 3, 5, 7)
                .build();
    }

    static BsrAdamWOptions options(Indexing indexing, boolean fastPath) {
        return BsrAdamWOptions.DEFAULTS.withIndexing(indexing).withJvmFastPath(fastPath);
    }

    static AdamWConfig decayConfig() {
        return AdamWConfig.defaults().withLr(1e-2).withWeightDecay(0.1)
                .withSchedule(LearningRateSchedule.cosine(3, STEPS, 0.1));
    }

    static AdamWConfig clippedConfig() {
        return decayConfig().withMaxGradNorm(1.0);
    }

    // ---- data and masks ----

    static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    /** Gradients with a global norm around 2 on odd steps and 0.2 on even ones. */
    static float[][] gradients(long seed, int steps, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] g = new float[steps][];
        for (int s = 0; s < steps; s++) {
            g[s] = gaussian(rnd, n, s % 2 == 0 ? 0.03 : 0.003);
        }
        return g;
    }

    static int[] all(int size) {
        int[] a = new int[size];
        for (int i = 0; i < size; i++) {
            a[i] = i;
        }
        return a;
    }

    static int[] randomIndices(SplittableRandom rnd, int size, double density) {
        int[] out = new int[size];
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (rnd.nextDouble() < density) {
                out[count++] = i;
            }
        }
        return Arrays.copyOf(out, count);
    }

    /** Every entry of each chosen block of the tensor's matrix view (edge blocks clipped). */
    static int[] blockIndices(SplittableRandom rnd, int rows, int columns, BlockShape shape, double blockDensity) {
        boolean[] on = new boolean[rows * columns];
        for (int r0 = 0; r0 < rows; r0 += shape.rows()) {
            for (int c0 = 0; c0 < columns; c0 += shape.columns()) {
                if (rnd.nextDouble() < blockDensity) {
                    for (int r = r0; r < Math.min(rows, r0 + shape.rows()); r++) {
                        for (int c = c0; c < Math.min(columns, c0 + shape.columns()); c++) {
                            on[r * columns + c] = true;
                        }
                    }
                }
            }
        }
        int[] out = new int[on.length];
        int count = 0;
        for (int i = 0; i < on.length; i++) {
            if (on[i]) {
                out[count++] = i;
            }
        }
        return Arrays.copyOf(out, count);
    }

    static Map<String, int[]> fullMask(ParameterLayout layout) {
        Map<String, int[]> mask = new LinkedHashMap<>();
        for (TensorView t : layout.tensors()) {
            mask.put(t.name(), all(t.size()));
        }
        return mask;
    }

    static Map<String, int[]> randomMask(ParameterLayout layout, double density, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, int[]> mask = new LinkedHashMap<>();
        for (TensorView t : layout.tensors()) {
            mask.put(t.name(), randomIndices(rnd, t.size(), density));
        }
        return mask;
    }

    static Map<String, int[]> blockMask(ParameterLayout layout, BlockShape shape, double blockDensity, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, int[]> mask = new LinkedHashMap<>();
        for (TensorView t : layout.tensors()) {
            mask.put(t.name(), blockIndices(rnd, t.rows(), t.columns(), shape, blockDensity));
        }
        return mask;
    }

    /** Which flat entries BSR-AdamW updates, worked out independently of the optimizer. */
    static boolean[] activeFlags(ParameterLayout layout, Map<String, int[]> mask, UnmaskedTensors unmasked) {
        boolean[] active = new boolean[layout.totalSize()];
        for (TensorView t : layout.tensors()) {
            int[] indices = mask.get(t.name());
            if (indices == null) {
                if (unmasked == UnmaskedTensors.DENSE) {
                    Arrays.fill(active, t.offset(), t.offset() + t.size(), true);
                }
            } else {
                for (int i : indices) {
                    active[t.offset() + i] = true;
                }
            }
        }
        return active;
    }

    static int count(boolean[] flags) {
        int c = 0;
        for (boolean f : flags) {
            c += f ? 1 : 0;
        }
        return c;
    }

    static float[] gatherActive(float[] a, boolean[] active) {
        float[] out = new float[count(active)];
        int j = 0;
        for (int i = 0; i < a.length; i++) {
            if (active[i]) {
                out[j++] = a[i];
            }
        }
        return out;
    }

    /** The result of a run: final params, exported state, every step's report. */
    record Run(float[] params, OptimizerState state, List<StepReport> reports) {}

    static Run runBsr(AdamWConfig config, ParameterLayout layout, Map<String, int[]> mask, BsrAdamWOptions options,
                      JvmBackend backend, float[] p0, float[][] grads) {
        BsrAdamW bsr = new BsrAdamW(config, layout, mask, options, backend);
        float[] p = p0.clone();
        List<StepReport> reports = new ArrayList<>();
        for (float[] g : grads) {
            reports.add(bsr.step(p, g));
        }
        return new Run(p, bsr.exportState(), reports);
    }

    /** Dense AdamW in which every inactive entry is put back to its initial value after each step. */
    static Run runDenseWithFrozenEntriesRestored(AdamWConfig config, ParameterLayout layout, boolean[] active,
                                                 float[] p0, float[][] grads) {
        AdamW dense = new AdamW(config, layout, sequential);
        float[] p = p0.clone();
        List<StepReport> reports = new ArrayList<>();
        for (float[] g : grads) {
            reports.add(dense.step(p, g));
            for (int i = 0; i < p.length; i++) {
                if (!active[i]) {
                    p[i] = p0[i];
                }
            }
        }
        return new Run(p, dense.exportState(), reports);
    }

    // ---- (a) a full mask is dense AdamW, bit for bit ----

    static Stream<Arguments> indexingAndFastPath() {
        return Stream.of(Indexing.values()).flatMap(i -> Stream.of(Arguments.of(i, true), Arguments.of(i, false)));
    }

    @ParameterizedTest(name = "{0} fastPath={1}")
    @MethodSource("indexingAndFastPath")
    void fullMaskEqualsDenseAdamWBitForBit(Indexing indexing, boolean fastPath) {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p0 = gaussian(new SplittableRandom(1), n, 1.0);
        float[][] grads = gradients(2, STEPS, n);
        AdamW dense = new AdamW(clippedConfig(), layout, sequential);
        float[] expected = p0.clone();
        List<StepReport> denseReports = new ArrayList<>();
        for (float[] g : grads) {
            denseReports.add(dense.step(expected, g));
        }
        OptimizerState denseState = dense.exportState();
        assertThat(denseReports).anyMatch(r -> r.gradScale() < 1).anyMatch(r -> r.gradScale() == 1);

        // (4 threads, chunk 1) is left to the cheaper tests below: 4110 one-entry chunks per launch
        for (JvmBackend backend : List.of(sequential, backends.get(1), backends.get(3))) {
            String what = indexing + " fastPath=" + fastPath + " on " + backend.name() + "/" + backend.chunkSize();
            Run run = runBsr(clippedConfig(), layout, fullMask(layout), options(indexing, fastPath), backend, p0, grads);
            assertBitIdentical(what + " params", run.params(), expected);
            assertBitIdentical(what + " m", run.state().m(), denseState.m());
            assertBitIdentical(what + " v", run.state().v(), denseState.v());
            assertThat(run.state().step()).isEqualTo(STEPS);
            assertThat(run.reports()).as(what + " reports").isEqualTo(denseReports);
        }
    }

    @Test
    void emptyMaskWithDenseUnmaskedTensorsEqualsDenseAdamW() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p0 = gaussian(new SplittableRandom(3), n, 1.0);
        float[][] grads = gradients(4, STEPS, n);
        Run dense = runDenseWithFrozenEntriesRestored(clippedConfig(), layout, activeFlags(layout, fullMask(layout),
                UnmaskedTensors.FROZEN), p0, grads);
        for (Indexing indexing : Indexing.values()) {
            Run run = runBsr(clippedConfig(), layout, Map.of(),
                    options(indexing, true).withUnmaskedTensors(UnmaskedTensors.DENSE), sequential, p0, grads);
            assertBitIdentical(indexing + " params", run.params(), dense.params());
        }
    }

    // ---- (b) a partial mask is dense AdamW with frozen entries put back ----

    static Stream<Arguments> partialMasks() {
        ParameterLayout layout = layout();
        Map<String, int[]> someTensorsAbsent = randomMask(layout, 0.3, 13);
        someTensorsAbsent.remove("w2");
        someTensorsAbsent.remove("b");
        return Stream.of(
                Arguments.of("random 5%", randomMask(layout, 0.05, 10)),
                Arguments.of("random 30%", randomMask(layout, 0.3, 11)),
                Arguments.of("random 90%", randomMask(layout, 0.9, 12)),
                Arguments.of("blocks 16x16", blockMask(layout, BlockShape.DEFAULT, 0.4, 14)),
                Arguments.of("w2 and b absent", someTensorsAbsent));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("partialMasks")
    void partialMaskEqualsDenseAdamWWithFrozenEntriesRestored(String name, Map<String, int[]> mask) {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p0 = gaussian(new SplittableRandom(20), n, 1.0);
        float[][] grads = gradients(21, STEPS, n);
        boolean[] active = activeFlags(layout, mask, UnmaskedTensors.FROZEN);
        // no clipping: the dense norm would include the frozen entries
        Run expected = runDenseWithFrozenEntriesRestored(decayConfig(), layout, active, p0, grads);
        for (Indexing indexing : Indexing.values()) {
            for (boolean fastPath : new boolean[] {true, false}) {
                String what = name + " " + indexing + " fastPath=" + fastPath;
                Run run = runBsr(decayConfig(), layout, mask, options(indexing, fastPath), backends.get(1), p0, grads);
                assertBitIdentical(what + " params", run.params(), expected.params());
                assertBitIdentical(what + " compact m", run.state().m(), gatherActive(expected.state().m(), active));
                assertBitIdentical(what + " compact v", run.state().v(), gatherActive(expected.state().v(), active));
            }
        }
    }

    @Test
    void clippingLooksAtTheActiveEntriesOnly() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        Map<String, int[]> mask = randomMask(layout, 0.2, 30);
        boolean[] active = activeFlags(layout, mask, UnmaskedTensors.FROZEN);
        float[] p0 = gaussian(new SplittableRandom(31), n, 1.0);
        float[][] grads = gradients(32, STEPS, n);
        // oracle: dense AdamW on gradients zeroed outside the mask (so its norm is the active norm)
        float[][] zeroed = new float[STEPS][];
        for (int s = 0; s < STEPS; s++) {
            zeroed[s] = grads[s].clone();
            for (int i = 0; i < n; i++) {
                if (!active[i]) {
                    zeroed[s][i] = 0f;
                }
            }
        }
        AdamWConfig config = decayConfig().withMaxGradNorm(0.5); // active norm ≈ 0.86 on even steps, 0.086 on odd
        Run expected = runDenseWithFrozenEntriesRestored(config, layout, active, p0, zeroed);
        for (Indexing indexing : new Indexing[] {Indexing.ELEMENT, Indexing.BLOCK}) {
            Run run = runBsr(config, layout, mask, options(indexing, true), sequential, p0, grads);
            assertClose(indexing + " params", run.params(), expected.params(), 1e-6, 1e-6);
            for (int s = 0; s < STEPS; s++) {
                double activeNorm = 0;
                for (int i = 0; i < n; i++) {
                    activeNorm += active[i] ? (double) grads[s][i] * grads[s][i] : 0;
                }
                activeNorm = Math.sqrt(activeNorm);
                StepReport report = run.reports().get(s);
                assertThat(report.gradNorm()).isCloseTo(activeNorm, within(1e-6 * activeNorm));
                assertThat(report.gradScale()).isCloseTo(Math.min(1, 0.5 / (activeNorm + 1e-6)), within(1e-6));
            }
            assertThat(run.reports()).anyMatch(r -> r.gradScale() < 1).anyMatch(r -> r.gradScale() == 1);
        }
    }

    // ---- (c) element and block indexing agree ----

    static Stream<Arguments> masksForIndexing() {
        ParameterLayout layout = layout();
        BlockShape rowSegment = new BlockShape(1, 64);
        Map<String, int[]> withEmpty = randomMask(layout, 0.5, 46);
        withEmpty.put("w3", new int[0]);
        return Stream.of(
                Arguments.of("random 10%", randomMask(layout, 0.1, 40), BlockShape.DEFAULT),
                Arguments.of("random 60%", randomMask(layout, 0.6, 41), BlockShape.DEFAULT),
                Arguments.of("random 60% on 1x64", randomMask(layout, 0.6, 41), rowSegment),
                Arguments.of("blocks 16x16", blockMask(layout, BlockShape.DEFAULT, 0.5, 42), BlockShape.DEFAULT),
                Arguments.of("row segments 1x64", blockMask(layout, rowSegment, 0.5, 43), rowSegment),
                Arguments.of("blocks 16x16 on a 1x64 layout", blockMask(layout, BlockShape.DEFAULT, 0.5, 44), rowSegment),
                Arguments.of("blocks 4x8 on a 16x16 layout", blockMask(layout, new BlockShape(4, 8), 0.3, 45),
                        BlockShape.DEFAULT),
                Arguments.of("full", fullMask(layout), new BlockShape(3, 5)),
                Arguments.of("one tensor explicitly empty", withEmpty, BlockShape.DEFAULT));
    }

    @ParameterizedTest(name = "{0} with {2} blocks")
    @MethodSource("masksForIndexing")
    void elementAndBlockIndexingGiveIdenticalParamsAndState(String name, Map<String, int[]> mask, BlockShape shape) {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        float[] p0 = gaussian(new SplittableRandom(50), n, 1.0);
        float[][] grads = gradients(51, 12, n);
        BsrAdamWOptions base = BsrAdamWOptions.DEFAULTS.withBlockShape(shape);
        Run reference = runBsr(clippedConfig(), layout, mask, base.withIndexing(Indexing.ELEMENT).withJvmFastPath(false),
                sequential, p0, grads);
        // thread-count invariance has its own test below; two backends keep this matrix quick
        for (JvmBackend backend : List.of(sequential, backends.get(1))) {
            for (Indexing indexing : Indexing.values()) {
                for (boolean fastPath : new boolean[] {true, false}) {
                    String what = name + " " + indexing + " fastPath=" + fastPath + " " + backend.name() + "/"
                            + backend.chunkSize();
                    Run run = runBsr(clippedConfig(), layout, mask, base.withIndexing(indexing).withJvmFastPath(fastPath),
                            backend, p0, grads);
                    assertBitIdentical(what + " params", run.params(), reference.params());
                    assertBitIdentical(what + " m", run.state().m(), reference.state().m());
                    assertBitIdentical(what + " v", run.state().v(), reference.state().v());
                    assertThat(run.state().activeSetDigest()).as(what).isEqualTo(reference.state().activeSetDigest());
                    assertThat(run.state().step()).isEqualTo(reference.state().step());
                    assertThat(run.reports()).as(what).isEqualTo(reference.reports());
                }
            }
        }
    }

    @Test
    void elementAndBlockIndexingAgreeOnRandomMasksAndShapes() {
        BlockShape[] shapes = {BlockShape.DEFAULT, new BlockShape(1, 64), new BlockShape(2, 3), new BlockShape(7, 1)};
        qt().withFixedSeed(20260101L).withExamples(40)
                .forAll(longs().all(), integers().between(0, 100), integers().between(0, shapes.length * 2 - 1))
                .checkAssert((seed, percent, choice) -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    int rows = 1 + rnd.nextInt(40);
                    int columns = 1 + rnd.nextInt(70);
                    ParameterLayout layout = ParameterLayout.builder().add("w", rows, columns).add("b", columns).build();
                    BlockShape shape = shapes[choice / 2];
                    Map<String, int[]> mask = choice % 2 == 0
                            ? randomMask(layout, percent / 100.0, seed)
                            : blockMask(layout, shape, percent / 100.0, seed);
                    int n = layout.totalSize();
                    float[] p0 = gaussian(rnd, n, 1.0);
                    float[][] grads = gradients(seed + 1, 4, n);
                    BsrAdamWOptions base = BsrAdamWOptions.DEFAULTS.withBlockShape(shape);
                    Run element = runBsr(clippedConfig(), layout, mask, base.withIndexing(Indexing.ELEMENT), sequential,
                            p0, grads);
                    Run block = runBsr(clippedConfig(), layout, mask, base.withIndexing(Indexing.BLOCK), backends.get(1),
                            p0, grads);
                    String what = rows + "x" + columns + " " + shape + " " + percent + "%";
                    assertBitIdentical(what + " params", block.params(), element.params());
                    assertBitIdentical(what + " m", block.state().m(), element.state().m());
                    assertBitIdentical(what + " v", block.state().v(), element.state().v());
                });
    }

    // ---- (d) inactive entries are never written ----

    @ParameterizedTest(name = "{0} fastPath={1}")
    @MethodSource("indexingAndFastPath")
    void inactiveEntriesAndFrozenTensorsAreNeverWritten(Indexing indexing, boolean fastPath) {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        Map<String, int[]> mask = new HashMap<>();
        mask.put("w1", randomIndices(new SplittableRandom(60), 40 * 48, 0.2));
        mask.put("w2", blockIndices(new SplittableRandom(61), 32, 64, BlockShape.DEFAULT, 0.5));
        // "b" and "w3" are absent: frozen
        boolean[] active = activeFlags(layout, mask, UnmaskedTensors.FROZEN);
        float[] p = gaussian(new SplittableRandom(62), n, 1.0);
        for (int i = 0; i < n; i++) {
            if (!active[i]) {
                p[i] = SENTINEL_P;
            }
        }
        BsrAdamW bsr = new BsrAdamW(clippedConfig(), layout, mask, options(indexing, fastPath), backends.get(2));
        float[][] grads = gradients(63, 10, n);
        for (float[] g : grads) {
            for (int i = 0; i < n; i++) {
                if (!active[i]) {
                    g[i] = SENTINEL_G;
                }
            }
            StepReport report = bsr.step(p, g);
            assertThat(report.skipped()).isFalse();
            assertThat(report.gradNorm()).isFinite();
        }
        for (int i = 0; i < n; i++) {
            if (active[i]) {
                assertThat(Float.isFinite(p[i])).as("active p[%d]", i).isTrue();
            } else {
                assertThat(Float.floatToRawIntBits(p[i])).as("inactive p[%d]", i)
                        .isEqualTo(Float.floatToRawIntBits(SENTINEL_P));
            }
        }
        assertThat(bsr.activeCount()).isEqualTo(count(active));
    }

    @Test
    void denseUnmaskedTensorsAreUpdatedFullyAndEmptyIndexArraysStillFreeze() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        Map<String, int[]> mask = new HashMap<>();
        mask.put("w1", randomIndices(new SplittableRandom(70), 40 * 48, 0.25));
        mask.put("b", new int[0]);
        // "w2" and "w3" are absent: DENSE updates them entirely; "b" is listed empty: frozen
        boolean[] active = activeFlags(layout, mask, UnmaskedTensors.DENSE);
        assertThat(count(active)).isEqualTo(count(activeFlags(layout, Map.of("w1", mask.get("w1")),
                UnmaskedTensors.FROZEN)) + 32 * 64 + 105);
        float[] p0 = gaussian(new SplittableRandom(71), n, 1.0);
        float[][] grads = gradients(72, STEPS, n);
        Run expected = runDenseWithFrozenEntriesRestored(decayConfig(), layout, active, p0, grads);
        for (Indexing indexing : Indexing.values()) {
            BsrAdamWOptions opts = options(indexing, true).withUnmaskedTensors(UnmaskedTensors.DENSE);
            Run run = runBsr(decayConfig(), layout, mask, opts, sequential, p0, grads);
            assertBitIdentical(indexing + " params", run.params(), expected.params());
            TensorView b = layout.tensor("b");
            for (int i = b.offset(); i < b.offset() + b.size(); i++) {
                assertThat(run.params()[i]).isEqualTo(p0[i]);
            }
        }
    }

    @Test
    void allTensorsEmptyMeansNothingMoves() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        Map<String, int[]> mask = new HashMap<>();
        for (TensorView t : layout.tensors()) {
            mask.put(t.name(), new int[0]);
        }
        for (Indexing indexing : Indexing.values()) {
            BsrAdamW bsr = new BsrAdamW(clippedConfig(), layout, mask,
                    options(indexing, true).withUnmaskedTensors(UnmaskedTensors.DENSE), sequential);
            float[] p = gaussian(new SplittableRandom(73), n, 1.0);
            float[] p0 = p.clone();
            StepReport report = bsr.step(p, gaussian(new SplittableRandom(74), n, 1.0));
            assertBitIdentical("params", p, p0);
            assertThat(report.gradNorm()).isZero();
            assertThat(bsr.activeCount()).isZero();
            assertThat(bsr.indexing()).isEqualTo(indexing == Indexing.BLOCK ? Indexing.BLOCK : Indexing.ELEMENT);
            assertThat(bsr.exportState().m()).isEmpty();
        }
    }

    // ---- (e) state size ----

    @Test
    void stateBytesShrinkWithSparsity() {
        ParameterLayout layout = layout();
        long dense = new AdamW(AdamWConfig.defaults(), layout, sequential).stateBytes();
        long previous = Long.MAX_VALUE;
        for (double density : new double[] {1.0, 0.5, 0.1, 0.01}) {
            Map<String, int[]> mask = density == 1.0 ? fullMask(layout) : randomMask(layout, density, 80);
            BsrAdamW element = new BsrAdamW(AdamWConfig.defaults(), layout, mask, options(Indexing.ELEMENT, true),
                    sequential);
            BsrAdamW block = new BsrAdamW(AdamWConfig.defaults(), layout, mask, options(Indexing.BLOCK, true),
                    sequential);
            int nnz = element.activeCount();
            assertThat(element.stateBytes()).isEqualTo(12L * nnz);
            assertThat(element.runCount()).isZero();
            assertThat(block.runCount()).isPositive();
            assertThat(block.stateBytes()).isEqualTo(12L * nnz + 12L * block.runCount());
            assertThat(element.stateBytes()).as("density %s", density).isLessThan(previous);
            previous = element.stateBytes();
            if (density <= 0.5) {
                assertThat(element.stateBytes()).isLessThan(dense);
            }
        }
        Map<String, int[]> blocks = blockMask(layout, BlockShape.DEFAULT, 0.1, 81);
        BsrAdamW block = new BsrAdamW(AdamWConfig.defaults(), layout, blocks, BsrAdamWOptions.DEFAULTS, sequential);
        assertThat(block.stateBytes()).isLessThan(dense / 4);
    }

    // ---- (f) bad input ----

    @Test
    void rejectsBadMasksWithMessagesNamingTheTensorAndTheProblem() {
        ParameterLayout layout = layout();
        assertThatThrownBy(() -> bsrWith(layout, Map.of("w1", new int[] {1, 5, 3})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("w1").hasMessageContaining("ascending").hasMessageContaining("3 follows 5");
        assertThatThrownBy(() -> bsrWith(layout, Map.of("w2", new int[] {0, 7, 7})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("w2").hasMessageContaining("index 7 is repeated");
        assertThatThrownBy(() -> bsrWith(layout, Map.of("b", new int[] {-1, 2})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor b").hasMessageContaining("-1").hasMessageContaining("out of range");
        assertThatThrownBy(() -> bsrWith(layout, Map.of("w3", new int[] {0, 105})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("w3").hasMessageContaining("105").hasMessageContaining("[0, 105)");
        assertThatThrownBy(() -> bsrWith(layout, Map.of("w1", new int[] {1}, "lm_head.weight", new int[] {0})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'lm_head.weight'").hasMessageContaining("not in the layout");
        assertThatThrownBy(() -> bsrWith(layout, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask");
        Map<String, int[]> nullIndices = new HashMap<>();
        nullIndices.put("w2", null);
        assertThatThrownBy(() -> bsrWith(layout, nullIndices))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w2").hasMessageContaining("null");
        assertThatThrownBy(() -> new BsrAdamW(AdamWConfig.defaults(), layout, Map.of(), null, sequential))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options");
        assertThatThrownBy(() -> new BsrAdamW(null, layout, Map.of(), BsrAdamWOptions.DEFAULTS, sequential))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static BsrAdamW bsrWith(ParameterLayout layout, Map<String, int[]> mask) {
        return new BsrAdamW(AdamWConfig.defaults(), layout, mask, BsrAdamWOptions.DEFAULTS, sequential);
    }

    @Test
    void rejectsParamsAndGradsOfTheWrongLength() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        BsrAdamW bsr = bsrWith(layout, randomMask(layout, 0.1, 90));
        assertThatThrownBy(() -> bsr.step(new float[n], new float[n - 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bsr-adamw")
                .hasMessageContaining(String.valueOf(n - 1));
        assertThatThrownBy(() -> bsr.step(new float[n + 1], new float[n]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- (g) eps inside the square root ----

    @Test
    void epsInsideSqrtMatchesThePapersAlgorithm2() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        Map<String, int[]> mask = randomMask(layout, 0.3, 100);
        boolean[] active = activeFlags(layout, mask, UnmaskedTensors.FROZEN);
        double lr = 1e-2;
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-6; // gradients ~1e-3 so v̂ ~1e-6: eps changes the step noticeably
        double wd = 0.1;
        AdamWConfig config = AdamWConfig.defaults().withLr(lr).withEps(eps).withWeightDecay(wd).withEpsInsideSqrt(true);
        float[] p0 = gaussian(new SplittableRandom(101), n, 1.0);
        float[][] grads = new float[15][];
        SplittableRandom rnd = new SplittableRandom(102);
        for (int s = 0; s < grads.length; s++) {
            grads[s] = gaussian(rnd, n, 1e-3);
        }
        double[] p = new double[n];
        double[] m = new double[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = p0[i];
        }
        for (int t = 1; t <= grads.length; t++) {
            double bc1 = 1 - Math.pow(beta1, t);
            double bc2 = 1 - Math.pow(beta2, t);
            for (int i = 0; i < n; i++) {
                if (!active[i]) {
                    continue;
                }
                double g = grads[t - 1][i];
                p[i] *= 1 - lr * wd;
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                p[i] -= lr * (m[i] / bc1) / Math.sqrt(v[i] / bc2 + eps);
            }
        }
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = (float) p[i];
        }
        for (Indexing indexing : new Indexing[] {Indexing.ELEMENT, Indexing.BLOCK}) {
            for (boolean fastPath : new boolean[] {true, false}) {
                Run inside = runBsr(config, layout, mask, options(indexing, fastPath), sequential, p0, grads);
                assertClose(indexing + " fastPath=" + fastPath, inside.params(), expected, 1e-7, 1e-5);
            }
        }
        // and the option matters: PyTorch's placement gives a visibly different result
        Run outside = runBsr(config.withEpsInsideSqrt(false), layout, mask, BsrAdamWOptions.DEFAULTS, sequential, p0,
                grads);
        double maxDiff = 0;
        for (int i = 0; i < n; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(outside.params()[i] - expected[i]));
        }
        assertThat(maxDiff).isGreaterThan(1e-3);
    }

    // ---- (h) automatic indexing ----

    @Test
    void autoPicksBlockIndexingForBlockMasksAndElementIndexingForScatteredOnes() {
        ParameterLayout layout = layout();
        BsrAdamW blocks = bsrWith(layout, blockMask(layout, BlockShape.DEFAULT, 0.3, 110));
        assertThat(blocks.indexing()).isEqualTo(Indexing.BLOCK);
        assertThat(blocks.runCount()).isPositive();
        BsrAdamW segments = new BsrAdamW(AdamWConfig.defaults(), layout, blockMask(layout, new BlockShape(1, 64), 0.3, 111),
                BsrAdamWOptions.DEFAULTS.withBlockShape(new BlockShape(1, 64)), sequential);
        assertThat(segments.indexing()).isEqualTo(Indexing.BLOCK);
        BsrAdamW full = bsrWith(layout, fullMask(layout));
        assertThat(full.indexing()).isEqualTo(Indexing.BLOCK);

        BsrAdamW scattered = bsrWith(layout, randomMask(layout, 0.1, 112));
        assertThat(scattered.indexing()).isEqualTo(Indexing.ELEMENT);
        assertThat(scattered.runCount()).isZero();
        BsrAdamW empty = bsrWith(layout, Map.of());
        assertThat(empty.indexing()).isEqualTo(Indexing.ELEMENT);
        assertThat(empty.options()).isEqualTo(BsrAdamWOptions.DEFAULTS);

        BsrAdamW forced = new BsrAdamW(AdamWConfig.defaults(), layout, randomMask(layout, 0.1, 112),
                options(Indexing.BLOCK, true), sequential);
        assertThat(forced.indexing()).isEqualTo(Indexing.BLOCK);
    }

    // ---- state, non-finite gradients, threads ----

    @Test
    void exportAndRestoreResumesBitExactly() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        Map<String, int[]> mask = blockMask(layout, BlockShape.DEFAULT, 0.4, 120);
        float[] p = gaussian(new SplittableRandom(121), n, 1.0);
        float[][] grads = gradients(122, 20, n);
        BsrAdamW first = new BsrAdamW(clippedConfig(), layout, mask, BsrAdamWOptions.DEFAULTS, sequential);
        for (int s = 0; s < 10; s++) {
            first.step(p, grads[s]);
        }
        OptimizerState atTen = first.exportState();
        float[] q = p.clone();
        for (int s = 10; s < 20; s++) {
            first.step(p, grads[s]);
        }
        // resume under the other indexing and another backend: same state layout, same bits
        BsrAdamW resumed = new BsrAdamW(clippedConfig(), layout, mask,
                BsrAdamWOptions.DEFAULTS.withIndexing(Indexing.ELEMENT), backends.get(2));
        resumed.restoreState(atTen);
        assertThat(resumed.stepCount()).isEqualTo(10);
        for (int s = 10; s < 20; s++) {
            resumed.step(q, grads[s]);
        }
        assertBitIdentical("params", q, p);
        assertBitIdentical("m", resumed.exportState().m(), first.exportState().m());
        assertBitIdentical("v", resumed.exportState().v(), first.exportState().v());
        assertThat(atTen.optimizer()).isEqualTo("bsr-adamw");
        assertThat(atTen.activeSetDigest()).isNotZero();
    }

    @Test
    void restoreRejectsStateOfAnotherMaskOrKind() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        Map<String, int[]> mask = Map.of("w1", new int[] {1, 2, 3}, "b", new int[] {4});
        Map<String, int[]> sameSizeOtherEntries = Map.of("w1", new int[] {1, 2, 3}, "b", new int[] {5});
        BsrAdamW a = bsrWith(layout, mask);
        BsrAdamW b = bsrWith(layout, sameSizeOtherEntries);
        a.step(new float[n], gaussian(new SplittableRandom(130), n, 1.0));
        OptimizerState state = a.exportState();
        assertThatThrownBy(() -> b.restoreState(state))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another mask");
        assertThatThrownBy(() -> bsrWith(layout, Map.of("w1", new int[] {1, 2})).restoreState(state))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state has 4 moments")
                .hasMessageContaining("this optimizer 2");
        AdamW dense = new AdamW(AdamWConfig.defaults(), layout, sequential);
        assertThatThrownBy(() -> a.restoreState(dense.exportState()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'adamw'");
        assertThatThrownBy(() -> dense.restoreState(state))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bsr-adamw'");
        // the same mask restores fine, whatever the indexing
        BsrAdamW c = new BsrAdamW(AdamWConfig.defaults(), layout, mask, options(Indexing.BLOCK, false), sequential);
        c.restoreState(state);
        assertThat(c.stepCount()).isEqualTo(1);
    }

    @Test
    void nonFiniteActiveGradientFailsButInactiveOnesAreIgnored() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        Map<String, int[]> mask = Map.of("w1", new int[] {0, 10, 20}, "b", new int[] {3});
        BsrAdamW bsr = bsrWith(layout, mask);
        float[] p = gaussian(new SplittableRandom(140), n, 1.0);
        float[] g = gaussian(new SplittableRandom(141), n, 1.0);
        g[5] = Float.NaN; // inactive
        g[layout.tensor("w2").offset()] = Float.POSITIVE_INFINITY; // inactive (absent tensor)
        StepReport ok = bsr.step(p, g);
        assertThat(ok.skipped()).isFalse();
        assertThat(ok.gradNorm()).isFinite();

        float[] before = p.clone();
        OptimizerState stateBefore = bsr.exportState();
        float[] bad = g.clone();
        bad[layout.tensor("b").offset() + 3] = Float.NaN;
        assertThatThrownBy(() -> bsr.step(p, bad)).isInstanceOf(NonFiniteGradientException.class)
                .hasMessageContaining("bsr-adamw");
        assertBitIdentical("params", p, before);
        assertBitIdentical("m", bsr.exportState().m(), stateBefore.m());

        BsrAdamW skipping = new BsrAdamW(AdamWConfig.defaults().withNonFinite(NonFinitePolicy.SKIP_STEP), layout, mask,
                BsrAdamWOptions.DEFAULTS, sequential);
        StepReport skipped = skipping.step(p, bad);
        assertThat(skipped.skipped()).isTrue();
        assertThat(skipping.skippedSteps()).isEqualTo(1);
        assertBitIdentical("params after skip", p, before);
    }

    @Test
    void resultsDoNotDependOnThreadsOrChunking() {
        ParameterLayout layout = layout();
        int n = layout.totalSize();
        Map<String, int[]> mask = randomMask(layout, 0.35, 150);
        float[] p0 = gaussian(new SplittableRandom(151), n, 1.0);
        float[][] grads = gradients(152, 15, n);
        for (Indexing indexing : new Indexing[] {Indexing.ELEMENT, Indexing.BLOCK}) {
            Run reference = runBsr(clippedConfig(), layout, mask, options(indexing, true), sequential, p0, grads);
            for (JvmBackend backend : backends) {
                Run run = runBsr(clippedConfig(), layout, mask, options(indexing, true), backend, p0, grads);
                String what = indexing + " " + backend.name() + "/" + backend.chunkSize();
                assertBitIdentical(what + " params", run.params(), reference.params());
                assertBitIdentical(what + " m", run.state().m(), reference.state().m());
                assertThat(run.reports()).as(what).isEqualTo(reference.reports());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1023, 1024, 1025, 3000})
    void longRunsAreSplitWithoutChangingResults(int length) {
        // one contiguous run longer than the kernel's per-iteration cap
        ParameterLayout layout = ParameterLayout.builder().add("w", 3001).build();
        int[] indices = new int[length];
        for (int i = 0; i < length; i++) {
            indices[i] = i + 1;
        }
        Map<String, int[]> mask = Map.of("w", indices);
        float[] p0 = gaussian(new SplittableRandom(160), 3001, 1.0);
        float[][] grads = gradients(161, 3, 3001);
        Run element = runBsr(decayConfig(), layout, mask, options(Indexing.ELEMENT, false), sequential, p0, grads);
        BsrAdamW block = new BsrAdamW(decayConfig(), layout, mask, options(Indexing.BLOCK, true), backends.get(1));
        assertThat(block.runCount()).isEqualTo((length + BsrAdamW.MAX_RUN_LENGTH - 1) / BsrAdamW.MAX_RUN_LENGTH);
        float[] p = p0.clone();
        for (float[] g : grads) {
            block.step(p, g);
        }
        assertBitIdentical("params", p, element.params());
        assertThat(p[0]).isEqualTo(p0[0]);
    }
}
