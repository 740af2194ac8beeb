package org.rlcasino.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class BenchMaskCommandTest {
    @TempDir
    Path dir;

    @Test
    void buildsAnExactMaskAndReusesTheScoresInDir() throws Exception {
        Path json = dir.resolve("bench.json");
        Path where = dir.resolve("w");
        CliRun r = CliRun.run("bench", "mask", "--scores", "2M", "--dir", where, "--json", json, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("scores: 2,000,000 float32", "written in", "kept 50,000 (k = 50,000: exact)",
                "M scores/s", "peak memory while building", "peak heap");
        assertThat(Files.readString(json)).contains("rlcasino.bench.mask", "\"exact\" : true", "scoresPerSecond");
        assertThat(where.resolve(BenchMaskCommand.SCORES_FILE)).exists();
        assertThat(where.resolve(BenchMaskCommand.MASK_FILE)).doesNotExist();

        CliRun again = CliRun.run("bench", "mask", "--scores", "2M", "--dir", where, "--sparsity", "90", "--quiet");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("(reused)", "kept 200,000 (k = 200,000: exact)");
    }

    @Test
    void badInputExits2() {
        assertThat(CliRun.run("bench", "mask", "--scores", "2M", "--sparsity", "100", "--quiet").code()).isEqualTo(2);
        assertThat(CliRun.run("bench", "mask", "--scores", "0", "--quiet").code()).isEqualTo(2);
        assertThat(CliRun.run("bench", "mask", "--scores", "many", "--quiet").code()).isEqualTo(2);
    }
}
