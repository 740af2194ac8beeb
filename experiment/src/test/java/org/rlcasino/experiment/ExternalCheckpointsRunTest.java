package org.rlcasino.experiment;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.experiment.report.CsvTable;
import org.rlcasino.experiment.report.MaskQualityReport;
import org.rlcasino.io.Progress;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The external-checkpoints path end to end, stage skipping, forcing and resumption after a failure. */
class ExternalCheckpointsRunTest {
    @TempDir
    Path dir;

    private final StringWriter logText = new StringWriter();
    private final ExperimentRunner runner = new ExperimentRunner(Progress.NONE, new PrintWriter(logText, true),
            (config, phase, runDir, backend, resume, listener) -> {
                throw new AssertionError("an external-checkpoints run trains nothing");
            });

    private Path config(String sparsities) throws Exception {
        RlLikeCheckpoints.write(dir.resolve("ckpts"), 12, 7);
        Path file = dir.resolve("external.json");
        Files.writeString(file, """
                {"name": "external", "seed": 3, "backend": {"threads": 2},
                 "experiment": {"checkpoints": "ckpts",
                   "maskQuality": {"firstSteps": 4, "sparsities": %s}}}
                """.formatted(sparsities));
        return file;
    }

    private ExperimentRunner.Result run(Path config, Path runDir, Set<String> force) throws Exception {
        return runner.run(config, runDir, force, "test");
    }

    @Test
    void externalCheckpointsGiveTheMaskQualityTableAndTheReport() throws Exception {
        Path config = config("[90, 95, 97.5, 99]");
        ExperimentRunner.Result r = run(config, dir.resolve("run"), Set.of());
        assertThat(r.outcomes()).extracting(StageRunner.Outcome::stage).containsExactly("deltas", "mask-quality");
        Path csv = dir.resolve("run/mask-quality/mask-quality.csv");
        CsvTable table = CsvTable.read(csv, MaskQualityReport.COLUMNS);
        assertThat(table.rows()).hasSize(4 * 5);
        MaskQualityReport q = MaskQualityReport.read(csv);
        assertThat(q.methods()).containsExactly("magnitude", "momentum-paper", "momentum-reference", "fisher");
        for (double sp : q.sparsities()) {
            // the drifting subnetwork (8 %) is found from 4 early steps; a random mask is not
            assertThat(q.jaccard(sp, "magnitude")).isGreaterThan(0.5);
            assertThat(q.jaccard(sp, MaskQualityReport.RANDOM)).isLessThan(0.2);
            assertThat(q.expected(sp)).isCloseTo((1 - sp / 100) / (1 + sp / 100), org.assertj.core.data.Offset.offset(1e-3));
        }
        assertThat(table.text(table.rows().getFirst(), "steps_used")).isEqualTo("4");
        assertThat(table.text(table.rows().getFirst(), "step_range")).isEqualTo("10:40");
        assertThat(table.text(table.rows().getFirst(), "truth")).isEqualTo("checkpoints");
        assertThat(dir.resolve("run/mask-quality/tmp")).doesNotExist();
        String md = Files.readString(r.report().markdown());
        assertThat(md).contains("## Mask quality (the paper's Table 2)", "| 97.5 % |", "plots/mask-quality.png",
                "mask-quality/mask-quality.csv", "ours **agrees**");
        assertThat(Files.readString(r.report().html())).contains("data:image/png;base64,");
        assertThat(dir.resolve("run/plots/mask-quality.svg")).isNotEmptyFile();
    }

