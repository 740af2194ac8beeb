package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.rlcasino.experiment.report.ReportWriter;
import org.rlcasino.io.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code casino report RUN_DIR}: rebuilds report.md, report.html and the plots from a run's CSVs. */
@Command(name = "report",
        header = "Rebuild a run's report (Markdown, HTML, plots) from its CSVs without recomputing.", mixinStandardHelpOptions = true,
        description = {
                "Reads runs/<name>/mask-quality/mask-quality.csv, speed/speed.csv, quality/quality.csv and curves.csv and",
                "run-info.json, and writes report.md, report.html (self-contained) and plots/*.png|svg in RUN_DIR.",
                "RUN_DIR must be a run directory (it has run-manifest.json) unless --force."})
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", description = "A run directory written by casino run, e.g. runs/quickstart.")
    Path runDir;

    @Option(names = "--force", description = "Write the report even though RUN_DIR is not a run directory.")
    boolean force;

    @Option(names = "--verbose", description = "On errors, also print the stack trace.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        new RunDirectory(runDir).requireRun(force, "add --force to write a report into it anyway");
        ReportWriter.Result r = ReportWriter.write(runDir);
        PrintWriter o = spec.commandLine().getOut();
        o.println("wrote " + r.markdown() + " and " + r.html() + ": sections " + (r.sections().isEmpty() ? "(none)"
                : String.join(", ", r.sections())) + "; " + r.plots().size() + " plot files in " + runDir.resolve(ReportWriter.PLOTS));
        o.flush();
        return 0;
    }
}
