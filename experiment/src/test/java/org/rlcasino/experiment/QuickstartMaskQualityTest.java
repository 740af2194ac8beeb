package org.rlcasino.experiment;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.experiment.report.CsvTable;
import org.rlcasino.experiment.report.MaskQualityReport;
import org.rlcasino.io.Progress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The science check of the delta basis: on the quickstart's own SFT and warm-start phases (as
 * shipped), momentum predicted from the first 10 logged steps on the start basis beats the random
 * expectation a/(2−a) at every sparsity of its Table 2. (On the step basis its velocity is a second
 * difference of the weights and it fell to or below random.)
 */
class QuickstartMaskQualityTest {
    @TempDir
    Path dir;

    @Test
    void momentumOnTheStartBasisBeatsTheRandomExpectationAtEverySparsity() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(ShippedRunConfigsTest.DIR.resolve("quickstart.json").toFile());
        ArrayNode phases = (ArrayNode) config.get("phases");
        while (phases.size() > 2) {
            phases.remove(2); // keep sft and warm: the mask-quality table needs only them
        }
        ObjectNode experiment = (ObjectNode) config.get("experiment");
        experiment.remove(List.of("quality", "speed"));
        ObjectNode maskQuality = (ObjectNode) experiment.get("maskQuality");
        maskQuality.put("basis", "start");
        maskQuality.remove("seedBaseline");
        maskQuality.putArray("methods").add("momentum-paper").add("momentum-reference");
        Path file = dir.resolve("quickstart-mask-quality.json");
        json.writeValue(file.toFile(), config);

        ExperimentRunner runner = new ExperimentRunner(Progress.NONE, new PrintWriter(new StringWriter()),
                PhaseExecutor.TRAINER);
        runner.run(file, dir.resolve("run"), Set.of(), "test");

        CsvTable table = CsvTable.read(dir.resolve("run/mask-quality/mask-quality.csv"), MaskQualityReport.COLUMNS);
        int checked = 0;
        for (List<String> row : table.rows()) {
            if (table.text(row, "method").startsWith("momentum")) {
                assertThat(table.text(row, "basis")).isEqualTo("start");
                assertThat(table.number(row, "jaccard"))
                        .as("%s at %s %%", table.text(row, "method"), table.text(row, "sparsity"))
                        .isGreaterThan(table.number(row, "random_expected"));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(2 * 4);
        assertThat(Files.readString(dir.resolve("run/report.md"))).contains("Delta basis of the predictions: start");
    }
}
