package org.rlcasino.experiment.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.rlcasino.io.AtomicFileWriter;

/**
 * Builds {@code runs/<name>/report.md} and the self-contained {@code report.html} (plots inlined as
 * base64 PNG) from the CSVs the stages wrote and {@code run-info.json}; plots go to
 * {@code runs/<name>/plots/} as PNG and SVG. Recomputes nothing: {@code casino report RUN_DIR}
 * calls it on a finished (or partly finished) run.
 */
public final class ReportWriter {
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";
    public static final String PLOTS = "plots";
    /** Where each section's CSV lives, relative to the run directory. */
    public static final String MASK_QUALITY_CSV = "mask-quality/" + MaskQualityReport.CSV;
    public static final String SPEED_CSV = "speed/" + SpeedReport.CSV;
    public static final String QUALITY_DIR = "quality";

    private sealed interface Block permits Heading, Paragraph, Table, Image, Code {}

    private record Heading(int level, String text) implements Block {}

    private record Paragraph(String text) implements Block {}

    private record Table(String markdown) implements Block {}

    private record Image(String name, String alt) implements Block {}

    private record Code(String language, String text) implements Block {}

    private ReportWriter() {}

    /** What was written. */
    public record Result(Path markdown, Path html, List<Path> plots, List<String> sections) {}

    public static Result write(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) {
            throw new IllegalArgumentException(runDir + ": not a run directory (casino run writes runs/<name>/)");
        }
        RunInfo info = RunInfo.read(runDir);
        Path plotDir = runDir.resolve(PLOTS);
        Files.createDirectories(plotDir);
        List<Block> blocks = new ArrayList<>();
        List<String> sections = new ArrayList<>();
        String name = info != null ? info.name() : runDir.getFileName().toString();
        blocks.add(new Heading(1, "RL Casino report: " + name));
        if (info != null) {
            blocks.add(new Paragraph("Run started " + info.date() + " with `" + info.command() + "`.  \n"
                    + "Machine: " + info.machine() + ".  \nJVM: " + info.jvm() + ".  \nBackend: " + info.backend() + ".  \n"
                    + "Config: `" + info.configFile() + "`; seeds: " + info.seeds() + "."));
        } else {
            blocks.add(new Paragraph("No run-info.json in this directory: machine, JVM and config are unknown."));
        }

        Path mq = runDir.resolve(MASK_QUALITY_CSV);
        if (Files.isRegularFile(mq)) {
            MaskQualityReport r = MaskQualityReport.read(mq);
            sections.add("mask-quality");
            blocks.add(new Heading(2, "Mask quality (the paper's Table 2)"));
            blocks.add(new Paragraph("Aggregate Jaccard index |P∩T|/|P∪T| of each predicted mask P (exact global top-k of the "
                    + "predictor's scores over the first " + r.stepsUsed() + ") with the true mask T (exact global top-k of "
                    + r.truth() + "), at each sparsity; best predictor per column in **bold** (all of them when tied). "
                    + "\"random mask\" is an actual seeded random mask of the same density; a/(2−a) is the expected Jaccard "
                    + "of two independent masks of density a = 1 − sparsity"
                    + (r.hasSeedBaseline() ? "; the seed baseline compares the true masks of two runs of the deltas phase "
                    + "that differ only in their seed, so it tells how reproducible the truth itself is" : "")
                    + (r.methods().stream().anyMatch(m -> m.contains(" blocks")) ? "; \"RxC blocks\" rows are block masks "
                    + "(top-k of R×C blocks by the sum of their entries' scores) built from the same scores, against the "
                    + "element truth or, \"vs RxC truth\", against the truth's own block mask (these rows are never bold)" : "")
                    + ". " + r.basisNote()));
            blocks.add(new Table(r.markdown()));
            blocks.add(new Paragraph("Tie share: of each mask's kept entries, the share whose score equals the cut-off score "
                    + "(kept by the tie order — score, then tensor, then index — rather than by the score), and in "
                    + "parentheses the share that are exact zeros. A high tie share means the mask is partly arbitrary."));
            blocks.add(new Table(r.tieMarkdown()));
            blocks.add(new Image(r.plot(plotDir), "Jaccard vs sparsity per method"));
            blocks.add(new Paragraph("Source: [" + MASK_QUALITY_CSV + "](" + MASK_QUALITY_CSV + ")."));
            blocks.add(new Paragraph(r.comparison() + " (The paper's own Table 2 numbers are not reproduced here; compare "
                    + "the lift over the random baseline.)"));
        }

