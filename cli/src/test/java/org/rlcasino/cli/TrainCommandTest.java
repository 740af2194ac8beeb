package org.rlcasino.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.RunDirectory;
import org.rlcasino.io.RunDirectoryLock;

import static org.assertj.core.api.Assertions.assertThat;

/** casino train, sample and evaluate on a tiny run. */
class TrainCommandTest {
    @TempDir
    Path dir;

    private static final String CONFIG = """
            {"name": "tiny", "seed": 1,
             "model": {"layers": 1, "heads": 2, "channels": 16, "maxSeqLen": 8},
             "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 20},
             "optimizer": {"lr": 1e-2},
             "phases": [{"name": "sft", "kind": "sft", "steps": 4, "batchSize": 8},
                        {"name": "rl", "kind": "grpo", "steps": 2, "batchSize": 2, "groupSize": 4}]}
            """;

    private Path config(String text) throws Exception {
        Path file = dir.resolve("tiny.json");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void trainsRefusesToOverwriteAndThenSamplesAndEvaluates() throws Exception {
        Path config = config(CONFIG);
        Path out = dir.resolve("run");
        CliRun r = CliRun.run("train", config, "--out", out, "--threads", 1, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("phase sft: done").contains("phase rl: done").contains("acc final");
        assertThat(out.resolve("run-config.json")).isRegularFile();
        assertThat(out.resolve("rl/final/config.json")).isRegularFile();

        CliRun again = CliRun.run("train", config, "--out", out, "--threads", 1, "--quiet");
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("holds a finished run; use --force");

        CliRun resumed = CliRun.run("train", config, "--resume", out, "--threads", 1, "--quiet");
        assertThat(resumed.code()).isZero();
        assertThat(resumed.out()).contains("nothing to resume");

        CliRun forced = CliRun.run("train", config, "--out", out, "--force", "--threads", 1, "--quiet");
        assertThat(forced.code()).as(forced.err()).isZero();

        CliRun sample = CliRun.run("sample", "--model", out.resolve("rl/final"), "--prompt", "3+4=", "--greedy", "--threads", 1);
        assertThat(sample.code()).as(sample.err()).isZero();
        assertThat(sample.out()).startsWith("3+4=");
        CliRun sampled = CliRun.run("sample", "--model", out.resolve("rl/final"), "--prompt", "3+4=", "--temperature", 1.5,
                "--top-k", 5, "--samples", 3, "--seed", 7, "--max-new", 3, "--threads", 1);
        assertThat(sampled.code()).as(sampled.err()).isZero();
        assertThat(sampled.out().lines()).hasSize(3).allMatch(l -> l.startsWith("3+4=") && l.length() <= 7);

        CliRun eval = CliRun.run("evaluate", "--model", out.resolve("rl/final"), "--task", "addition", "--digits", 1,
                "--prompts", 20, "--show", 2, "--threads", 1);
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("held-out accuracy").contains("(expected");
        CliRun tooLong = CliRun.run("evaluate", "--model", out.resolve("rl/final"), "--task", "addition", "--digits", 2,
                "--threads", 1);
        assertThat(tooLong.code()).isEqualTo(2);
        assertThat(tooLong.err()).contains("--digits 2: addition prompts of up to 6 tokens plus answers of up to 4",
                "the model's context is 8");

        CliRun badPrompt = CliRun.run("sample", "--model", out.resolve("rl/final"), "--prompt", "3*4=");
        assertThat(badPrompt.code()).isEqualTo(2);
        assertThat(badPrompt.err()).contains("'*'");
    }

    @Test
    void aBackendThisProcessCannotCreateIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path config = config(CONFIG);
        Path out = dir.resolve("none");
        CliRun unknown = CliRun.run("train", config, "--backend", "cuda", "--out", out, "--quiet");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown backend 'cuda'");
        // the run-config's backend section asks for TornadoVM, which this (plain JVM) process does not have
        Path tornado = config(CONFIG.replace("\"seed\": 1,", "\"seed\": 1, \"backend\": {\"kind\": \"tornado\"},"));
        CliRun fromConfig = CliRun.run("train", tornado, "--out", out, "--quiet");
        assertThat(fromConfig.code()).isEqualTo(2);
        assertThat(fromConfig.err()).contains("the TornadoVM backend is not available in this process");
        CliRun run = CliRun.run("run", tornado, "--out", out, "--quiet");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("the TornadoVM backend is not available in this process");
        assertThat(CliRun.run("run", config, "--backend", "jvm", "--device", "x", "--out", out, "--quiet").err())
                .contains("--device must look like 0:0");
        assertThat(out).doesNotExist();
    }

    @Test
    void unfinishedRunNeedsResumeOrForce() throws Exception {
        Path config = config(CONFIG);
        Path out = dir.resolve("partial");
        Files.createDirectories(out.resolve("sft"));
        new RunDirectory(out).mark("casino train tiny.json");
        CliRun r = CliRun.run("train", config, "--out", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("holds an unfinished run; continue it with --resume");
    }

    @Test
    void aNonEmptyDirectoryThatIsNotARunIsRefusedAndLeftAsItWas() throws Exception {
        Path config = config(CONFIG);
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine.resolve("sft"));
        Files.writeString(mine.resolve("sft/notes.txt"), "my notes");
        Files.writeString(mine.resolve("data.csv"), "a,b\n1,2\n");
        Map<String, String> before = RunCommandTest.snapshot(mine);

        CliRun r = CliRun.run("train", config, "--out", mine, "--threads", 1, "--quiet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: " + mine + " is not empty and is not a run directory (it has no run-manifest.json)",
                "add --force to train into it anyway");
        CliRun resume = CliRun.run("train", config, "--resume", mine, "--threads", 1, "--quiet");
        assertThat(resume.code()).isEqualTo(2);
        assertThat(resume.err()).contains("is not a run directory", "nothing to resume");
        assertThat(RunCommandTest.snapshot(mine)).isEqualTo(before);

        CliRun forced = CliRun.run("train", config, "--out", mine, "--force", "--threads", 1, "--quiet");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(mine.resolve("data.csv")).hasContent("a,b\n1,2"); // --force here deletes nothing but the phase directories
        assertThat(mine.resolve("sft/summary.json")).isRegularFile();
        assertThat(new RunDirectory(mine).state()).isEqualTo(RunDirectory.State.RUN);
    }

    @Test
    void aRunDirectoryAnotherProcessIsTrainingIntoIsRefused() throws Exception {
        Path config = config(CONFIG);
        Path out = dir.resolve("busy");
        new RunDirectory(out).mark("casino train other.json"); // an unfinished run: "in use" wins over "unfinished"
        Map<String, String> before = RunCommandTest.snapshot(out);
        try (RunDirectoryLock lock = RunDirectoryLock.acquire(out, "casino train other.json")) {
            CliRun r = CliRun.run("train", config, "--out", out, "--threads", 1, "--quiet");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip()).isEqualTo("error: " + out + " is in use by pid " + lock.holder().pid() + " on host "
                    + lock.holder().host() + " (since " + lock.holder().since() + ": casino train other.json); wait for it to "
                    + "finish (or stop it), then run again");
        }
        assertThat(RunCommandTest.snapshot(out)).isEqualTo(before);
    }

    @Test
    void badConfigFieldIsExitTwoNamingIt() throws Exception {
        Path config = config(CONFIG.replace("\"groupSize\": 4", "\"groupSize\": 1"));
        CliRun r = CliRun.run("train", config, "--out", dir.resolve("x"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("$.phases[1]").contains("groupSize must be >= 2");
        CliRun missing = CliRun.run("evaluate", "--model", dir.resolve("none"), "--task", "addition");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no such model directory");
    }

    @Test
    void anOutputDirectoryHoldingTheConfigIsRefusedAndTheConfigKept() throws Exception {
        Path config = config(CONFIG);
        CliRun r = CliRun.run("train", config, "--out", dir, "--force");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--out " + dir + " holds the input " + config.toRealPath());
        assertThat(Files.readString(config)).isEqualTo(CONFIG);
        CliRun file = CliRun.run("train", config, "--out", config);
        assertThat(file.code()).isEqualTo(2);
        assertThat(file.err()).contains("(--out): is a regular file, not a directory");
    }
}
