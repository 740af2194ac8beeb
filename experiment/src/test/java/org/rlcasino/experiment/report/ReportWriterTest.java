package org.rlcasino.experiment.report;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The report from fixed CSVs: golden Markdown, valid plots, self-contained HTML. */
class ReportWriterTest {
    static final Path FIXTURE = Path.of("src/test/resources/report/run");
    static final Path GOLDEN = Path.of("src/test/resources/report/golden-report.md");
    static final List<String> PLOTS = List.of("mask-quality", "speed", "speed-split", "quality", "training-curves");

    @TempDir
    Path dir;

    private Path copyFixture() throws IOException {
        Path run = dir.resolve("run");
        try (Stream<Path> files = Files.walk(FIXTURE)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path target = run.resolve(FIXTURE.relativize(p).toString());
                Files.createDirectories(target.getParent());
                Files.copy(p, target);
            }
        }
        return run;
    }

    @Test
    void markdownMatchesTheGoldenFile() throws Exception {
        Path run = copyFixture();
        ReportWriter.Result r = ReportWriter.write(run);
        String md = Files.readString(r.markdown());
        if ("1".equals(System.getenv("RLCASINO_UPDATE_GOLDEN"))) { // regenerate on purpose only
            Files.writeString(GOLDEN, md);
        }
        assertThat(md).isEqualTo(Files.readString(GOLDEN));
        assertThat(r.sections()).containsExactly("mask-quality", "speed", "quality");
    }

    @Test
    void rebuildingGivesTheSameMarkdown() throws Exception {
        Path run = copyFixture();
        String first = Files.readString(ReportWriter.write(run).markdown());
        assertThat(Files.readString(ReportWriter.write(run).markdown())).isEqualTo(first);
    }

    @Test
    void plotsAreValidNonEmptyPngAndSvg() throws Exception {
        Path run = copyFixture();
        ReportWriter.write(run);
        for (String name : PLOTS) {
            byte[] png = Files.readAllBytes(run.resolve("plots/" + name + ".png"));
            assertThat(png).startsWith(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
            var image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image).as(name).isNotNull();
            assertThat(image.getWidth()).isEqualTo(Plots.WIDTH);
            assertThat(image.getHeight()).isEqualTo(Plots.HEIGHT);
            assertThat(distinctColours(image)).as(name + " draws something").isGreaterThan(5);

            Path svg = run.resolve("plots/" + name + ".svg");
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            Document doc = factory.newDocumentBuilder().parse(svg.toFile());
            assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(doc.getDocumentElement().getElementsByTagName("*").getLength()).as(name).isGreaterThan(20);
        }
    }

    @Test
    void htmlIsSelfContainedWithEveryPlotInlined() throws Exception {
        Path run = copyFixture();
        String html = Files.readString(ReportWriter.write(run).html(), StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<table>", "<strong>0.6200</strong>");
        assertThat(html.split("src=\"data:image/png;base64,", -1)).hasSize(PLOTS.size() + 1);
        assertThat(html).doesNotContain("src=\"plots/");
    }

    @Test
    void aDirectoryThatIsNotARunIsBadInput() {
        assertThatThrownBy(() -> ReportWriter.write(dir.resolve("nothing"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a run directory");
    }

    @Test
    void aBrokenCsvNamesTheFileAndColumn() throws Exception {
        Path run = copyFixture();
        Files.writeString(run.resolve("speed/speed.csv"), "sparsity,arm\n90,dense\n");
        assertThatThrownBy(() -> ReportWriter.write(run)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("speed.csv").hasMessageContaining("missing column 'step_ms_median'");
    }

    private static int distinctColours(java.awt.image.BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
