package org.rlcasino.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.rlcasino.experiment.report.CsvTable;
import org.rlcasino.experiment.report.QualityReport;
import org.rlcasino.io.config.QualitySection;

/**
 * Collects the quality arms' {@code summary.json} and {@code metrics.csv} into
 * {@code quality/quality.csv} (one row per arm and seed, plus the base phase) and
 * {@code quality/curves.csv} (reward and accuracy per step).
 */
final class QualityStage implements Stage {
    static final String NAME = "quality";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final QualitySection quality;
    private final List<QualityArm> arms;

    /** @param phaseArms the run-config's own phases that are arms too ({@link QualityArm#ofPhases}) */
    QualityStage(QualitySection quality, List<QualityArm> phaseArms) {
        this.quality = quality;
        List<QualityArm> all = new ArrayList<>(phaseArms);
        all.addAll(QualityArm.of(quality));
        this.arms = List.copyOf(all);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> dependencies() {
        List<String> deps = new ArrayList<>();
        deps.add(quality.base());
        arms.forEach(a -> deps.add(a.name()));
        return deps;
    }

    @Override
    public String inputs() {
        return ExperimentPlan.json(quality) + ExperimentPlan.json(arms);
    }

    @Override
    public List<String> outputs() {
        return List.of(QualityReport.CSV, QualityReport.CURVES);
    }

    @Override
    public void run(Path dir, StageContext context) throws IOException {
        CsvTable.Builder table = new CsvTable.Builder(QualityReport.COLUMNS.toArray(String[]::new));
        CsvTable.Builder curves = new CsvTable.Builder(QualityReport.CURVE_COLUMNS.toArray(String[]::new));
        JsonNode base = summary(context.runDir().resolve(quality.base()));
        table.row(quality.base(), "base", "-", "", 0.0, base.path("seed").asLong(), base.path("heldOutAccuracy").asDouble(),
                base.path("heldOutReward").asDouble(), base.path("steps").asLong());
        for (QualityArm arm : arms) {
            Path phaseDir = context.runDir().resolve(arm.name());
            JsonNode s = summary(phaseDir);
            table.row(arm.name(), arm.group(), arm.optimizer(), arm.maskMethod() == null ? "" : arm.maskMethod(), arm.sparsity(),
                    arm.seed(), s.path("heldOutAccuracy").asDouble(), s.path("heldOutReward").asDouble(), s.path("steps").asLong());
            CsvTable metrics = CsvTable.read(phaseDir.resolve(PhaseStage.METRICS), List.of("step", "reward", "accuracy"));
            for (List<String> row : metrics.rows()) {
                curves.row(arm.group(), arm.seed(), metrics.number(row, "step"), metrics.number(row, "reward"),
                        metrics.number(row, "accuracy"));
            }
        }
        table.build().write(dir.resolve(QualityReport.CSV));
        curves.build().write(dir.resolve(QualityReport.CURVES));
    }

    private static JsonNode summary(Path phaseDir) throws IOException {
        Path f = phaseDir.resolve(PhaseStage.SUMMARY);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException(f + ": the phase finished without a summary.json");
        }
        return JSON.readTree(f.toFile());
    }
}
