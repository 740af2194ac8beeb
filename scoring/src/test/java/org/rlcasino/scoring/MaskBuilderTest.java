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
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.MaskBlocks;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.MaskTensor;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsFile;
import org.rlcasino.kernels.JvmBackend;

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

    /**
     * Builds from a score file whose element {@code index} of tensor {@code tensor} reads as {@code bad}:
     * RL Casino's writers refuse non-finite scores, so this stands in for a file written elsewhere.
     */
    Built buildWithBadScore(TensorTable tensors, float[][] scores, MaskOptions options, int tensor, int index, float bad)
            throws IOException {
        Path s = dir.resolve("scores" + files + ".arrow");
        Path m = dir.resolve("mask" + files++ + ".arrow");
        MaskFixtures.writeScores(s, tensors, scores, allocator);
        ScoreSource file = ScoreSource.ofFile(s, allocator, 100);
        ScoreSource source = new ScoreSource() {
            @Override
            public TensorTable tensors() {
                return file.tensors();
            }

            @Override
            public String description() {
                return file.description();
            }

            @Override
            public void forEachBatch(BatchVisitor visitor) throws IOException {
                file.forEachBatch((t, off, v, n) -> {
                    if (t == tensor && index >= off && index < off + n) {
                        v[(int) (index - off)] = bad;
                    }
                    visitor.batch(t, off, v, n);
                });
            }
        };
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

    /** ⌊f·n⌋ in exact decimal arithmetic, as the builder documents. */
    static long floorCount(double f, long n) {
        return java.math.BigDecimal.valueOf(f).multiply(java.math.BigDecimal.valueOf(n))
                .setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
    }

    /** The reserve-floor oracle by full sorts: each tensor's ⌊f·n_t⌋ best first, then the k − Σ best of the rest. */
    record FloorOracle(int[][] mask, boolean[][] global) {}

    static FloorOracle reserveFloorOracle(float[][] scores, long k, double f) {
        boolean[][] keep = new boolean[scores.length][];
        boolean[][] global = new boolean[scores.length][];
        java.util.List<MaskFixtures.Entry> rest = new java.util.ArrayList<>();
        long reserved = 0;
        for (int t = 0; t < scores.length; t++) {
            keep[t] = new boolean[scores[t].length];
            global[t] = new boolean[scores[t].length];
            java.util.List<MaskFixtures.Entry> own = new java.util.ArrayList<>();
            for (int i = 0; i < scores[t].length; i++) {
                own.add(new MaskFixtures.Entry(scores[t][i], t, i));
            }
            own.sort(MaskFixtures.ORDER);
            long ft = floorCount(f, scores[t].length);
            reserved += ft;
            for (int j = 0; j < own.size(); j++) {
                if (j < ft) {
                    keep[t][own.get(j).index()] = true;
                } else {
                    rest.add(own.get(j));
                }
            }
        }
        rest.sort(MaskFixtures.ORDER);
        for (int j = 0; j < k - reserved; j++) {
            MaskFixtures.Entry e = rest.get(j);
            keep[e.tensor()][e.index()] = true;
            global[e.tensor()][e.index()] = true;
        }
        return new FloorOracle(MaskFixtures.toIndices(keep), global);
    }

    @Test
    void floorReservesEachTensorsBestEntriesInsideTheGlobalBudget() throws IOException {
        SplittableRandom r = new SplittableRandom(8);
        double[] floors = {0.0025, 0.01, 0.05, 0.1, 0.3};
        int built = 0;
        for (int c = 0; c < 40; c++) {
            // sizes from 1 to thousands, so that ⌊f·n_t⌋ is 0 for the tiny tensors
            long[][] shapes = {{1 + r.nextInt(3)}, {1 + r.nextInt(60), 1 + r.nextInt(60)}, {1 + r.nextInt(30)}, {2 + r.nextInt(400)}};
            TensorTable tensors = MaskFixtures.table(shapes);
            float[][] scores = new float[shapes.length][];
            for (int t = 0; t < shapes.length; t++) {
                scores[t] = new float[(int) tensors.get(t).size()];
                for (int i = 0; i < scores[t].length; i++) {
                    scores[t][i] = switch (c % 4) {
                        case 0 -> (float) r.nextDouble() + (t == 1 ? 10 : 0);   // one tensor dominates
                        case 1 -> r.nextInt(3);                                // heavy ties
                        case 2 -> r.nextInt(5) == 0 ? (float) r.nextDouble() : 0f; // mostly zeros
                        default -> 1.5f;                                        // all equal
                    };
                }
            }
            double f = floors[c % floors.length];
            double rho = c < 20 ? 0.9 : 0.5 + 0.45 * r.nextDouble();
            long k = MaskBuilder.keepCount(rho, tensors.totalElements());
            long reserved = 0;
            for (float[] s : scores) {
                reserved += floorCount(f, s.length);
            }
            if (reserved > k) {
                continue;
            }
            Built b = build(tensors, scores, MaskOptions.exact(rho).withFloor(f));
            FloorOracle oracle = reserveFloorOracle(scores, k, f);
            assertThat(b.mask).as("case %d (f %s, rho %s)", c, f, rho).isDeepEqualTo(oracle.mask());
            assertThat(count(b.mask)).isEqualTo(k);
            assertThat(b.report.kept()).isEqualTo(k);
            for (int t = 0; t < scores.length; t++) {
                assertThat((long) b.mask[t].length).isGreaterThanOrEqualTo(floorCount(f, scores[t].length));
            }
            assertTies(b, scores, cutOfGlobalPart(scores, oracle));
            built++;
        }
        assertThat(built).as("cases whose floors fit the budget").isGreaterThanOrEqualTo(25);
    }

    @Test
    void floorKeepsExactlyKWhereTheOldRuleAddedEntriesOnTop() throws IOException {
        SplittableRandom r = new SplittableRandom(18);
        float[][] scores = {new float[400], new float[300], new float[7]};
        for (int i = 0; i < 400; i++) {
            scores[0][i] = (float) r.nextDouble() + 10;   // tensor 0 dominates the global top-k
        }
        for (int i = 0; i < 300; i++) {
            scores[1][i] = r.nextInt(5);
        }
        TensorTable tensors = MaskFixtures.table(new long[] {20, 20}, new long[] {300}, new long[] {7});
        double rho = 0.9;
        double f = 0.05;
        Built b = build(tensors, scores, MaskOptions.exact(rho).withFloor(f));
        // k = 70: tensor 1 reserves ⌊0.05·300⌋ = 15, tensor 2 ⌊0.35⌋ = 0, tensor 0 reserves 20 and wins the other 35
        assertThat(count(b.mask)).isEqualTo(70);
        assertThat(b.mask[1]).isEqualTo(topK(scores, 15, 1)[1]);
        assertThat(b.mask[0]).isEqualTo(topK(scores, 55, 0)[0]);
        assertThat(b.mask[2]).isEmpty();
        assertThat(b.report.keptFractions().get("layer1.weight")).isEqualTo(0.05);
        try (MaskFileReader in = MaskFileReader.open(b.file, allocator)) {
            assertThat(in.info().parameters()).containsEntry("floor", "0.05").containsEntry("floor_reserved", "35")
                    .containsEntry("k", "70");
        }
        // without the floor tensor 1 gets nothing
        assertThat(build(tensors, scores, MaskOptions.exact(rho)).mask[1]).isEmpty();
    }

    @Test
    void floorThatReservesMoreThanTheBudgetIsRefused() throws IOException {
        float[][] scores = {new float[100], new float[100]};
        TensorTable tensors = MaskFixtures.table(new long[] {100}, new long[] {10, 10});
        // k = ⌊0.05·200⌋ = 10, floors 2·⌊0.1·100⌋ = 20
        assertThatThrownBy(() -> build(tensors, scores, MaskOptions.exact(0.95).withFloor(0.1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--floor 0.1 reserves 20 entries (the sum over the 2 tensors of floor(0.1 * n_t)) but sparsity 95% "
                        + "keeps only k = 10 of 200: lower --floor or the sparsity");
        // exactly the budget: every tensor keeps its floor and nothing else
        Built b = build(tensors, scores, MaskOptions.exact(0.9).withFloor(0.1));
        assertThat(b.mask[0]).isEqualTo(MaskFixtures.all(10));
        assertThat(b.mask[1]).isEqualTo(MaskFixtures.all(10));
        assertThat(b.report.threshold()).isEmpty();
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
            assertThat(in.summary().tiedAtCut()).isEmpty(); // a complement has no cut
            assertThat(in.summary().achievedSparsity()).isCloseTo(1 - b.report.achievedSparsity(), org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    /** Brute force: block scores, full sort of blocks by (score desc, tensor, block), expand. */
    static boolean[][] blockOracle(TensorTable tensors, float[][] scores, BlockShape block, boolean max, double rho) {
        java.util.List<float[]> blocks = new java.util.ArrayList<>(); // {score, tensor, blockRow, blockCol}
        for (int t = 0; t < scores.length; t++) {
            var ti = tensors.get(t);
            BlockShape shape = ti.shape().length >= 2 ? block : new BlockShape(1, block.rows() * block.columns());
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
            // square blocks, rectangles, and row and column stripes
            BlockShape bs = switch (c % 4) {
                case 0, 1 -> new BlockShape(2 + r.nextInt(4), 2 + r.nextInt(4));
                case 2 -> new BlockShape(1, 2 + r.nextInt(12));
                default -> new BlockShape(2 + r.nextInt(12), 1);
            };
            boolean max = c % 2 == 1;
            double rho = 0.5 + 0.45 * r.nextDouble();
            Built b = build(tensors, scores, MaskOptions.exact(rho).withBuilder(MaskBuilder.Method.BLOCK).withBlock(bs, max));
            assertThat(b.mask).as("case %d (%s)", c, bs).isDeepEqualTo(MaskFixtures.toIndices(blockOracle(tensors, scores, bs, max, rho)));
            try (MaskFileReader in = MaskFileReader.open(b.file, allocator)) {
                MaskTensor t;
                while ((t = in.nextTensor()) != null) {
                    MaskBlocks blocks = t.blocks();
                    assertThat(blocks).isNotNull();
                    int[] ep = blocks.entryPointers();
                    assertThat(ep[ep.length - 1]).isEqualTo(t.indices().length);
                    int expectRows = t.tensor().shape().length >= 2 ? bs.rows() : 1;
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

    /** The first min(cap, n) entries of a dense Fisher–Yates shuffle of [0, n) drawn from the builder's seeded generator, sorted. */
    static long[] fisherYatesPrefix(long n, int cap, long seed, int tensor) {
        int m = (int) Math.min(cap, n);
        int[] a = MaskFixtures.all((int) n);
        if (n > cap) {
            SplittableRandom r = MaskBuilder.sampleRandom(seed, tensor);
            for (int i = 0; i < m; i++) {
                int j = (int) (i + r.nextLong(n - i));
                int x = a[i];
                a[i] = a[j];
                a[j] = x;
            }
        }
        return Arrays.stream(Arrays.copyOf(a, m)).asLongStream().sorted().toArray();
    }

    /** ε_t·z + s in float32 with ε_t = max(‖s_t‖∞·1e-10, 1e-12) rounded to float32, z rounded to float32. */
    static float noisedOracle(float s, float maxAbs, long seed, int t, long i) {
        float eps = (float) Math.max(maxAbs * 1e-10, 1e-12);
        float z = (float) Hash.gaussian(seed, t, i);
        return s + eps * z;
    }

    /** Algorithm 1 written out in memory: float32 noise, samples from a dense Fisher–Yates prefix, τ by a full sort. */
    static boolean[][] sampledOracle(float[][] scores, double rho, long seed, int cap) {
        int nt = scores.length;
        float[][] noised = new float[nt][];
        java.util.List<Float> samples = new java.util.ArrayList<>();
        for (int t = 0; t < nt; t++) {
            float m = 0;
            for (float v : scores[t]) {
                m = Math.max(m, Math.abs(v));
            }
            noised[t] = new float[scores[t].length];
            for (int i = 0; i < scores[t].length; i++) {
                noised[t][i] = noisedOracle(scores[t][i], m, seed, t, i);
            }
            for (long p : fisherYatesPrefix(scores[t].length, cap, seed, t)) {
                samples.add(noised[t][(int) p]);
            }
        }
        samples.sort(java.util.Comparator.reverseOrder());
        long k = MaskBuilder.keepCount(rho, samples.size());
        float tau = samples.get((int) k - 1);
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
    void samplePositionsAreAPrefixOfASeededPermutationWithoutDuplicates() {
        long[] sizes = {1, 5, 99, 100, 101, 1000, 12_345};
        int[] caps = {1, 7, 100, 100_000};
        for (long n : sizes) {
            for (int cap : caps) {
                for (int t = 0; t < 3; t++) {
                    long[] p = MaskBuilder.samplePositions(n, cap, 17, t);
                    assertThat(p).as("n %d cap %d", n, cap).hasSize((int) Math.min(n, cap));
                    for (int i = 0; i < p.length; i++) {
                        assertThat(p[i]).isBetween(0L, n - 1);
                        if (i > 0) {
                            assertThat(p[i]).isGreaterThan(p[i - 1]); // sorted, no duplicates
                        }
                    }
                    if (n <= cap) {
                        assertThat(p).isEqualTo(Arrays.stream(MaskFixtures.all((int) n)).asLongStream().toArray());
                    }
                    assertThat(p).isEqualTo(fisherYatesPrefix(n, cap, 17, t));
                    assertThat(MaskBuilder.samplePositions(n, cap, 17, t)).isEqualTo(p);
                }
            }
        }
        assertThat(MaskBuilder.samplePositions(1000, 100, 1, 0)).isNotEqualTo(MaskBuilder.samplePositions(1000, 100, 2, 0));
        assertThat(MaskBuilder.samplePositions(1000, 100, 1, 0)).isNotEqualTo(MaskBuilder.samplePositions(1000, 100, 1, 1));
    }

    @Test
    void samplePositionsAreRoughlyUniform() {
        int n = 1000;
        int cap = 100;
        int draws = 4000;
        int[] hits = new int[n];
        for (int seed = 0; seed < draws; seed++) {
            for (long p : MaskBuilder.samplePositions(n, cap, seed, 3)) {
                hits[(int) p]++;
            }
        }
        // each position is drawn with probability 0.1: mean 400, sd 19
        double chi2 = 0;
        for (int h : hits) {
            assertThat(h).isBetween(300, 500);
            chi2 += (h - 400.0) * (h - 400.0) / 400.0;
        }
        // χ² with 999 degrees of freedom (times 0.9 for sampling without replacement): about 900 ± 45
        assertThat(chi2).isBetween(700.0, 1100.0);
    }

    @Test
    void noiseIsAddedInFloat32SoOnlyTinyScoresAreSeparated() {
        float maxAbs = 2f;
        float eps = MaskBuilder.noiseScale(maxAbs);
        assertThat(eps).isEqualTo((float) 2e-10);
        assertThat(MaskBuilder.noiseScale(0f)).isEqualTo((float) 1e-12);
        java.util.Set<Float> zeros = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            float s = 0.5f;
            assertThat(MaskBuilder.noised(s, eps, 3, 1, i)).isEqualTo(noisedOracle(s, maxAbs, 3, 1, i)).isEqualTo(0.5f);
            float z = MaskBuilder.noised(0f, eps, 3, 1, i);
            assertThat(z).isEqualTo(noisedOracle(0f, maxAbs, 3, 1, i)).isNotZero();
            zeros.add(z);
        }
        assertThat(zeros).hasSize(1000); // ties among zeros are broken
    }

    @Test
    void sampledReproducesAlgorithmOne() throws IOException {
        SplittableRandom r = new SplittableRandom(11);
        float[][] scores = {new float[3000], new float[800], new float[1200]};
        for (float[] s : scores) {
            for (int i = 0; i < s.length; i++) {
                s[i] = r.nextInt(10) == 0 ? 0f : (float) Math.abs(r.nextGaussian());
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
        // with 90 % zeros the cut falls among them: the float32 noise breaks their ties, so the count is near the target
        float[][] sparse = {new float[2000]};
        for (int i = 0; i < 2000; i += 10) {
            sparse[0][i] = 1f + i;
        }
        Built z = build(MaskFixtures.table(new long[] {2000}), sparse, o.withSamples(100_000));
        assertThat(z.mask).isDeepEqualTo(MaskFixtures.toIndices(sampledOracle(sparse, 0.8, 5, 100_000)));
        assertThat(count(z.mask)).isBetween(395L, 405L);
        assertThat(z.report.note()).isEmpty();
    }

    @Test
    void sampledTiesAtNonZeroScoresSurviveTheNoiseAndFallBack() throws IOException {
        // as in the paper's float32 arithmetic: s + 1e-10·s·z rounds back to s, so a tied group at the
        // cut is kept whole: all-equal scores keep everything and the builder falls back to per-tensor
        float[][] equal = {new float[2000]};
        Arrays.fill(equal[0], 1f);
        MaskOptions o = MaskOptions.exact(0.8).withBuilder(MaskBuilder.Method.SAMPLED).withSeed(5);
        Built e = build(MaskFixtures.table(new long[] {2000}), equal, o);
        assertThat(e.report.note()).contains("fell back to per-tensor top-k");
        assertThat(count(e.mask)).isEqualTo(400);
        try (MaskFileReader in = MaskFileReader.open(e.file, allocator)) {
            assertThat(in.info().parameters()).containsEntry("sampled_achieved_sparsity", "0.0");
        }
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
            assertThat(f.metadata()).containsEntry("rlcasino.method", "global-topk")
                    .containsEntry("rlcasino.tied_at_cut", Long.toString(b.report.tiedAtCut()))
                    .containsEntry("rlcasino.tied_zeros", Long.toString(b.report.tiedZeros()));
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
    void nonFiniteScoresAreRefusedNamingFileTensorAndElement() throws IOException {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        String[] names = {"NaN", "Infinity", "-Infinity"};
        MaskBuilder.Method[] methods = {MaskBuilder.Method.EXACT, MaskBuilder.Method.PER_TENSOR, MaskBuilder.Method.BLOCK,
                MaskBuilder.Method.SAMPLED};
        TensorTable tensors = MaskFixtures.table(new long[] {30}, new long[] {8, 12});
        for (int b = 0; b < bad.length; b++) {
            for (MaskBuilder.Method m : methods) {
                float[][] scores = {new float[30], new float[96]};
                Arrays.fill(scores[1], 1f);
                int n = files;
                MaskOptions o = MaskOptions.exact(0.5).withBuilder(m).withBlock(new BlockShape(4, 4), false);
                float v = bad[b];
                assertThatThrownBy(() -> buildWithBadScore(tensors, scores, o, 1, 37, v)).as("%s %s", m, names[b]).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage(dir.resolve("scores" + n + ".arrow") + ": tensor layer1.weight element 37 (flat index) is " + names[b]
                                + "; mask builders need finite scores: fix the scorer or its input and score again");
                assertThat(dir.resolve("mask" + n + ".arrow")).doesNotExist();
            }
            float[][] floorCase = {new float[30], new float[96]};
            float v = bad[b];
            assertThatThrownBy(() -> buildWithBadScore(tensors, floorCase, MaskOptions.exact(0.5).withFloor(0.1), 0, 29, v))
                    .hasMessageContaining("tensor layer0.weight element 29 (flat index) is " + names[b]);
        }
    }

    /** Order key of a score: the selection order (bit pattern order, −0 below +0). */
    static int key(float v) {
        return org.rlcasino.kernels.SelectionKernels.key(v);
    }

    /** The smallest kept key per tensor ({@code perTensor}) or over the whole mask, as a cut per tensor (null: no cut). */
    static Integer[] smallestKept(int[][] mask, float[][] scores, boolean perTensor) {
        Integer[] cut = new Integer[scores.length];
        Integer global = null;
        for (int t = 0; t < scores.length; t++) {
            for (int i : mask[t]) {
                int k = key(scores[t][i]);
                if (cut[t] == null || Integer.compareUnsigned(k, cut[t]) < 0) {
                    cut[t] = k;
                }
            }
            if (cut[t] != null && (global == null || Integer.compareUnsigned(cut[t], global) < 0)) {
                global = cut[t];
            }
        }
        if (!perTensor) {
            Arrays.fill(cut, global);
        }
        return cut;
    }

    /** Reserve floor: the smallest key the global part keeps, for every tensor; per-tensor floor cuts if that part is empty. */
    static Integer[] cutOfGlobalPart(float[][] scores, FloorOracle oracle) {
        int[][] globalPart = MaskFixtures.toIndices(oracle.global());
        return count(globalPart) > 0 ? smallestKept(globalPart, scores, false) : smallestKept(oracle.mask(), scores, true);
    }

    /** Brute force: {tied, zeros} = kept entries of tensor t whose key equals cut[t], and those that are ±0. */
    static long[] bruteTies(int[][] mask, float[][] scores, Integer[] cut) {
        long tied = 0;
        long zeros = 0;
        for (int t = 0; t < scores.length; t++) {
            for (int i : mask[t]) {
                if (cut[t] != null && key(scores[t][i]) == cut[t]) {
                    tied++;
                    if (scores[t][i] == 0f) {
                        zeros++;
                    }
                }
            }
        }
        return new long[] {tied, zeros};
    }

    /** The report and the file's footer carry the brute-force tie counts. */
    void assertTies(Built b, float[][] scores, Integer[] cut) throws IOException {
        long[] expected = bruteTies(b.mask, scores, cut);
        assertThat(new long[] {b.report.tiedAtCut(), b.report.tiedZeros()}).as("tied at cut, zeros").isEqualTo(expected);
        assertThat(b.report.tieShare()).isEqualTo(b.report.kept() == 0 ? 0.0 : (double) expected[0] / b.report.kept());
        try (MaskFileReader in = MaskFileReader.open(b.file, allocator)) {
            assertThat(in.summary().tiedAtCut()).hasValue(expected[0]);
            assertThat(in.summary().tiedZeros()).hasValue(expected[1]);
        }
    }

    @Test
    void tieShareOfExactAndPerTensorMasksMatchesABruteForceCount() throws IOException {
        SplittableRandom r = new SplittableRandom(21);
        for (int c = 0; c < 32; c++) {
            Object[] tc = randomCase(r, c % 4);
            TensorTable tensors = (TensorTable) tc[0];
            float[][] scores = (float[][]) tc[1];
            if (c % 8 == 1) {
                for (float[] s : scores) {  // mostly zeros, a few −0.0 (below +0.0 in the selection order)
                    for (int i = 0; i < s.length; i++) {
                        s[i] = r.nextInt(4) == 0 ? (float) r.nextDouble() : r.nextInt(10) == 0 ? -0f : 0f;
                    }
                }
            }
            double rho = 0.3 + 0.69 * r.nextDouble();
            Built exact = build(tensors, scores, MaskOptions.exact(rho));
            assertTies(exact, scores, smallestKept(exact.mask, scores, false));
            Built local = build(tensors, scores, MaskOptions.exact(rho).withBuilder(MaskBuilder.Method.PER_TENSOR));
            assertTies(local, scores, smallestKept(local.mask, scores, true));
        }
    }

    @Test
    void tieShareOfAnEarlyMaskIsMostlyZeros() throws IOException {
        // 97.5 % sparsity, 1 % of the entries non-zero: 60 % of the kept entries are zeros chosen by the tie order
        float[][] scores = {new float[40_000], new float[60_000]};
        SplittableRandom r = new SplittableRandom(22);
        for (float[] s : scores) {
            for (int i = 0; i < s.length; i += 100) {
                s[i] = 1 + (float) r.nextDouble();
            }
        }
        TensorTable tensors = MaskFixtures.table(new long[] {200, 200}, new long[] {60_000});
        Built b = build(tensors, scores, MaskOptions.exact(0.975));
        assertThat(b.report.kept()).isEqualTo(2500);
        assertThat(b.report.tiedAtCut()).isEqualTo(1500);
        assertThat(b.report.tiedZeros()).isEqualTo(1500);
        assertThat(b.report.tieShare()).isEqualTo(0.6);
        assertThat(b.report.threshold()).hasValue(0.0);
        Built random = build(tensors, scores, MaskOptions.exact(0.975).withBuilder(MaskBuilder.Method.RANDOM));
        assertThat(random.report.tiedAtCut()).isZero();
        assertThat(random.report.tiedZeros()).isZero();
        assertThat(random.report.threshold()).isEmpty();
        try (MaskFileReader in = MaskFileReader.open(random.file, allocator)) {
            assertThat(in.summary().tiedAtCut()).hasValue(0);
        }
    }

    @Test
    void tieShareOfBlockMasksCountsTheEntriesOfBlocksTiedAtTheBlockCut() throws IOException {
        SplittableRandom r = new SplittableRandom(23);
        for (int c = 0; c < 12; c++) {
            long[][] shapes = {{1 + r.nextInt(40), 1 + r.nextInt(40)}, {1 + r.nextInt(200)}};
            TensorTable tensors = MaskFixtures.table(shapes);
            float[][] scores = new float[2][];
            for (int t = 0; t < 2; t++) {
                scores[t] = new float[(int) tensors.get(t).size()];
                for (int i = 0; i < scores[t].length; i++) {
                    scores[t][i] = r.nextInt(c % 2 == 0 ? 3 : 30) == 0 ? 1f : 0f;
                }
            }
            int bs = 2 + r.nextInt(3);
            boolean max = c % 3 == 0;
            double rho = 0.5 + 0.45 * r.nextDouble();
            Built b = build(tensors, scores, MaskOptions.exact(rho).withBuilder(MaskBuilder.Method.BLOCK).withBlock(new BlockShape(bs, bs), max));
            // brute force over blocks: the block scores of the kept entries, the smallest of them, the entries of blocks at it
            float[][] blockScoreOfEntry = new float[2][];
            for (int t = 0; t < 2; t++) {
                var ti = tensors.get(t);
                int rows = (int) ti.matrixRows();
                int cols = (int) ti.matrixColumns();
                int br = shapes[t].length >= 2 ? bs : 1;
                int bc = shapes[t].length >= 2 ? bs : bs * bs;
                blockScoreOfEntry[t] = new float[scores[t].length];
                for (int i = 0; i < scores[t].length; i++) {
                    int row = i / cols / br * br;
                    int col = i % cols / bc * bc;
                    double sc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int y = row; y < Math.min(rows, row + br); y++) {
                        for (int x = col; x < Math.min(cols, col + bc); x++) {
                            sc = max ? Math.max(sc, scores[t][y * cols + x]) : sc + scores[t][y * cols + x];
                        }
                    }
                    blockScoreOfEntry[t][i] = (float) sc;
                }
            }
            assertTies(b, blockScoreOfEntry, smallestKept(b.mask, blockScoreOfEntry, false));
        }
    }

    @Test
    void tieShareOfSampledMasksUsesTheRawScores() throws IOException {
        SplittableRandom r = new SplittableRandom(24);
        for (int c = 0; c < 6; c++) {
            float[][] scores = {new float[3000], new float[500]};
            for (float[] s : scores) {
                for (int i = 0; i < s.length; i++) {
                    s[i] = r.nextInt(c % 2 == 0 ? 3 : 20) == 0 ? (float) r.nextInt(4) + 1 : 0f;
                }
            }
            TensorTable tensors = MaskFixtures.table(new long[] {3000}, new long[] {50, 10});
            double rho = 0.6 + 0.3 * r.nextDouble();
            MaskOptions o = MaskOptions.exact(rho).withBuilder(MaskBuilder.Method.SAMPLED).withSeed(c).withSamples(700);
            Built b = build(tensors, scores, o);
            boolean fellBack = !b.report.note().isEmpty();
            assertTies(b, scores, smallestKept(b.mask, scores, fellBack));
            assertThat(b.report.tiedAtCut()).isPositive();
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
