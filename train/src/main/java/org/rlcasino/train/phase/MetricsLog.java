package org.rlcasino.train.phase;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.csv} of a phase, one {@link StepMetrics} line per step, flushed as it goes so a
 * crashed run keeps its rows. Opening for a resumed phase keeps the rows up to the checkpoint's step.
 */
public final class MetricsLog implements AutoCloseable {
    private final BufferedWriter out;
    private final Path file;

    private MetricsLog(BufferedWriter out, Path file) {
        this.out = out;
        this.file = file;
    }

    /** Starts {@code file} afresh, or, when {@code resumeStep >= 0}, keeps its rows with step ≤ resumeStep. */
    public static MetricsLog open(Path file, int resumeStep) throws IOException {
        List<String> kept = new ArrayList<>();
        kept.add(StepMetrics.HEADER);
        if (resumeStep >= 0 && Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int comma = line.indexOf(',');
                if (comma > 0 && !line.startsWith("step,")) {
                    try {
                        if (Integer.parseInt(line.substring(0, comma)) <= resumeStep) {
                            kept.add(line);
                        }
                    } catch (NumberFormatException e) {
                        // a torn last line of a crashed run
                    }
                }
            }
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND), file);
    }

    /** Appends and flushes one row; a failed write (a full disk) names the file. */
    public void append(StepMetrics row) throws IOException {
        try {
            out.write(row.csv());
            out.newLine();
            out.flush();
        } catch (FileSystemException e) {
            throw e;
        } catch (IOException e) {
            // the JDK's stream says "No space left on device" without the file
            FileSystemException named = new FileSystemException(file.toString(), null, e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
