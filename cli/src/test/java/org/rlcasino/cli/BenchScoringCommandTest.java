package org.rlcasino.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class BenchScoringCommandTest {
    @TempDir
    Path dir;

    @Test
    void runsEachScorerAndReusesTheDeltasInDir() throws Exception {
        Path json = dir.resolve("bench.json");
        Path series = dir.resolve("series");
        CliRun r = CliRun.run("bench", "scoring", "--size", "20M", "--dir", series, "--json", json, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("sequential mmap read of the deltas", "magnitude:", "fisher:", "momentum:", "GB/s",
                "of the mmap read rate", "M entries/s", "peak RSS", "deltas extracted in");
        assertThat(Files.readString(json)).contains("rlcasino.bench.scoring", "\"method\" : \"momentum\"", "gbPerSecond");
        assertThat(series.resolve(BenchScoringCommand.DELTAS_FILE)).exists();
        try (var files = Files.list(series)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("scores"));
        }

        CliRun again = CliRun.run("bench", "scoring", "--size", "20M", "--dir", series, "--methods", "magnitude", "--quiet");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("magnitude:", "deltas reused").doesNotContain("fisher:");
    }

    @Test
    void badInputExits2() {
        CliRun r = CliRun.run("bench", "scoring", "--size", "20M", "--methods", "magnitude,bogus", "--quiet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bogus");
        assertThat(CliRun.run("bench", "scoring", "--checkpoints", "2", "--quiet").code()).isEqualTo(2);
        assertThat(CliRun.run("bench", "scoring", "--size", "lots", "--quiet").code()).isEqualTo(2);
    }
}
