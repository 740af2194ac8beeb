package org.rlcasino.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;

/** One in-process run of the {@code casino} command line, as the tests see it. */
record CliRun(int code, String out, String err) {

    /** Runs {@code casino} with {@code args} (each turned into a string) and captures its output. */
    static CliRun run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] strings = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
        int code = Casino.execute(strings, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }
}