    @Test
    void aSecondRunSkipsEverythingAndForceRedoesOneStage() throws Exception {
        Path config = config("[90, 99]");
        Path run = dir.resolve("run");
        run(config, run, Set.of());
        String first = Files.readString(run.resolve("mask-quality/mask-quality.csv"));

        ExperimentRunner.Result again = run(config, run, Set.of());
        assertThat(again.outcomes()).allMatch(StageRunner.Outcome::skipped);

        ExperimentRunner.Result forced = run(config, run, Set.of("mask-quality"));
        assertThat(forced.outcomes()).extracting(StageRunner.Outcome::skipped).containsExactly(true, false);
        assertThat(Files.readString(run.resolve("mask-quality/mask-quality.csv"))).isEqualTo(first);

        assertThatThrownBy(() -> run(config, run, Set.of("nope"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--force nope: no such stage").hasMessageContaining("deltas, mask-quality");
    }

    @Test
    void aConfigEditRedoesOnlyTheStagesItAffects() throws Exception {
        Path config = config("[90, 99]");
        Path run = dir.resolve("run");
        run(config, run, Set.of());
        Files.writeString(config, Files.readString(config).replace("[90, 99]", "[90, 95]"));
        ExperimentRunner.Result edited = run(config, run, Set.of());
        assertThat(edited.outcomes()).extracting(StageRunner.Outcome::skipped).containsExactly(true, false);
        assertThat(MaskQualityReport.read(run.resolve("mask-quality/mask-quality.csv")).sparsities()).containsExactly(90.0, 95.0);
    }

    @Test
    void aRunKilledMidStageResumesAndGivesTheSameNumbers() throws Exception {
        Path config = config("[90, 97.5]");
        RunConfig loaded = RunConfigLoader.load(config);
        Path reference = dir.resolve("reference");
        run(config, reference, Set.of());

        Path run = dir.resolve("run");
        // The mask-quality stage writes its partial output, then dies before its manifest.
        assertThatThrownBy(() -> runner.run(loaded, config, run, Set.of(), "test", stages -> {
            List<Stage> wrapped = new ArrayList<>();
            for (Stage s : stages) {
                wrapped.add(s.name().equals("mask-quality") ? new Dying(s) : s);
            }
            return wrapped;
        })).isInstanceOf(StageFailedException.class).hasMessageContaining("stage 'mask-quality' failed").hasMessageContaining("killed");
        assertThat(run.resolve("deltas/manifest.json")).exists();
        assertThat(run.resolve("mask-quality/mask-quality.csv")).exists();
        assertThat(run.resolve("mask-quality/manifest.json")).doesNotExist();

        ExperimentRunner.Result resumed = run(config, run, Set.of());
        assertThat(resumed.outcomes()).extracting(StageRunner.Outcome::skipped).containsExactly(true, false);
        assertThat(Files.readString(run.resolve("mask-quality/mask-quality.csv")))
                .isEqualTo(Files.readString(reference.resolve("mask-quality/mask-quality.csv")));
        String table = MaskQualityReport.read(run.resolve("mask-quality/mask-quality.csv")).markdown();
        assertThat(Files.readString(resumed.report().markdown())).contains(table);
        assertThat(Files.readString(reference.resolve("report.md"))).contains(table);
    }

    @Test
    void aMissingCheckpointDirectoryFailsTheStageAsBadInput() throws Exception {
        Path file = dir.resolve("missing.json");
        Files.writeString(file, """
                {"name": "missing", "experiment": {"checkpoints": "no-such-dir"}}
                """);
        assertThatThrownBy(() -> run(file, dir.resolve("run"), Set.of()))
                .isInstanceOfSatisfying(StageFailedException.class, e -> {
                    assertThat(e.stage()).isEqualTo("deltas");
                    assertThat(e.badInput()).isTrue();
                })
                .hasMessageContaining("experiment.checkpoints").hasMessageContaining("not a directory");
    }

    /** A stage that does its work and then dies before the runner can record it. */
    private record Dying(Stage delegate) implements Stage {
        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public List<String> dependencies() {
            return delegate.dependencies();
        }

        @Override
        public String inputs() throws Exception {
            return delegate.inputs();
        }

        @Override
        public List<String> outputs() {
            return delegate.outputs();
        }

        @Override
        public void run(Path dir, StageContext context) throws Exception {
            delegate.run(dir, context);
            throw new IllegalStateException("killed");
        }
    }
}
