package org.rlcasino.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rlcasino.io.RunDirectoryLock;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code casino run} and {@code casino report} as a user calls them. */
class RunCommandTest {
    @TempDir
    Path dir;

    /** Checkpoints where a fixed 10 % of entries drift: checkpoint-0/ … checkpoint-(n-1)/model.safetensors. */
    private Path checkpoints(int n) throws Exception {
        Path root = dir.resolve("trl-run");
        SplittableRandom random = new SplittableRandom(5);
        float[] theta = new float[2048];
        float[] drift = new float[theta.length];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (float) random.nextGaussian() * 0.02f;
            drift[i] = random.nextDouble() < 0.1 ? (float) random.nextGaussian() * 1e-3f : 0;
        }
        for (int step = 0; step < n; step++) {
            for (int i = 0; i < theta.length && step > 0; i++) {
                theta[i] += drift[i] + (float) random.nextGaussian() * 1e-5f;
            }
            Path c = root.resolve("checkpoint-" + step);
            Files.createDirectories(c);
            SafetensorsWriter.builder().add("w", Dtype.F32, new long[] {32, 64}, theta.clone()).build()
                    .write(c.resolve("model.safetensors"));
        }
        return root;
    }

    private Path config(String json) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void externalCheckpointsRunThenReportRebuilds() throws Exception {
        checkpoints(8);
        Path config = config("""
                {"name": "ext", "backend": {"threads": 1},
                 "experiment": {"checkpoints": "trl-run", "maskQuality": {"firstSteps": 3, "sparsities": [90, 95]}}}
                """);
        Path run = dir.resolve("runs/ext");
        CliRun r = CliRun.run("run", config, "--out", run, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("stage deltas", "stage mask-quality", "2 stage(s) ran, 0 up to date", "report.md");
        assertThat(run.resolve("mask-quality/mask-quality.csv")).isNotEmptyFile();

        CliRun again = CliRun.run("run", config, "--out", run, "--quiet");
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("0 stage(s) ran, 2 up to date");

        String before = Files.readString(run.resolve("report.md"));
        Files.delete(run.resolve("report.md"));
        CliRun report = CliRun.run("report", run);
        assertThat(report.code()).as(report.err()).isZero();
        assertThat(report.out()).contains("sections mask-quality");
        String rebuilt = Files.readString(run.resolve("report.md"));
        assertThat(rebuilt.substring(rebuilt.indexOf("## Mask quality"), rebuilt.indexOf("## Stages")))
                .isEqualTo(before.substring(before.indexOf("## Mask quality"), before.indexOf("## Stages")));
    }

    @Test
    void aFailingStageExitsTwoForBadInputAndSaysWhich() throws Exception {
        Path config = config("""
                {"name": "ext", "experiment": {"checkpoints": "missing-dir"}}
                """);
        CliRun r = CliRun.run("run", config, "--out", dir.resolve("runs/ext"), "--quiet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: stage 'deltas' failed", "missing-dir", "not a directory", "run the same command again");
        assertThat(dir.resolve("runs/ext/run.lock")).doesNotExist();
    }

    @Test
    void forceOfAnUnknownStageIsBadInput() throws Exception {
        checkpoints(4);
        Path config = config("""
                {"name": "ext", "experiment": {"checkpoints": "trl-run", "maskQuality": {"firstSteps": 2, "sparsities": [90]}}}
                """);
        CliRun r = CliRun.run("run", config, "--out", dir.resolve("runs/ext"), "--force", "train", "--quiet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--force train: no such stage", "deltas, mask-quality");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"maskQuality\": {\"sparsities\": [100]}}                        | $.experiment.maskQuality | sparsities: each sparsity must be a percentage in (0, 100), got 100.0",
            "{\"maskQuality\": {\"sparsity\": [90]}}                           | unknown key 'sparsity' at $.experiment.maskQuality | did you mean 'sparsities'?",
            "{\"maskQuality\": {\"methods\": [\"l2\"]}}                        | $.experiment.maskQuality | methods: unknown scorer 'l2'; use magnitude, momentum-paper, momentum-reference or fisher",
            "{\"maskQuality\": {\"firstSteps\": -1}}                           | $.experiment.maskQuality | firstSteps must be >= 0",
            "{\"maskQuality\": {\"steps\": \"1-100\"}}                         | $.experiment.maskQuality | steps must be a range A:B",
            "{\"maskQuality\": {\"truth\": \"final\"}}                         | $.experiment.maskQuality | truth must be auto, checkpoints or deltas",
            "{\"speed\": {\"repeats\": 0}}                                     | $.experiment.speed | repeats must be >= 1",
            "{\"speed\": {\"maskShape\": \"diagonal\"}}                        | $.experiment.speed | maskShape must be block16x16, row1x64 or random",
            "{\"quality\": {\"from\": \"grpo\"}}                               | $.experiment.quality | steps is required",
            "{\"quality\": {\"steps\": 5}}                                     | $.experiment.quality | from is required",
            "{\"quality\": {\"from\": \"grpo\", \"steps\": 5, \"kind\": \"ppo\"}} | $.experiment.quality | kind must be grpo or dpo",
            "{\"quality\": {\"from\": \"grpo\", \"steps\": 5, \"seeds\": [1, 1]}} | $.experiment.quality | seeds lists a seed twice",
            "{}                                                                | $.experiment | experiment needs at least one of checkpoints, maskQuality, speed, quality",
            "{\"checkpoints\": \"d\", \"quality\": {\"from\": \"a\", \"steps\": 1}} | $.experiment | quality trains RL arms and needs training phases",
            "{\"speed\": {\"warmup\": 1.5}}                                    | $.experiment.speed.warmup | whole number",
    })
    void badConfigsExitTwoNamingTheField(String experiment, String where, String what) throws Exception {
        Path config = config("{\"name\": \"bad\", \"experiment\": " + experiment + "}");
        CliRun r = CliRun.run("run", config, "--out", dir.resolve("runs/bad"), "--quiet");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("error: ", where, what);
        assertThat(dir.resolve("runs/bad")).doesNotExist();
    }

    @Test
    void aConfigWithNothingToRunIsBadInput() throws Exception {
        CliRun r = CliRun.run("run", config("{\"name\": \"empty\"}"), "--out", dir.resolve("runs/empty"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("nothing to run");
    }

    /** Every file and directory under {@code root}, relative path to content (bytes as ISO-8859-1), for byte-identity checks. */
    static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                files.put(root.relativize(p).toString(), Files.isDirectory(p) ? "<dir>"
                        : new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }

    /** A directory of someone's files, with subdirectories named like stages and a report.md. */
    private Path unrelatedDirectory() throws Exception {
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine.resolve("deltas"));
        Files.createDirectories(mine.resolve("mask-quality"));
        Files.createDirectories(mine.resolve("notes"));
        Files.write(mine.resolve("deltas/keep.bin"), new byte[] {0, 1, 2, (byte) 0xff});
        Files.writeString(mine.resolve("mask-quality/thesis.tex"), "\\section{Masks}\n");
        Files.writeString(mine.resolve("notes/todo.txt"), "call Bob\n");
        Files.writeString(mine.resolve("report.md"), "# my own report\n");
        return mine;
    }

    @Test
    void runIntoANonEmptyDirectoryThatIsNotARunExitsTwoAndLeavesItByteIdentical() throws Exception {
        checkpoints(4);
        Path config = config("""
                {"name": "ext", "experiment": {"checkpoints": "trl-run", "maskQuality": {"firstSteps": 2, "sparsities": [90]}}}
                """);
        Path mine = unrelatedDirectory();
        Map<String, String> before = snapshot(mine);
        CliRun r = CliRun.run("run", config, "--out", mine, "--quiet");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: " + mine + " is not empty and is not a run directory (it has no "
                + "run-manifest.json); choose a new or empty directory, or add --force-dir to run into it anyway (stage "
                + "directories of the same names are replaced)");
        assertThat(snapshot(mine)).isEqualTo(before);

        CliRun forced = CliRun.run("run", config, "--out", mine, "--force-dir", "--quiet");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(mine.resolve("run-manifest.json")).isRegularFile();
        assertThat(mine.resolve("notes/todo.txt")).hasContent("call Bob");
        assertThat(mine.resolve("run.lock")).doesNotExist();
        CliRun again = CliRun.run("run", config, "--out", mine, "--quiet"); // now a run directory
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("0 stage(s) ran, 2 up to date");
    }

    @Test
    void aRunDirectoryAnotherRunHoldsIsRefusedAndLeftAlone() throws Exception {
        checkpoints(4);
        Path config = config("""
                {"name": "ext", "experiment": {"checkpoints": "trl-run", "maskQuality": {"firstSteps": 2, "sparsities": [90]}}}
                """);
        Path run = dir.resolve("runs/ext");
        assertThat(CliRun.run("run", config, "--out", run, "--quiet").code()).isZero();
        Map<String, String> before = snapshot(run);
        try (RunDirectoryLock lock = RunDirectoryLock.acquire(run, "casino run other.json")) {
            CliRun second = CliRun.run("run", config, "--out", run, "--force", "mask-quality", "--quiet");
            assertThat(second.code()).isEqualTo(2);
            assertThat(second.err()).contains("error: " + run + " is in use by pid " + lock.holder().pid(),
                    "casino run other.json", "wait for it to finish");
            assertThat(second.err().strip().lines()).hasSize(1);
            Map<String, String> during = snapshot(run);
            during.remove("run.lock");
            assertThat(during).isEqualTo(before);
        }
        assertThat(snapshot(run)).isEqualTo(before);
    }

    @Test
    void reportOfANonEmptyDirectoryThatIsNotARunExitsTwoAndLeavesItByteIdentical() throws Exception {
        Path mine = unrelatedDirectory();
        Map<String, String> before = snapshot(mine);
        CliRun r = CliRun.run("report", mine);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: " + mine + ": not a run directory (it has no run-manifest.json",
                "add --force to write a report into it anyway");
        assertThat(snapshot(mine)).isEqualTo(before);

        CliRun forced = CliRun.run("report", mine, "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(mine.resolve("report.md")).content().startsWith("# RL Casino report");
    }

    @Test
    void reportOfSomethingThatIsNotARunIsBadInput() {
        CliRun r = CliRun.run("report", dir.resolve("nope"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not a run directory");
    }
}
