package org.rlcasino.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code casino bench family} on the tiny size and a short batch. */
class BenchFamilyCommandTest {
    @TempDir
    Path dir;

    @Test
    void timesEveryFamilyAndWritesJson() throws Exception {
        Path json = dir.resolve("family.json");
        CliRun r = CliRun.run("bench", "family", "--sizes", "tiny", "--batch", "1", "--seq-len", "8", "--threads", "1",
                "--repeats", "1", "--warmup", "0", "--families", "llama,qwen2,qwen3,gemma3", "--kernels", "--json", json, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("llama", "qwen2", "qwen3", "gemma3_text", "139,584", "107,136", "1x8", "fwd tok/s",
                "step tok/s", "per kernel", "ADAMW");
        assertThat(Files.readString(json)).contains("rlcasino.bench.family", "forwardTokensPerSecond", "stepTokensPerSecond",
                "\"params\" : 139584", "heapBytes");
    }

    @Test
    void badInputExits2() {
        CliRun family = CliRun.run("bench", "family", "--families", "gpt2", "--quiet");
        assertThat(family.code()).isEqualTo(2);
        assertThat(family.err()).contains("family 'gpt2' is not supported");
        CliRun size = CliRun.run("bench", "family", "--sizes", "1b", "--quiet");
        assertThat(size.code()).isEqualTo(2);
        assertThat(size.err()).contains("unknown size '1b'");
        assertThat(CliRun.run("bench", "family", "--threads", "0", "--quiet").code()).isEqualTo(2);
        assertThat(CliRun.run("bench", "family", "--sizes", "tiny", "--repeats", "0", "--quiet").code()).isEqualTo(2);
    }
}
