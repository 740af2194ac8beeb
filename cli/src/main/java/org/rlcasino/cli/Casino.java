package org.rlcasino.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code casino} command. Subcommands read and write files, one per pipeline stage. Exit codes:
 * 0 success, 2 bad input (a usage error or an {@link IllegalArgumentException}), 1 internal failure.
 */
@Command(name = "casino",
        mixinStandardHelpOptions = true,
        versionProvider = Casino.Version.class,
        description = {
                "RL Casino: BSR-AdamW in pure Java. RL fine-tuning changes a small subnetwork of the weights;",
                "find it from early weight deltas and train only it with an indexed sparse AdamW."},
        subcommands = {InspectCommand.class, DeltasCommand.class, ScoreCommand.class, MaskCommand.class,
                CompareCommand.class, BenchCommand.class, DevicesCommand.class,
                // training (train issue)
                TrainCommand.class, SampleCommand.class, EvaluateCommand.class,
                // eval: experiments and reports
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
        cli.setExitCodeExceptionMapper(e -> badInput(e) != null || e instanceof CommandLine.ParameterException
                ? EXIT_BAD_INPUT : EXIT_FAILURE);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter problems = commandLine.getErr();
            if (e instanceof CommandLine.ParameterException pe) {
                problems.println("error: " + pe.getMessage());
                pe.getCommandLine().usage(problems);
                return EXIT_BAD_INPUT;
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
        return cli.execute(args);
    }

    /**
     * The one-line message of an exception caused by the user's input (a bad value, a missing or
     * unreadable file), or null for an internal failure.
     */
    static String badInput(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException missing) {
            return missing.getFile() + ": no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        if (e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return null;
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
