package org.rlcasino.scoring.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.MaskFileInfo;
import org.rlcasino.io.arrow.MaskFileWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MaskComparisonTest {
    /** Tiny rows and batches, so every tensor spans several rows and record batches. */
    private static final Batching SMALL = new Batching(4, 16);
    /** Rows that do not line up with {@link #SMALL}'s, so the merge refills A and B at different places. */
    private static final Batching ODD = new Batching(7, 21);

    private static final TensorTable TABLE = TensorTable.of(
            TensorInfo.f32("h.0.w", 16, 24),
            TensorInfo.f32("h.0.b", 24),
            TensorInfo.f32("empty", 0, 4),
            TensorInfo.f32("scalar"),
            TensorInfo.f32("h.1.w", 40, 25));

    @TempDir
    Path dir;
    private BufferAllocator allocator;

    @BeforeEach
    void openAllocator() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void closeAllocator() {
        allocator.close(); // fails the test if a reader leaked memory
    }

    /** Writes a mask of {@code indices[t]} per tensor, in random-sized pieces. */
    private Path writeMask(String name, TensorTable table, int[][] indices, Batching batching, long seed) throws IOException {
        Path file = dir.resolve(name);
        Random random = new Random(seed);
        try (MaskFileWriter writer = MaskFileWriter.create(file, table, MaskFileInfo.of("random", 0.5, OptionalDouble.empty(), Map.of()),
                Map.of("test", name), batching, allocator)) {
            for (int t = 0; t < table.size(); t++) {
                int from = 0;
                while (from < indices[t].length) {
                    int count = Math.min(indices[t].length - from, 1 + random.nextInt(10));
                    writer.writeIndices(table.get(t).name(), indices[t], from, count);
                    from += count;
                }
            }
            writer.finish();
        }
        return file;
    }

    /** Each entry of each tensor kept independently with probability {@code density[t]}. */
    private static int[][] bernoulli(TensorTable table, double[] density, Random random) {
        int[][] indices = new int[table.size()][];
        for (int t = 0; t < table.size(); t++) {
            int n = (int) table.get(t).size();
            int[] kept = new int[n];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (random.nextDouble() < density[t]) {
                    kept[k++] = i;
                }
            }
            indices[t] = Arrays.copyOf(kept, k);
        }
        return indices;
    }

    private static Set<Integer> set(int[] indices) {
        Set<Integer> s = new HashSet<>();
        for (int i : indices) {
            s.add(i);
        }
        return s;
    }

    /** Checks every tensor's counts against HashSet intersection and union. */
    private static void assertMatchesSets(MaskComparison.Result result, TensorTable table, int[][] a, int[][] b) {
        long intersection = 0;
        long union = 0;
        List<Double> jaccards = new ArrayList<>();
        for (int t = 0; t < table.size(); t++) {
            Set<Integer> sa = set(a[t]);
            Set<Integer> sb = set(b[t]);
            Set<Integer> both = new HashSet<>(sa);
            both.retainAll(sb);
            Set<Integer> either = new HashSet<>(sa);
            either.addAll(sb);
            MaskOverlap o = result.tensors().get(t).overlap();
            String name = table.get(t).name();
            assertThat(result.tensors().get(t).tensor()).isEqualTo(table.get(t));
            assertThat(o.size()).as(name).isEqualTo(table.get(t).size());
            assertThat(o.countA()).as(name).isEqualTo(sa.size());
            assertThat(o.countB()).as(name).isEqualTo(sb.size());
            assertThat(o.intersection()).as(name).isEqualTo(both.size());
            assertThat(o.union()).as(name).isEqualTo(either.size());
            double expected = either.isEmpty() ? 1.0 : (double) both.size() / either.size();
            assertThat(o.jaccard()).as(name).isEqualTo(expected);
            if (!either.isEmpty()) {
                jaccards.add(expected);
            }
            intersection += both.size();
            union += either.size();
        }
        assertThat(result.total().intersection()).isEqualTo(intersection);
        assertThat(result.total().union()).isEqualTo(union);
        assertThat(result.total().jaccard()).isEqualTo(union == 0 ? 1.0 : (double) intersection / union);
        double mean = jaccards.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (Double.isNaN(mean)) {
            assertThat(result.meanTensorJaccard()).isNaN();
        } else {
            assertThat(result.meanTensorJaccard()).isCloseTo(mean, within(1e-12));
        }
        assertThat(result.nonEmptyTensors()).isEqualTo(jaccards.size());
    }

    @Test
    void jaccardMatchesHashSetsAtManyDensities() throws IOException {
        Random random = new Random(42);
        double[][] densities = {
                {0.0, 0.0, 0.0, 0.0, 0.0},
                {0.01, 0.5, 0.0, 1.0, 0.02},
                {0.5, 0.5, 0.0, 0.0, 0.5},
                {0.99, 0.0, 0.0, 1.0, 0.9},
                {1.0, 1.0, 0.0, 1.0, 1.0},
                {0.1, 0.3, 0.0, 0.0, 0.05}};
        int round = 0;
        for (double[] da : densities) {
            for (double[] db : densities) {
                int[][] a = bernoulli(TABLE, da, random);
                int[][] b = bernoulli(TABLE, db, random);
                Path fa = writeMask("a" + round + ".arrow", TABLE, a, SMALL, round);
                Path fb = writeMask("b" + round + ".arrow", TABLE, b, round % 2 == 0 ? ODD : Batching.DEFAULTS, round + 1000);
                assertMatchesSets(MaskComparison.compare(fa, fb, allocator, Progress.NONE), TABLE, a, b);
                assertMatchesSets(MaskComparison.compare(fb, fa, allocator, Progress.NONE), TABLE, b, a);
                round++;
            }
        }
    }

    @Test
    void identicalMasksHaveJaccardOneAndEmptyOnesToo() throws IOException {
        int[][] a = bernoulli(TABLE, new double[] {0.2, 0.0, 0.0, 1.0, 0.7}, new Random(7));
        Path fa = writeMask("a.arrow", TABLE, a, SMALL, 1);
        Path fb = writeMask("b.arrow", TABLE, a, ODD, 2);
        MaskComparison.Result result = MaskComparison.compare(fa, fb, allocator, Progress.NONE);
        assertMatchesSets(result, TABLE, a, a);
        for (TensorOverlap t : result.tensors()) {
            assertThat(t.overlap().jaccard()).as(t.tensor().name()).isEqualTo(1.0);
        }
        assertThat(result.total().jaccard()).isEqualTo(1.0);
        assertThat(result.meanTensorJaccard()).isEqualTo(1.0);
        assertThat(result.nonEmptyTensors()).isEqualTo(3); // h.0.b and "empty" keep nothing
        assertThat(result.a()).isEqualTo(fa.toString());
    }

    @Test
    void progressCountsEveryIndexOfBothMasks() throws IOException {
        int[][] a = bernoulli(TABLE, new double[] {0.3, 0.3, 0.0, 1.0, 0.3}, new Random(3));
        int[][] b = bernoulli(TABLE, new double[] {0.6, 0.0, 0.0, 0.0, 0.1}, new Random(4));
        Path fa = writeMask("a.arrow", TABLE, a, SMALL, 1);
        Path fb = writeMask("b.arrow", TABLE, b, ODD, 2);
        long[] seen = new long[3];
        MaskComparison.compare(fa, fb, allocator, new Progress() {
            public void begin(String task, long totalIndices) {
                seen[0] = totalIndices;
            }

            public void advance(long indices) {
                seen[1] += indices;
            }

            public void end() {
                seen[2]++;
            }
        });
        long total = Arrays.stream(a).mapToLong(x -> x.length).sum() + Arrays.stream(b).mapToLong(x -> x.length).sum();
        assertThat(seen).containsExactly(total, total, 1);
    }

    /**
     * Independent Bernoulli masks of densities a and b over n entries: |A∩B| ~ Binomial(n, ab),
     * so the Jaccard index lands within a few standard errors sqrt(ab(1−ab)/n)/(a+b−ab) of
     * ab/(a+b−ab) (the union varies far less, and with the intersection).
     */
    @Test
    void independentRandomMasksMeetTheRandomBaseline() throws IOException {
        TensorTable table = TensorTable.of(TensorInfo.f32("w1", 300, 400), TensorInfo.f32("w2", 80_000), TensorInfo.f32("b", 0));
        long n = table.totalElements();
        assertThat(n).isEqualTo(200_000);
        Random random = new Random(2024);
        double[][] pairs = {{0.1, 0.3}, {0.05, 0.05}, {0.01, 0.01}, {0.5, 0.2}};
        for (double[] pair : pairs) {
            double a = pair[0];
            double b = pair[1];
            int[][] ma = bernoulli(table, new double[] {a, a, a}, random);
            int[][] mb = bernoulli(table, new double[] {b, b, b}, random);
            Path fa = writeMask("ra.arrow", table, ma, Batching.DEFAULTS, 1);
            Path fb = writeMask("rb.arrow", table, mb, Batching.DEFAULTS, 2);
            MaskOverlap total = MaskComparison.compare(fa, fb, allocator, Progress.NONE).total();
            double expected = a * b / (a + b - a * b);
            if (a == b) {
                assertThat(expected).isCloseTo(a / (2 - a), within(1e-15));
            }
            double standardError = Math.sqrt(a * b * (1 - a * b) / n) / (a + b - a * b);
            assertThat(total.jaccard()).as("a=%s b=%s", a, b).isCloseTo(expected, within(4 * standardError));
            // The baseline from the measured densities agrees with the nominal one within sampling error too.
            assertThat(total.randomJaccard()).as("a=%s b=%s", a, b).isCloseTo(expected, within(4 * standardError));
        }
    }

    @Test
    void differentTensorSetsAreRejectedWithTheDifferences() throws IOException {
        TensorTable other = TensorTable.of(
                TensorInfo.f32("h.0.w", 16, 25),
                TensorInfo.f32("h.0.b", 24),
                TensorInfo.f32("scalar"),
                TensorInfo.f32("h.1.w", 40, 25),
                TensorInfo.f32("extra", 3));
        int[][] none = new int[5][0];
        Path fa = writeMask("a.arrow", TABLE, none, SMALL, 1);
        Path fb = writeMask("b.arrow", other, none, SMALL, 2);
        assertThatThrownBy(() -> MaskComparison.compare(fa, fb, allocator, Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only in " + fa + ": empty")
                .hasMessageContaining("only in " + fb + ": extra")
                .hasMessageContaining("h.0.w [16, 24] vs [16, 25]");
    }

    @Test
    void sameTensorsInAnotherOrderAreRejected() {
        TensorTable swapped = TensorTable.of(TensorInfo.f32("y", 2), TensorInfo.f32("x", 3));
        TensorTable table = TensorTable.of(TensorInfo.f32("x", 3), TensorInfo.f32("y", 2));
        assertThatThrownBy(() -> MaskComparison.requireSameTensors("a", table, "b", swapped))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("different order")
                .hasMessageContaining("position 0: x vs y");
        // dtypes may differ: a mask of a bf16 checkpoint compares with one of its f32 copy
        MaskComparison.requireSameTensors("a", table, "b", TensorTable.of(new TensorInfo("x", new long[] {3}, "BF16"), TensorInfo.f32("y", 2)));
    }
}
