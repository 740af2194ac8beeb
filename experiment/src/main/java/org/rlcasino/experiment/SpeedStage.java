package org.rlcasino.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.rlcasino.experiment.report.CsvTable;
import org.rlcasino.experiment.report.SpeedReport;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.SpeedSection;

/**
 * Figure 1's measurements into {@code speed/speed.csv} (columns {@link SpeedReport#COLUMNS}):
 * either a CSV measured elsewhere ({@code experiment.speed.csv}), checked and copied, or a
 * measurement through {@link TrainStepSpeed}.
 */
final class SpeedStage implements Stage {
    static final String NAME = "speed";

    private final RunConfig config;
    private final SpeedSection section;
    private final Path csv;

    /** @param csv the resolved {@code experiment.speed.csv}, or null to measure */
    SpeedStage(RunConfig config, SpeedSection section, Path csv) {
        this.config = config;
        this.section = section;
        this.csv = csv;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> dependencies() {
        return List.of();
    }

    @Override
    public String inputs() throws Exception {
        String in = ExperimentPlan.json(section) + " model=" + ExperimentPlan.json(config.model()) + " backend="
                + ExperimentPlan.json(config.backend());
        if (csv != null) {
            if (!Files.isRegularFile(csv)) {
                throw new IllegalArgumentException("experiment.speed.csv: " + csv + ": no such file");
            }
            in += " csv=" + csv.toAbsolutePath() + " " + Files.size(csv) + " " + Files.getLastModifiedTime(csv).toMillis();
        }
        return in;
    }

    @Override
    public List<String> outputs() {
        return List.of(SpeedReport.CSV);
    }

    @Override
    public void run(Path dir, StageContext context) throws Exception {
        Path out = dir.resolve(SpeedReport.CSV);
        if (csv != null) {
            CsvTable table = CsvTable.read(csv, SpeedReport.COLUMNS);
            new SpeedReport(table); // checks arms and pairing
            table.write(out);
            return;
        }
        TrainStepSpeed.measure(config, section, context, out);
    }
}
