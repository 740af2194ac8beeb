package org.rlcasino.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.Progress;
import org.rlcasino.kernels.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs the benchmark harness on a tiny problem: checks its bookkeeping, never its timings. */
class OptimizerBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void smallRunReportsEveryConfigurationWithConsistentFigures() throws Exception {
        OptimizerBenchmark.Config config = new OptimizerBenchmark.Config(64 * 4096, List.of(0.0, 90.0, 99.0),
                List.of(MaskShape.BLOCK_16X16, MaskShape.ROW_1X64, MaskShape.RANDOM), 1, 2, 5, true, 1 << 16);
        OptimizerBenchmark.Result result;
        try (JvmBackend backend = new JvmBackend(2, 4096)) {
            result = new OptimizerBenchmark(backend, backend).run(config, Progress.NONE);
        }
        // dense, the full mask once, then 3 shapes at 2 sparsities
        assertThat(result.rows()).hasSize(1 + 1 + 6);
        OptimizerBenchmark.Row dense = result.rows().getFirst();
        assertThat(dense.optimizer()).isEqualTo("adamw");
        assertThat(dense.speedup()).isEqualTo(1.0);
        assertThat(dense.modelBytes()).isEqualTo(28L * 64 * 4096);
        OptimizerBenchmark.Row full = result.rows().get(1);
        assertThat(full.shape()).isEqualTo("full");
        assertThat(full.active()).isEqualTo(64 * 4096);
        for (OptimizerBenchmark.Row row : result.rows().subList(2, 8)) {
            double density = 1 - row.sparsity() / 100;
            assertThat((double) row.active()).isCloseTo(density * 64 * 4096, org.assertj.core.data.Percentage.withPercentage(5));
            assertThat(row.medianMs()).isPositive().isBetween(row.minMs(), row.maxMs());
            assertThat(row.speedup()).isPositive();
            assertThat(row.stateBytes()).isLessThan(dense.stateBytes());
        }
        assertThat(result.rows().get(2).indexing()).isEqualTo("BLOCK");   // 16x16 blocks
        assertThat(result.rows().get(4).indexing()).isEqualTo("ELEMENT"); // random entries
        assertThat(result.triad().bestGBps()).isPositive();

        String table = OptimizerBenchmarkReport.table(result, null);
        assertThat(table).contains("block16x16", "row1x64", "random", "STREAM triad", "speedup");

        Path json = dir.resolve("bench.json");
        OptimizerBenchmarkReport.writeJson(json, result, TorchAdamWComparison.Result.skipped("test"), Map.of("os", "x"));
        JsonNode doc = new ObjectMapper().readTree(Files.readAllBytes(json));
        assertThat(doc.get("format").asText()).isEqualTo("rlcasino.bench.optimizer");
        assertThat(doc.get("result").get("rows")).hasSize(8);
        assertThat(doc.get("torch").get("skippedBecause").asText()).isEqualTo("test");
    }

    @Test
    void configRejectsNonsense() {
        assertThatThrownBy(() -> new OptimizerBenchmark.Config(10, List.of(90.0), List.of(MaskShape.RANDOM), 1, 1, 1, true, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("params");
        assertThatThrownBy(() -> new OptimizerBenchmark.Config(4096, List.of(100.0), List.of(MaskShape.RANDOM), 1, 1, 1, true, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sparsity");
        assertThatThrownBy(() -> new OptimizerBenchmark.Config(4096, List.of(90.0), List.of(), 1, 1, 1, true, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shapes");
        assertThatThrownBy(() -> new OptimizerBenchmark.Config(4096, List.of(90.0), List.of(MaskShape.RANDOM), 1, 0, 1, true, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repeats");
    }

    @Test
    void torchComparisonIsSkippedWithAReasonWhenPythonIsMissing() {
        TorchAdamWComparison.Result r = TorchAdamWComparison.run(dir.resolve("no-python"),
                SyntheticMasks.matrices(4096, 64), 1, 1);
        assertThat(r.skippedBecause()).contains("not found");
    }

    @Test
    void maskShapesParseTheirLabels() {
        for (MaskShape s : MaskShape.values()) {
            assertThat(MaskShape.parse(s.label().toUpperCase())).isEqualTo(s);
        }
        assertThatThrownBy(() -> MaskShape.parse("diagonal")).hasMessageContaining("block16x16");
    }
}
