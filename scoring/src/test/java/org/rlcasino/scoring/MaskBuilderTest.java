package org.rlcasino.scoring;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.arrow.MaskBlocks;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.MaskTensor;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsFile;
import org.rlcasino.tasks.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.scoring.MaskFixtures.count;
import static org.rlcasino.scoring.MaskFixtures.readMask;
import static org.rlcasino.scoring.MaskFixtures.topK;

class MaskBuilderTest {
    static BufferAllocator allocator;
    static JvmBackend backend;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        allocator = new RootAllocator();
        backend = new JvmBackend(2, 1);
    }

    @AfterAll
    static void stop() {
        backend.close();
        allocator.close();
    }

    record Built(int[][] mask, MaskBuilder.Report report, Path file) {}

    private int files;

    Built build(TensorTable tensors, float[][] scores, MaskOptions options) throws IOException {
        Path s = dir.resolve("scores" + files + ".arrow");
        Path m = dir.resolve("mask" + files++ + ".arrow");
        MaskFixtures.writeScores(s, tensors, scores, allocator);
        ScoreSource source = ScoreSource.ofFile(s, allocator, 100);
        MaskBuilder.Report r = new MaskBuilder(source, backend, allocator, null).build(options, m, Map.of());
        return new Built(readMask(m, allocator), r, m);
    }

    /** Random tensors of random shapes; mode 0 continuous, 1 heavy ties, 2 all equal, 3 with negatives and zeros. */
    static Object[] randomCase(SplittableRandom r, int mode) {
        int nt = 1 + r.nextInt(4);
        long[][] shapes = new long[nt][];
        float[][] scores = new float[nt][];
        for (int t = 0; t < nt; t++) {
            shapes[t] = r.nextBoolean() ? new long[] {1 + r.nextInt(300)} : new long[] {1 + r.nextInt(20), 1 + r.nextInt(20)};
            long n = Arrays.stream(shapes[t]).reduce(1, (a, b) -> a * b);
            scores[t] = new float[(int) n];
            for (int i = 0; i < n; i++) {
                scores[t][i] = switch (mode) {
                    case 0 -> (float) r.nextDouble();
                    case 1 -> r.nextInt(3);
                    case 2 -> 1.5f;
                    default -> r.nextInt(3) == 0 ? 0f : (float) r.nextGaussian();
                };
            }
        }
        return new Object[] {MaskFixtures.table(shapes), scores};
    }

    static int[] allTensors(float[][] s) {
        return MaskFixtures.all(s.length);
    }

    @Test
    void exactKeepsExactlyKAndAgreesWithAFullSort() throws IOException {
        SplittableRandom r = new SplittableRandom(42);
        double[] sparsities = {0, 0.5, 0.9, 0.975, 0.999, 0.3333};
        for (int c = 0; c < 48; c++) {
            Object[] tc = randomCase(r, c % 4);
            TensorTable tensors = (TensorTable) tc[0];
            float[][] scores = (float[][]) tc[1];
            double rho = c < 36 ? sparsities[c % sparsities.length] : r.nextDouble() * 0.999;
            Built b = build(tensors, scores, MaskOptions.exact(rho));
            long k = MaskBuilder.keepCount(rho, tensors.totalElements());
            assertThat(count(b.mask)).as("case %d", c).isEqualTo(k);
            assertThat(b.mask).as("case %d (mode %d, rho %s)", c, c % 4, rho).isDeepEqualTo(topK(scores, k, allTensors(scores)));
            assertThat(b.report.kept()).isEqualTo(k);
        }
    }

    @Test
    void exactAllEqualScoresKeepTheFirstEntriesInTensorOrder() throws IOException {
        float[][] scores = {new float[100], new float[100]};
        Arrays.fill(scores[0], 2f);
        Arrays.fill(scores[1], 2f);
        Built b = build(MaskFixtures.table(new long[] {100}, new long[] {10, 10}), scores, MaskOptions.exact(0.25));
        assertThat(b.mask[0]).isEqualTo(MaskFixtures.all(100));
        assertThat(b.mask[1]).isEqualTo(MaskFixtures.all(50));
        assertThat(b.report.threshold().getAsDouble()).isEqualTo(2.0);
        assertThat(b.report.achievedSparsity()).isEqualTo(0.25);
    }

    @Test
    void keepCountIsExactDecimal() {
        assertThat(MaskBuilder.keepCount(0.975, 1000)).isEqualTo(25);
        assertThat(MaskBuilder.keepCount(0.0, 7)).isEqualTo(7);
        assertThat(MaskBuilder.keepCount(0.9, 10)).isEqualTo(1);
        assertThat(MaskBuilder.keepCount(0.5, 3)).isEqualTo(1);
    }

    @Test
    void perTensorKeepsTheLocalTopK() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        for (int c = 0; c < 16; c++) {
            Object[] tc = randomCase(r, c % 4);
            TensorTable tensors = (TensorTable) tc[0];
            float[][] scores = (float[][]) tc[1];
            double rho = 0.8;
            Built b = build(tensors, scores, MaskOptions.exact(rho).withBuilder(MaskBuilder.Method.PER_TENSOR));
            for (int t = 0; t < scores.length; t++) {
                long k = MaskBuilder.keepCount(rho, scores[t].length);
                assertThat(b.mask[t]).as("case %d tensor %d", c, t).isEqualTo(topK(scores, k, t)[t]);
            }
        }
    }

    @Test
    void floorAddsEachTensorsBestEntriesToTheGlobalTopK() throws IOException {
        SplittableRandom r = new SplittableRandom(8);
        float[][] scores = {new float[400], new float[300]};
        for (int i = 0; i < 400; i++) {
            scores[0][i] = (float) r.nextDouble() + 10;   // tensor 0 dominates the global top-k
        }
        for (int i = 0; i < 300; i++) {
            scores[1][i] = r.nextInt(5);
        }
        TensorTable tensors = MaskFixtures.table(new long[] {20, 20}, new long[] {300});
        double rho = 0.9;
        double f = 0.05;
        Built b = build(tensors, scores, MaskOptions.exact(rho).withFloor(f));
        int[][] global = topK(scores, MaskBuilder.keepCount(rho, 700), 0, 1);
        int[][] floor0 = topK(scores, (long) Math.ceil(f * 400), 0);
        int[][] floor1 = topK(scores, (long) Math.ceil(f * 300), 1);
        int[][] expected = MaskFixtures.union(MaskFixtures.union(global, floor0, scores), floor1, scores);
        assertThat(b.mask).isDeepEqualTo(expected);
        assertThat(b.mask[1]).hasSize(15);
        assertThat(b.report.keptFractions().get("layer1.weight")).isEqualTo(0.05);
        // without the floor tensor 1 gets nothing
        assertThat(build(tensors, scores, MaskOptions.exact(rho)).mask[1]).isEmpty();
    }

    @Test
    void randomMasksHaveExactlyKEntriesAndDependOnlyOnTheSeed() throws IOException {
        float[][] scores = {new float[5000], new float[3000]};
        TensorTable tensors = MaskFixtures.table(new long[] {50, 100}, new long[] {3000});
        MaskOptions o = MaskOptions.exact(0.9).withBuilder(MaskBuilder.Method.RANDOM).withSeed(3);
        Built a = build(tensors, scores, o);
        Built again = build(tensors, scores, o);
        Built other = build(tensors, scores, o.withSeed(4));
        assertThat(count(a.mask)).isEqualTo(800);
        assertThat(a.mask).isDeepEqualTo(again.mask);
        assertThat(Arrays.deepEquals(other.mask, a.mask)).isFalse();
        // each tensor gets about its share (binomial-like, sd ≈ 17): 500 of 5000, 300 of 3000
        assertThat(a.mask[0].length).isBetween(420, 580);
        assertThat(a.mask[1].length).isBetween(220, 380);
        // independent masks of density 0.1 overlap in about 0.1 of their entries
        long overlap = 0;
        for (int t = 0; t < 2; t++) {
            int[] o2 = other.mask[t];
            overlap += Arrays.stream(a.mask[t]).filter(i -> Arrays.binarySearch(o2, i) >= 0).count();
        }
        assertThat(overlap).isBetween(40L, 130L);
    }

    @Test
    void complementSwapsActiveAndInactive() throws IOException {
        SplittableRandom r = new SplittableRandom(9);
        Object[] tc = randomCase(r, 0);
        float[][] scores = (float[][]) tc[1];
        Built b = build((TensorTable) tc[0], scores, MaskOptions.exact(0.7));
        Path c = dir.resolve("complement.arrow");
        MaskFiles.complement(b.file, c, allocator);
        int[][] comp = readMask(c, allocator);
        for (int t = 0; t < scores.length; t++) {
            int[] merged = java.util.stream.IntStream.concat(Arrays.stream(b.mask[t]), Arrays.stream(comp[t])).sorted().toArray();
            assertThat(merged).isEqualTo(MaskFixtures.all(scores[t].length));
        }
        try (MaskFileReader in = MaskFileReader.open(c, allocator)) {
            assertThat(in.info().method()).isEqualTo("complement");
            assertThat(in.summary().achievedSparsity()).isCloseTo(1 - b.report.achievedSparsity(), org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    /** Brute force: block scores, full sort of blocks by (score desc, tensor, block), expand. */
    static boolean[][] blockOracle(TensorTable tensors, float[][] scores, int bs, boolean max, double rho) {
        java.util.List<float[]> blocks = new java.util.ArrayList<>(); // {score, tensor, blockRow, blockCol}
        for (int t = 0; t < scores.length; t++) {
            var ti = tensors.get(t);
            MaskBlockShape shape = ti.shape().length >= 2 ? new MaskBlockShape(bs, bs) : new MaskBlockShape(1, bs * bs);
            int rows = (int) ti.matrixRows();
            int cols = (int) ti.matrixColumns();
            for (int br = 0; br * shape.rows() < rows; br++) {
                for (int bc = 0; bc * shape.columns() < cols; bc++) {
                    double s = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int i = br * shape.rows(); i < Math.min(rows, (br + 1) * shape.rows()); i++) {
                        for (int j = bc * shape.columns(); j < Math.min(cols, (bc + 1) * shape.columns()); j++) {
                            float v = scores[t][i * cols + j];
                            s = max ? Math.max(s, v) : s + v;
                        }
                    }
                    blocks.add(new float[] {(float) s, t, br, bc, shape.rows(), shape.columns()});
                }
            }
        }
        long kb = MaskBuilder.keepCount(rho, blocks.size());
        java.util.List<float[]> sorted = new java.util.ArrayList<>(blocks);
        sorted.sort((a, b) -> a[0] != b[0] ? Float.compare(b[0], a[0]) : 0); // stable: (tensor, block) order kept for ties
        boolean[][] keep = new boolean[scores.length][];
        for (int t = 0; t < scores.length; t++) {
            keep[t] = new boolean[scores[t].length];
        }
        for (int j = 0; j < kb; j++) {
            float[] b = sorted.get(j);
            int t = (int) b[1];
            int cols = (int) tensors.get(t).matrixColumns();
            int rows = (int) tensors.get(t).matrixRows();
            for (int i = (int) (b[2] * b[4]); i < Math.min(rows, (b[2] + 1) * b[4]); i++) {
                for (int c = (int) (b[3] * b[5]); c < Math.min(cols, (b[3] + 1) * b[5]); c++) {
                    keep[t][i * cols + c] = true;
                }
            }
        }
        return keep;
    }

    record MaskBlockShape(int rows, int columns) {}

    @Test
    void blockMasksMatchABruteForceOracleAndCarryConsistentBlocks() throws IOException {
        SplittableRandom r = new SplittableRandom(10);
        for (int c = 0; c < 12; c++) {
            long[][] shapes = {{1 + r.nextInt(40), 1 + r.nextInt(40)}, {1 + r.nextInt(200)}, {3, 1 + r.nextInt(5), 4}};
            TensorTable tensors = MaskFixtures.table(shapes);
            float[][] scores = new float[3][];
            for (int t = 0; t < 3; t++) {
                scores[t] = new float[(int) tensors.get(t).size()];
                for (int i = 0; i < scores[t].length; i++) {
                    scores[t][i] = c % 3 == 0 ? r.nextInt(2) : (float) r.nextDouble();
                }
            }
            int bs = 2 + r.nextInt(4);
            boolean max = c % 2 == 1;
            double rho = 0.5 + 0.45 * r.nextDouble();
            Built b = build(tensors, scores, MaskOptions.exact(rho).withBuilder(MaskBuilder.Method.BLOCK).withBlock(bs, max));
            assertThat(b.mask).as("case %d", c).isDeepEqualTo(MaskFixtures.toIndices(blockOracle(tensors, scores, bs, max, rho)));
            try (MaskFileReader in = MaskFileReader.open(b.file, allocator)) {
                MaskTensor t;
                while ((t = in.nextTensor()) != null) {
                    MaskBlocks blocks = t.blocks();
                    assertThat(blocks).isNotNull();
                    int[] ep = blocks.entryPointers();
                    assertThat(ep[ep.length - 1]).isEqualTo(t.indices().length);
                    int expectRows = t.tensor().shape().length >= 2 ? bs : 1;
                    assertThat(blocks.shape().rows()).isEqualTo(expectRows);
                    assertFromMaskLayout(blocks, t);
                }
            }
        }
    }

    /** The block arrays are those BsrLayout.fromMask derives from the indices: occupied blocks in row order, their entry counts. */
    static void assertFromMaskLayout(MaskBlocks blocks, MaskTensor t) {
        int br = blocks.shape().rows();
        int bc = blocks.shape().columns();
        int cols = (int) t.tensor().matrixColumns();
        int gridRows = (int) ((t.tensor().matrixRows() + br - 1) / br);
        java.util.TreeMap<Long, Integer> counts = new java.util.TreeMap<>();
        for (int i : t.indices()) {
            long key = (long) (i / cols / br) << 32 | (i % cols / bc);
            counts.merge(key, 1, Integer::sum);
        }
        int[] rowPointers = new int[gridRows + 1];
        int[] columns = new int[counts.size()];
        int[] entries = new int[counts.size() + 1];
        int b = 0;
        for (var e : counts.entrySet()) {
            int row = (int) (e.getKey() >>> 32);
            columns[b] = (int) (e.getKey() & 0xffffffffL);
            entries[b + 1] = entries[b] + e.getValue();
            rowPointers[row + 1]++;
            b++;
        }
        for (int r = 0; r < gridRows; r++) {
            rowPointers[r + 1] += rowPointers[r];
        }
        assertThat(blocks.blockRowPointers()).isEqualTo(rowPointers);
        assertThat(blocks.blockColumns()).isEqualTo(columns);
        assertThat(blocks.entryPointers()).isEqualTo(entries);
    }

    /** Algorithm 1 written out in memory, from the same noise and sample positions. */
    static boolean[][] sampledOracle(float[][] scores, double rho, long seed, int cap) {
        int nt = scores.length;
        double[][] noised = new double[nt][];
        java.util.List<Double> samples = new java.util.ArrayList<>();
        for (int t = 0; t < nt; t++) {
            double m = 0;
            for (float v : scores[t]) {
                m = Math.max(m, Math.abs(v));
            }
            double eps = MaskBuilder.noiseScale(m);
            noised[t] = new double[scores[t].length];
            for (int i = 0; i < scores[t].length; i++) {
                noised[t][i] = MaskBuilder.noised(scores[t][i], eps, seed, t, i);
            }
            for (long p : MaskBuilder.samplePositions(scores[t].length, cap, seed, t)) {
                samples.add(noised[t][(int) p]);
            }
        }
        samples.sort(java.util.Comparator.reverseOrder());
        long k = MaskBuilder.keepCount(rho, samples.size());
        double tau = samples.get((int) k - 1);
        boolean[][] keep = new boolean[nt][];
        for (int t = 0; t < nt; t++) {
            keep[t] = new boolean[scores[t].length];
            for (int i = 0; i < scores[t].length; i++) {
                keep[t][i] = noised[t][i] >= tau;
            }
        }
        return keep;
    }

    @Test
    void sampledReproducesAlgorithmOne() throws IOException {
        SplittableRandom r = new SplittableRandom(11);
        float[][] scores = {new float[3000], new float[800], new float[1200]};
        for (float[] s : scores) {
            for (int i = 0; i < s.length; i++) {
                s[i] = r.nextInt(10) == 0 ? 0.5f : (float) Math.abs(r.nextGaussian());
            }
        }
        TensorTable tensors = MaskFixtures.table(new long[] {30, 100}, new long[] {800}, new long[] {1200});
        MaskOptions o = MaskOptions.exact(0.8).withBuilder(MaskBuilder.Method.SAMPLED).withSeed(5).withSamples(1000);
        Built b = build(tensors, scores, o);
        assertThat(b.mask).isDeepEqualTo(MaskFixtures.toIndices(sampledOracle(scores, 0.8, 5, 1000)));
        assertThat(b.report.note()).isEmpty();
        assertThat(Math.abs(b.report.error())).isLessThan(0.05);
        assertThat(build(tensors, scores, o).mask).isDeepEqualTo(b.mask);
        assertThat(Arrays.deepEquals(build(tensors, scores, o.withSeed(6)).mask, b.mask)).isFalse();
        // ties at 0.5 are broken by the noise: the result has no systematic bias to low indices, and
        // all-equal scores give about the target (here: sampled = every entry, so the count is near k)
        float[][] equal = {new float[2000]};
        Arrays.fill(equal[0], 1f);
        Built e = build(MaskFixtures.table(new long[] {2000}), equal, o.withSamples(100_000));
        assertThat(count(e.mask)).isBetween(395L, 405L);
    }

    @Test
    void sampledFallsBackToPerTensorWhenTheSampledThresholdMissesByMoreThanFivePoints() throws IOException {
        // tensor 0: 20 000 low scores, tensor 1: 2 000 high; with 1 000 samples each, the samples
        // over-represent tensor 1 tenfold: keep 50 % of the samples = every sample of tensor 1, so the
        // threshold keeps tensor 1 only (~91 % sparsity instead of 50 %).
        SplittableRandom r = new SplittableRandom(12);
        float[][] scores = {new float[20_000], new float[2_000]};
        for (int i = 0; i < scores[0].length; i++) {
            scores[0][i] = (float) r.nextDouble();
        }
        for (int i = 0; i < scores[1].length; i++) {
            scores[1][i] = 10 + (float) r.nextDouble();
        }
        TensorTable tensors = MaskFixtures.table(new long[] {200, 100}, new long[] {2000});
        MaskOptions o = MaskOptions.exact(0.5).withBuilder(MaskBuilder.Method.SAMPLED).withSeed(1).withSamples(1000);
        Built b = build(tensors, scores, o);
        assertThat(b.report.note()).contains("fell back to per-tensor top-k");
        assertThat(b.mask[0]).isEqualTo(topK(scores, 10_000, 0)[0]);
        assertThat(b.mask[1]).isEqualTo(topK(scores, 1_000, 1)[1]);
        try (MaskFileReader in = MaskFileReader.open(b.file, allocator)) {
            assertThat(in.info().method()).isEqualTo("sampled-global-threshold");
            assertThat(in.info().parameters()).containsEntry("fallback", "per-tensor-topk");
            assertThat(Double.parseDouble(in.info().parameters().get("sampled_achieved_sparsity"))).isGreaterThan(0.55);
        }
    }

    @Test
    void safetensorsMaskRoundTrips() throws IOException {
        SplittableRandom r = new SplittableRandom(13);
        Object[] tc = randomCase(r, 0);
        TensorTable tensors = (TensorTable) tc[0];
        float[][] scores = (float[][]) tc[1];
        Built b = build(tensors, scores, MaskOptions.exact(0.6));
        Path st = dir.resolve("mask.safetensors");
        MaskFiles.toSafetensors(b.file, st, allocator);
        try (SafetensorsFile f = SafetensorsFile.open(st)) {
            assertThat(f.metadata()).containsEntry("rlcasino.method", "global-topk");
            for (int t = 0; t < tensors.size(); t++) {
                var info = f.tensor(tensors.get(t).name());
                assertThat(info.dtype()).isEqualTo(Dtype.BOOL);
                assertThat(info.shape()).isEqualTo(tensors.get(t).shape());
                var seg = f.slice(tensors.get(t).name());
                boolean[] expected = new boolean[scores[t].length];
                for (int i : b.mask[t]) {
                    expected[i] = true;
                }
                for (int i = 0; i < expected.length; i++) {
                    assertThat(seg.get(ValueLayout.JAVA_BYTE, i)).isEqualTo(expected[i] ? (byte) 1 : (byte) 0);
                }
            }
        }
    }

    @Test
    void badOptionsAreRejected() {
        assertThatThrownBy(() -> MaskOptions.exact(1.0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 100)");
        assertThatThrownBy(() -> MaskOptions.exact(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MaskOptions.exact(0.5).withBuilder(MaskBuilder.Method.RANDOM).withFloor(0.1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
