package org.rlcasino.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class CasinoTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheSubcommands() {
        CliRun r = CliRun.run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: casino", "bench");
    }

    @Test
    void versionNamesTheProjectAndJava() {
        CliRun r = CliRun.run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("RL Casino", "Java");
    }

    @Test
    void benchWithoutASubcommandIsAUsageError() {
        CliRun r = CliRun.run("bench");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing subcommand");
    }

    @Test
    void badOptionValuesExitWithTwoAndSayWhy() {
        CliRun r = CliRun.run("bench", "optimizer", "--params", "lots");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("'lots' is not a count");

        r = CliRun.run("bench", "optimizer", "--shapes", "diagonal");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown mask shape 'diagonal'");

        r = CliRun.run("bench", "optimizer", "--params", "1M", "--sparsities", "100", "--quiet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("sparsity must be in [0, 100)");

        r = CliRun.run("bench", "optimizer", "--threads", "0", "--quiet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--threads must be >= 1");
    }

    @Test
    void smallBenchmarkPrintsTheTableAndWritesJson() throws Exception {
        Path json = dir.resolve("out/bench.json");
        CliRun r = CliRun.run("bench", "optimizer", "--params", "256K", "--sparsities", "0,97.5", "--repeats", "2",
                "--warmup", "1", "--triad-size", "64K", "--threads", "2", "--quiet", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("dense", "full", "block16x16", "row1x64", "random", "97.50%");
        assertThat(Files.readString(json)).contains("\"format\" : \"rlcasino.bench.optimizer\"");
    }

    @Test
    void devicesListsTheJvmBackendAndExplainsTornado() {
        CliRun r = CliRun.run("devices");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("backend jvm:", "0:0  host CPU", "backend tornado: not in this process");
    }

    @Test
    void tornadoBackendWithoutTheRuntimeSaysHowToGetIt() {
        CliRun r = CliRun.run("bench", "optimizer", "--backend", "tornado", "--params", "4K", "--quiet", "--triad-size", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("TornadoVM backend is not available", "bin/casino --backend tornado");
        r = CliRun.run("bench", "optimizer", "--device", "gpu", "--params", "4K", "--quiet", "--triad-size", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--device must look like 0:0");
    }

    @Test
    void parameterCountsAcceptUnits() {
        assertThat(ParameterCount.parse("64M")).isEqualTo(64_000_000L);
        assertThat(ParameterCount.parse("1.5k")).isEqualTo(1_500L);
        assertThat(ParameterCount.parse("2G")).isEqualTo(2_000_000_000L);
        assertThat(ParameterCount.parse("123")).isEqualTo(123L);
    }

    @Test
    void anOptionErrorIsOneLinePlusWhereTheUsageIs() {
        CliRun r = CliRun.run("score", "--deltas", "d.arrow", "--method", "magnitude", "-o", "s.arrow", "--windw", "3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: Unknown options: '--windw', '3'").contains("Possible solutions: --window")
                .contains("Run 'casino score --help' for its usage.")
                .doesNotContain("Usage:");
        assertThat(r.err().lines().count()).isLessThanOrEqualTo(4);
        CliRun missing = CliRun.run("mask", "--scores", "s.arrow");
        assertThat(missing.err()).isEqualTo("error: Missing required option: '--out=FILE'\nRun 'casino mask --help' for its usage.\n");
    }

    @Test
    void countsTooLargeAreSaidSo() {
        CliRun r = CliRun.run("bench", "scoring", "--size", "1e309", "--quiet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("'1e309' is too large").doesNotContain(">= 0");
        assertThat(CliRun.run("bench", "scoring", "--size", "NaN", "--quiet").err()).contains("'NaN' is not a count");
    }

    @Test
    void helpIsShownEvenWhenTheFilesWouldBeRefused() {
        CliRun r = CliRun.run("score", "--deltas", "/dev/zero", "-o", "/dev/null", "--method", "magnitude", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: casino score");
    }

    @Test
    void aTemporaryLeftByAKilledRunIsRemovedAndReported() throws Exception {
        Path deltas = dir.resolve("deltas.arrow");
        Path out = dir.resolve("scores.arrow");
        try (var allocator = new org.apache.arrow.memory.RootAllocator();
             var w = org.rlcasino.io.arrow.DeltaStreamWriter.create(deltas,
                     org.rlcasino.io.arrow.TensorTable.of(org.rlcasino.io.arrow.TensorInfo.f32("w", 4)), java.util.Map.of(),
                     org.rlcasino.io.arrow.DeltaStreamOptions.DEFAULTS, allocator)) {
            w.writeChunk(1, "w", 0, new float[] {1, 2, 3, 4}, 0, 4);
            w.finish();
        }
        long dead = 4_000_000;
        while (ProcessHandle.of(dead).isPresent()) {
            dead++;
        }
        Path leftover = Files.writeString(dir.resolve(".scores.arrow." + dead + ".77.tmp"), "half a file");
        CliRun r = CliRun.run("score", "--quiet", "--deltas", deltas, "--method", "magnitude", "-o", out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(leftover).doesNotExist();
        assertThat(r.err()).contains("casino: removed " + leftover, "a temporary file of an interrupted write",
                "process " + dead + " is no longer running");
    }
}