        Path sp = runDir.resolve(SPEED_CSV);
        if (Files.isRegularFile(sp)) {
            SpeedReport r = SpeedReport.read(sp);
            sections.add("speed");
            blocks.add(new Heading(2, "Speed (the paper's Figure 1)"));
            blocks.add(new Paragraph("Median time per step (min–max over repeats) of dense AdamW and BSR-AdamW, measured side "
                    + "by side in one process, interleaved, after warm-up. Measured by: " + r.sources() + "."));
            blocks.add(new Table(r.markdown()));
            for (String plot : r.plot(plotDir)) {
                blocks.add(new Image(plot, plot.equals(SpeedReport.PLOT) ? "t_dense / t_bsr per sparsity" : "step-time split"));
            }
            if (r.hasWholeStep()) {
                blocks.add(new Heading(3, "Step-time split"));
                blocks.add(new Table(r.splitMarkdown()));
            }
            blocks.add(new Paragraph("Source: [" + SPEED_CSV + "](" + SPEED_CSV + ")."));
            blocks.add(new Paragraph(r.comparison()));
        }

        Path qd = runDir.resolve(QUALITY_DIR);
        if (Files.isRegularFile(qd.resolve(QualityReport.CSV))) {
            QualityReport r = QualityReport.read(qd);
            sections.add("quality");
            blocks.add(new Heading(2, "Quality (the paper's Figure 2)"));
            blocks.add(new Paragraph("Held-out exact-match accuracy and mean reward after the last step (greedy decoding), "
                    + "mean ± sample standard deviation over seeds. Every RL arm starts from the same checkpoint."));
            blocks.add(new Table(r.markdown()));
            for (String plot : r.plot(plotDir)) {
                blocks.add(new Image(plot, plot.equals(QualityReport.PLOT) ? "held-out quality per arm" : "training curves"));
            }
            String q = QUALITY_DIR + "/" + QualityReport.CSV;
            String c = QUALITY_DIR + "/" + QualityReport.CURVES;
            blocks.add(new Paragraph("Sources: [" + q + "](" + q + ")" + (Files.isRegularFile(runDir.resolve(c))
                    ? ", [" + c + "](" + c + ")" : "") + "."));
            blocks.add(new Paragraph(r.comparison()));
            if (!r.blockComparison().isEmpty()) {
                blocks.add(new Paragraph(r.blockComparison()));
            }
        }
        if (sections.isEmpty()) {
            blocks.add(new Paragraph("No finished result stage (mask-quality, speed, quality) in this run yet."));
        }

        blocks.add(new Heading(2, "Stages"));
        blocks.add(new Table(stagesTable(runDir)));
        if (info != null) {
            blocks.add(new Heading(2, "Run-config"));
            blocks.add(new Code("json", info.config().strip()));
        }

