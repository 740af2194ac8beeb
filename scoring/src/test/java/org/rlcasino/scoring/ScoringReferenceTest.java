package org.rlcasino.scoring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.kernels.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * The scorers and the exact builder against the reference fixture
 * ({@code src/test/python/gen_scoring_reference.py}: the paper's reference formulas implemented
 * from their definitions in torch, on both delta bases, with the unbiased momentum σ, the
 * single-velocity fallback and the reference floor rule). Each case is scored from a file of
 * either basis (so both conversions are exercised) and must match to 1e-6 relative, to the element
 * or to the case's largest score (float32 Welford loses about (mean²/Var)·2⁻²⁴ of a Fisher score's
 * variance term where the mean dominates, as start deltas' does: ~2e-5 of the smallest scores, 1e-9
 * of the largest); its masks must match exactly.
 */
class ScoringReferenceTest {
    private static final Path FIXTURE = Path.of("src/test/resources/golden/scoring_reference.json");
    private static JsonNode fixture;
    private static TensorTable tensors;
    private static JvmBackend backend;
    private static BufferAllocator allocator;

    @TempDir
    static Path dir;
    private static Path stepFile;
    private static Path startFile;

    @BeforeAll
    static void writeDeltaFiles() throws IOException {
        fixture = new ObjectMapper().readTree(FIXTURE.toFile());
        assertThat(fixture.get("format").asText()).isEqualTo("rlcasino.scoring_reference");
        List<TensorInfo> list = new ArrayList<>();
        for (JsonNode t : fixture.get("tensors")) {
            long[] shape = new long[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).asLong();
            }
            list.add(TensorInfo.f32(t.get("name").asText(), shape));
        }
        tensors = TensorTable.of(list);
        int[] steps = new int[fixture.get("steps").size()];
        for (int s = 0; s < steps.length; s++) {
            steps[s] = fixture.get("steps").get(s).asInt();
        }
        // small chunks and batches so that runs, conversions and scorer buffers cut through tensors
        Batching small = new Batching(5, 20);
        stepFile = DeltaStreams.write(dir.resolve("step.arrow"), tensors, steps, split(fixture.get("step_deltas")), small,
                DeltaBasis.STEP).file();
        startFile = DeltaStreams.write(dir.resolve("start.arrow"), tensors, steps, split(fixture.get("start_deltas")), small,
                DeltaBasis.START).file();
        backend = new JvmBackend(2, 7);
        allocator = new RootAllocator();
    }

    @AfterAll
    static void close() {
        backend.close();
        allocator.close();
    }

    /** [step][flat] → [step][tensor][index]. */
    private static float[][][] split(JsonNode steps) {
        float[][][] out = new float[steps.size()][tensors.size()][];
        for (int s = 0; s < steps.size(); s++) {
            int flat = 0;
            for (int t = 0; t < tensors.size(); t++) {
                float[] d = new float[(int) tensors.get(t).size()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) steps.get(s).get(flat++).asDouble();
                }
                out[s][t] = d;
            }
        }
        return out;
    }

    private static StreamingScorer scorer(JsonNode c) {
        double eps = fixture.get("eps").asDouble();
        return switch (c.get("method").asText()) {
            case "magnitude" -> new MagnitudeScorer(backend);
            case "fisher" -> new FisherScorer(backend);
            default -> new MomentumScorer(backend, MomentumFormula.of(c.get("formula").asText()), c.get("window").asInt(), eps);
        };
    }

    private static String describe(JsonNode c, Path file) {
        return c.get("method").asText() + (c.get("formula").isNull() ? "" : " " + c.get("formula").asText() + " w="
                + c.get("window").asInt()) + " steps " + c.get("steps").asText() + " on the " + c.get("basis").asText()
                + " basis from " + file.getFileName();
    }

    @Test
    void scoresMatchTheReferenceFormulasFromEitherBasisFile() throws IOException {
        int checked = 0;
        for (JsonNode c : fixture.get("cases")) {
            float[] expected = new float[c.get("scores").size()];
            double largest = 0;
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (float) c.get("scores").get(i).asDouble();
                largest = Math.max(largest, Math.abs(expected[i]));
            }
            for (Path file : List.of(startFile, stepFile)) {
                Path out = dir.resolve("scores.arrow");
                ScoringOptions options = ScoringOptions.ALL.withBasis(DeltaBasis.of(c.get("basis").asText()))
                        .withSteps(StepRange.parse(c.get("steps").asText()));
                ScoringResult r = scorer(c).score(file, out, options, null);
                assertThat(r.basis().label()).isEqualTo(c.get("basis").asText());
                assertClose(describe(c, file), flat(DeltaStreams.readScores(out)), expected, 1e-6 * largest, 1e-6);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(2 * fixture.get("cases").size()).isGreaterThanOrEqualTo(32);
    }

    @Test
    void masksMatchTheReferenceExactlyWithAndWithoutTheFloor() throws IOException {
        int checked = 0;
        for (JsonNode c : fixture.get("cases")) {
            Path scores = dir.resolve("mask-scores.arrow");
            ScoringOptions options = ScoringOptions.ALL.withBasis(DeltaBasis.of(c.get("basis").asText()))
                    .withSteps(StepRange.parse(c.get("steps").asText()));
            scorer(c).score(stepFile, scores, options, null);
            for (JsonNode m : c.get("masks")) {
                double sparsity = m.get("sparsity").asDouble() / 100;
                double floor = m.get("floor").asDouble();
                MaskOptions mask = MaskOptions.exact(sparsity).withFloor(floor);
                Path out = dir.resolve("mask.arrow");
                new MaskBuilder(ScoreSource.ofFile(scores, allocator, 64), backend, allocator, null).build(mask, out, Map.of());
                int[] expected = new int[m.get("indices").size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = m.get("indices").get(i).asInt();
                }
                assertThat(flatIndices(MaskFixtures.readMask(out, allocator)))
                        .as("%s, sparsity %s %%, floor %s", describe(c, stepFile), m.get("sparsity").asDouble(), floor)
                        .containsExactly(expected);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(6 * fixture.get("cases").size());
    }

    private static float[] flat(Map<String, float[]> scores) {
        float[] out = new float[(int) tensors.totalElements()];
        int base = 0;
        for (TensorInfo t : tensors.tensors()) {
            float[] s = scores.get(t.name());
            System.arraycopy(s, 0, out, base, s.length);
            base += s.length;
        }
        return out;
    }

    private static int[] flatIndices(int[][] perTensor) {
        List<Integer> out = new ArrayList<>();
        int base = 0;
        for (int t = 0; t < perTensor.length; t++) {
            for (int i : perTensor[t]) {
                out.add(base + i);
            }
            base += (int) tensors.get(t).size();
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
