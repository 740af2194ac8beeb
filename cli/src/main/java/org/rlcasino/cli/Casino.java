package org.rlcasino.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Properties;
import java.util.function.Consumer;

import org.rlcasino.io.PathGuard;
import org.rlcasino.io.TemporaryFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code casino} command. Subcommands read and write files, one per pipeline stage. Exit codes:
 * 0 success, 2 bad input (a usage error, an {@link IllegalArgumentException}, a file system
 * condition or too little memory: one line from {@link BadInput}), 1 internal failure. Before a
 * subcommand runs, the files it declares ({@link DeclaresFiles}) are checked ({@link PathGuard}).
 */
@Command(name = "casino",
        mixinStandardHelpOptions = true,
        versionProvider = Casino.Version.class,
        description = {
                "RL Casino: BSR-AdamW in pure Java. RL fine-tuning changes a small subnetwork of the weights;",
                "find it from early weight deltas and train only it with an indexed sparse AdamW."},
        subcommands = {InspectCommand.class, DeltasCommand.class, ScoreCommand.class, MaskCommand.class,
                CompareCommand.class, BenchCommand.class, DevicesCommand.class,
                // training: train a model, sample from it, evaluate it
                TrainCommand.class, SampleCommand.class, EvaluateCommand.class, TokenizeCommand.class, ChatTemplateCommand.class,
                // experiments (casino run stages) and their reports
                RunCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class})
public final class Casino {
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code; output goes to {@code out} and {@code err}. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Casino());
        cli.setOut(out);
        cli.setErr(err);
        // the commands' descriptions are written in lines of up to 120 columns: wider than picocli's 80,
        // which would re-wrap every line into a long and a short one
        cli.setUsageHelpWidth(120);
        cli.setExitCodeExceptionMapper(e -> badInput(e) != null || e instanceof CommandLine.ParameterException
                ? EXIT_BAD_INPUT : EXIT_FAILURE);
        cli.setParameterExceptionHandler((e, arguments) -> usageError(e, e.getCommandLine().getErr()));
        cli.setExecutionStrategy(Casino::checkFilesThenRun);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter problems = commandLine.getErr();
            if (e instanceof CommandLine.ParameterException pe) {
                return usageError(pe, problems);
            }
            CommandLine.Model.OptionSpec verboseOption = commandLine.getCommandSpec().findOption("--verbose");
            boolean verbose = verboseOption != null && Boolean.TRUE.equals(verboseOption.getValue());
            String message = badInput(e);
            if (message != null) {
                problems.println("error: " + message);
                if (verbose) {
                    e.printStackTrace(problems);
                }
                return EXIT_BAD_INPUT;
            }
            problems.println("internal error: " + e);
            e.printStackTrace(problems);
            return EXIT_FAILURE;
        });
        // Notices about stale temporary files removed go where this run's messages go.
        Consumer<String> notices = TemporaryFiles.setNotices(line -> {
            err.println(line);
            err.flush();
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli passes errors through; the heap is free again once the command's arrays are unreachable
            err.println("error: " + BadInput.outOfMemory(e, Runtime.getRuntime().maxMemory()));
            if (Arrays.asList(args).contains("--verbose")) {
                e.printStackTrace(err);
            }
            err.flush();
            return EXIT_BAD_INPUT;
        } finally {
            TemporaryFiles.setNotices(notices);
        }
    }

    /** A usage error: the message, picocli's suggestions for a mistyped option, and where the usage is. */
    private static int usageError(CommandLine.ParameterException e, PrintWriter err) {
        err.println("error: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for its usage.");
        err.flush();
        return EXIT_BAD_INPUT;
    }

    /**
     * Runs the chosen subcommand as picocli would, after checking the files it declares
     * ({@link DeclaresFiles}): an output that would replace an input, a device or a directory is
     * refused before any work.
     */
    private static int checkFilesThenRun(CommandLine.ParseResult parseResult) {
        boolean help = false;
        CommandLine.ParseResult last = parseResult;
        while (true) {
            help |= last.isUsageHelpRequested() || last.isVersionHelpRequested();
            if (!last.hasSubcommand()) {
                break;
            }
            last = last.subcommand();
        }
        if (!help && last.commandSpec().userObject() instanceof DeclaresFiles command) {
            PathGuard files = PathGuard.create();
            try {
                command.declareFiles(files);
                files.check();
            } catch (Exception e) {
                throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), String.valueOf(e.getMessage()), e);
            }
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    /**
     * The one-line message of an exception caused by the user's input or environment (a bad value,
     * a missing or unwritable file, a full disk, too little heap), or null for an internal failure;
     * see {@link BadInput}.
     */
    static String badInput(Throwable e) {
        return BadInput.message(e);
    }

    /** Reads the version Maven filtered into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Casino.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {
                    "RL Casino " + p.getProperty("version", "unknown"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
