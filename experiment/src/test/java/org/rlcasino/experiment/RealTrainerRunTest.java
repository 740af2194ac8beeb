package org.rlcasino.experiment;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.experiment.report.CsvTable;
import org.rlcasino.experiment.report.MaskQualityReport;
import org.rlcasino.experiment.report.QualityReport;
import org.rlcasino.io.Progress;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole experiment with the real trainer (train's PhaseTrainer) on a tiny model: the contract between the two. */
class RealTrainerRunTest {
    @TempDir
    Path dir;

    @Test
    void tinyExperimentEndToEnd() throws Exception {
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, """
                {"name": "tiny", "seed": 1, "backend": {"threads": 2},
                 "model": {"layers": 1, "heads": 2, "channels": 16, "maxSeqLen": 16},
                 "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 16},
                 "optimizer": {"lr": 3e-3, "weightDecay": 0.0},
                 "phases": [
                   {"name": "sft", "kind": "sft", "steps": 3, "batchSize": 8},
                   {"name": "warm", "kind": "grpo", "steps": 3, "batchSize": 4, "groupSize": 4,
                    "logDeltas": {"firstStep": 1, "lastStep": 3}}],
                 "experiment": {"deltasPhase": "warm",
                   "maskQuality": {"firstSteps": 2, "sparsities": [90, 99], "basis": "both", "seedBaseline": 5,
                                   "blocks": ["4x4"]},
                   "quality": {"from": "warm", "base": "sft", "steps": 2, "sparsities": [90], "seeds": [0]}}}
                """);
        Path run = dir.resolve("run");
        ExperimentRunner runner = new ExperimentRunner(Progress.NONE, new PrintWriter(new StringWriter()),
                PhaseExecutor.TRAINER);
        ExperimentRunner.Result r = runner.run(config, run, Set.of(), "test");
        assertThat(r.outcomes()).extracting(StageRunner.Outcome::stage).containsExactly("sft", "warm", "warm-seed5", "mask-quality", "masks",
                "q-dense-s0", "q-bsr-magnitude-90-s0", "q-random-90-s0", "quality");

        CsvTable mq = CsvTable.read(run.resolve("mask-quality/mask-quality.csv"), MaskQualityReport.COLUMNS);
        // per sparsity: 4 methods × 2 bases × (element mask, 4x4 block mask vs element truth, vs 4x4 truth),
        // the random mask, the seed baseline
        assertThat(mq.rows()).hasSize(2 * (4 * 2 * 3 + 2));
        assertThat(mq.rows()).extracting(row -> mq.text(row, "structure") + "/" + mq.text(row, "truth_structure"))
                .containsOnly("element/element", "4x4/element", "4x4/4x4");
        assertThat(mq.rows()).extracting(row -> mq.text(row, "basis")).containsOnly("start", "step", "");
        assertThat(mq.rows()).extracting(row -> mq.text(row, "method")).contains(MaskQualityReport.SEED_BASELINE);
        assertThat(mq.rows()).allSatisfy(row -> assertThat(mq.number(row, "tie_share")).isBetween(0.0, 1.0));
        assertThat(mq.text(mq.rows().getFirst(), "truth")).isEqualTo("checkpoints"); // warm's start (sft/final) and final
        assertThat(Files.readString(run.resolve("warm-seed5/summary.json"))).isNotEmpty();
        CsvTable quality = CsvTable.read(run.resolve("quality/quality.csv"), QualityReport.COLUMNS);
        assertThat(quality.rows()).extracting(row -> quality.text(row, "optimizer"))
                .containsExactly("-", "adamw", "bsr-adamw", "random-mask");
        assertThat(quality.rows()).extracting(row -> quality.text(row, "steps")).containsExactly("3", "2", "2", "2");
        assertThat(CsvTable.read(run.resolve("quality/curves.csv"), QualityReport.CURVE_COLUMNS).rows()).hasSize(3 * 2);
        assertThat(Files.readString(r.report().markdown())).contains("## Mask quality", "## Quality", "magnitude (start)",
                "magnitude (step)", "seed baseline", "Tie share");

        ExperimentRunner.Result again = runner.run(config, run, Set.of(), "test");
        assertThat(again.outcomes()).allMatch(StageRunner.Outcome::skipped);
        assertThat(List.of(run.resolve("q-bsr-magnitude-90-s0/summary.json"), run.resolve("masks/magnitude-90.arrow")))
                .allMatch(Files::isRegularFile);
    }
}