        Path md = runDir.resolve(MARKDOWN);
        Path html = runDir.resolve(HTML);
        AtomicFileWriter.writeString(md, markdown(blocks));
        AtomicFileWriter.writeString(html, html(name, blocks, plotDir));
        List<Path> plots = new ArrayList<>();
        try (Stream<Path> files = Files.list(plotDir)) {
            files.sorted().forEach(plots::add);
        }
        return new Result(md, html, plots, sections);
    }

    private static String stagesTable(Path runDir) throws IOException {
        StringBuilder sb = new StringBuilder("| stage | finished | seconds |\n|---|---|---:|\n");
        List<Path> dirs;
        try (Stream<Path> s = Files.list(runDir)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        int n = 0;
        for (Path d : dirs) {
            Path m = d.resolve("manifest.json");
            if (Files.isRegularFile(m)) {
                com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(m.toFile());
                sb.append("| ").append(d.getFileName()).append(" | ").append(node.path("finishedAt").asText()).append(" | ")
                        .append(String.format(Locale.ROOT, "%.1f", node.path("seconds").asDouble())).append(" |\n");
                n++;
            }
        }
        if (n == 0) {
            sb.append("| (none finished) | | |\n");
        }
        return sb.toString();
    }

    private static String markdown(List<Block> blocks) {
        StringBuilder sb = new StringBuilder();
        for (Block b : blocks) {
            switch (b) {
                case Heading h -> sb.append("#".repeat(h.level())).append(' ').append(h.text()).append("\n\n");
                case Paragraph p -> sb.append(p.text()).append("\n\n");
                case Table t -> sb.append(t.markdown()).append('\n');
                case Image i -> sb.append("![").append(i.alt()).append("](").append(PLOTS).append('/').append(i.name())
                        .append(".png)\n\n[SVG](").append(PLOTS).append('/').append(i.name()).append(".svg)\n\n");
                case Code c -> sb.append("```").append(c.language()).append('\n').append(c.text()).append("\n```\n\n");
            }
        }
        return sb.toString();
    }

    private static String html(String title, List<Block> blocks, Path plotDir) throws IOException {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape("RL Casino report: " + title)).append("</title>\n<style>body{font-family:sans-serif;max-width:1000px;"
                        + "margin:2em auto;padding:0 1em;line-height:1.45}table{border-collapse:collapse;margin:1em 0}"
                        + "td,th{border:1px solid #ccc;padding:.3em .6em}td{text-align:right}td:first-child{text-align:left}"
                        + "img{max-width:100%}pre{background:#f6f6f6;padding:1em;overflow:auto}</style></head><body>\n");
        for (Block b : blocks) {
            switch (b) {
                case Heading h -> sb.append("<h").append(h.level()).append('>').append(inline(h.text())).append("</h")
                        .append(h.level()).append(">\n");
                case Paragraph p -> sb.append("<p>").append(inline(p.text()).replace("  \n", "<br>\n")).append("</p>\n");
                case Table t -> sb.append(htmlTable(t.markdown()));
                case Image i -> {
                    byte[] png = Files.readAllBytes(plotDir.resolve(i.name() + ".png"));
                    sb.append("<p><img alt=\"").append(escape(i.alt())).append("\" src=\"data:image/png;base64,")
                            .append(Base64.getEncoder().encodeToString(png)).append("\"></p>\n");
                }
                case Code c -> sb.append("<pre><code>").append(escape(c.text())).append("</code></pre>\n");
            }
        }
        return sb.append("</body></html>\n").toString();
    }

    private static String htmlTable(String markdown) {
        StringBuilder sb = new StringBuilder("<table>\n");
        String[] lines = markdown.strip().split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (i == 1) {
                continue; // the |---| separator
            }
            String line = lines[i].strip();
            String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
            String tag = i == 0 ? "th" : "td";
            sb.append("<tr>");
            for (String cell : cells) {
                sb.append('<').append(tag).append('>').append(inline(cell.strip())).append("</").append(tag).append('>');
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)]\\(([^)]+)\\)");

    /** The Markdown subset the report uses inline: **bold**, `code`, [text](link). */
    static String inline(String text) {
        String s = escape(text);
        s = BOLD.matcher(s).replaceAll("<strong>$1</strong>");
        s = CODE.matcher(s).replaceAll("<code>$1</code>");
        Matcher m = LINK.matcher(s);
        return m.replaceAll("<a href=\"$2\">$1</a>");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
