package org.rlcasino.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
            "{\"maskQuality\": {\"methods\": [\"l2\"]}}                        | $.experiment.maskQuality | methods: unknown method 'l2'",
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

    @Test
    void reportOfSomethingThatIsNotARunIsBadInput() {
        CliRun r = CliRun.run("report", dir.resolve("nope"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not a run directory");
    }
}
