package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.rlcasino.io.PathGuard;
import org.rlcasino.io.Progress;
import org.rlcasino.io.inspect.Inspection;
import org.rlcasino.io.inspect.InspectionReport;
import org.rlcasino.io.inspect.Inspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code casino inspect FILE…}: what a safetensors checkpoint or an RL Casino Arrow file holds,
 * with statistics per tensor streamed chunk by chunk.
 */
@Command(name = "inspect",
        header = "Show the tensors, metadata and statistics of model directories, safetensors and RL Casino Arrow files.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Shows what each FILE holds: a Hugging Face model directory (config.json of gpt2, llama, mistral, qwen2, qwen3",
                "or gemma3_text: family, sizes, parameters per tensor group and the memory to train it dense and with",
                "BSR-AdamW at 97.5 %, from the config alone; then its weights if present), a safetensors checkpoint (a",
                ".safetensors file, a directory of shards or a *.safetensors.index.json) or an RL Casino Arrow file",
                "(deltas, scores, mask, metric table). Prints tensors,",
                "dtypes, shapes, sizes, metadata and provenance, and per tensor min, max, mean, mean |x| (over finite values),",
                "the fraction of zeros and the count of NaN/Inf, read in bounded chunks: deltas per tensor over all steps and",
                "per step, masks their kept entries, density and blocks, metric tables their columns and first rows."})
final class InspectCommand implements Callable<Integer>, DeclaresFiles {
    /** Inputs with fewer values than this get no progress bar: they take well under a second. */
    static final long PROGRESS_MIN_VALUES = 1L << 25;
    /** Largest --chunk: 1 GiB of float32 per read buffer. */
    static final int MAX_CHUNK = 1 << 28;
    
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "Safetensors files, directories of shards, *.safetensors.index.json, or RL Casino Arrow files.")
    List<Path> files;

    @Option(names = "--json", description = "Print one JSON document for all files instead of text tables.")
    boolean json;

    @Option(names = "--no-stats", negatable = false,
            description = "Skip the statistics pass (reads only headers and footers: instant on huge files).")
    boolean noStats;

    @Option(names = "--chunk", converter = ParameterCount.class, defaultValue = "1M", paramLabel = "N",
            description = "Elements read at a time from a safetensors tensor (Arrow files are read row by row). Default: ${DEFAULT-VALUE}.")
    long chunk;

    @Option(names = "--rows", defaultValue = "20", paramLabel = "N",
            description = "Rows of a metric table to show. Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--verbose", description = "On an error, also print the stack trace.")
    boolean verbose;


    @Override
    public void declareFiles(PathGuard files) {
        files.inputs("FILE", this.files);
    }

    @Override
    public Integer call() {
        if (chunk < 1 || chunk > MAX_CHUNK) {
            throw new IllegalArgumentException("--chunk must be in [1, " + MAX_CHUNK + "], got " + chunk);
        }
        if (rows < 0) {
            throw new IllegalArgumentException("--rows must be >= 0, got " + rows);
        }
        Inspector.Settings settings = new Inspector.Settings(!noStats, (int) chunk, rows,
                values -> quiet || values < PROGRESS_MIN_VALUES ? Progress.NONE : new ConsoleProgress(false));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Inspection> inspections = new ArrayList<>();
        for (Path file : files) {
            Inspection inspection;
            try {
                inspection = Inspector.inspect(file, settings);
            } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
                err.println("error: " + describe(file, e instanceof UncheckedIOException u ? u.getCause() : e));
                if (verbose) {
                    e.printStackTrace(err);
                }
                err.flush();
                return Casino.EXIT_BAD_INPUT;
            }
            if (!json) {
                out.print((inspections.isEmpty() ? "" : "\n") + InspectionReport.text(inspection));
                out.flush();
            }
            inspections.add(inspection);
        }
        if (json) {
            out.print(InspectionReport.json(inspections));
            out.flush();
        }
        return 0;
    }



    /** One line that names the file. */
    static String describe(Path file, Throwable e) {
        if (e instanceof NoSuchFileException missing) {
            return (missing.getFile() != null ? missing.getFile() : file) + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException denied) {
            return (denied.getFile() != null ? denied.getFile() : file) + ": permission denied";
        }
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        if (e instanceof IOException) {
            message = "cannot read it: " + message;
        }
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        return message.contains(name) ? message : file + ": " + message;
    }
}
