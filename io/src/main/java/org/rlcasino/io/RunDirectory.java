package org.rlcasino.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * A directory that {@code casino run} or {@code casino train} writes a run into, recognised by its
 * marker: the manifest {@value #MARKER}, written when the run starts. Commands that write a run
 * refuse a non-empty directory without it (someone's other files, which stage and phase
 * directories of the same names would replace) unless forced, and {@code casino report} refuses to
 * write into a directory that is not a run, so a mistyped path never deletes or overwrites unrelated
 * files. Runs written before the marker existed are recognised by {@code run-info.json}
 * ({@code casino run}) or {@code run-config.json} ({@code casino train}) at their top.
 *
 * @param path the directory (it need not exist)
 */
public record RunDirectory(Path path) {
    /** The marker's file name. */
    public static final String MARKER = "run-manifest.json";
    /** The format name in the marker. */
    public static final String FORMAT = "rlcasino.run-directory";
    /** Files that mark a run written before {@value #MARKER} existed. */
    static final List<String> EARLIER_MARKERS = List.of("run-info.json", "run-config.json");
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * The marker's content.
     *
     * @param format    {@value #FORMAT}
     * @param version   1
     * @param createdBy the command that started the run
     * @param created   ISO-8601 instant the run started
     */
    public record Manifest(String format, int version, String createdBy, String created) {}

    /** What a path holds, as the commands that write or read a run see it. */
    public enum State {
        /** Nothing: a command that writes a run creates it. */
        ABSENT,
        /** An empty directory (a lock file alone counts as empty). */
        EMPTY,
        /** A run: the directory has the marker or an earlier version's. */
        RUN,
        /** A non-empty directory that is not a run. */
        OTHER,
        /** Something that is not a directory. */
        NOT_A_DIRECTORY
    }

    public RunDirectory {
        Objects.requireNonNull(path, "path");
    }

    /** What {@link #path()} holds now. */
    public State state() throws IOException {
        if (!Files.exists(path)) {
            return State.ABSENT;
        }
        if (!Files.isDirectory(path)) {
            return State.NOT_A_DIRECTORY;
        }
        if (Files.isRegularFile(path.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
            return State.RUN;
        }
        for (String earlier : EARLIER_MARKERS) {
            if (Files.isRegularFile(path.resolve(earlier), LinkOption.NOFOLLOW_LINKS)) {
                return State.RUN;
            }
        }
        try (Stream<Path> entries = Files.list(path)) {
            // A lock file alone is what a run killed before it wrote its marker leaves.
            return entries.allMatch(p -> p.getFileName().toString().equals(RunDirectoryLock.FILE)) ? State.EMPTY : State.OTHER;
        }
    }

    /**
     * Checks that a command may write a run here: the path is absent, an empty directory or a run;
     * a non-empty directory that is not a run only when {@code force}.
     *
     * @param forceHint what the message offers instead, e.g. "add --force-dir to write into it anyway"
     * @return the state found
     * @throws IllegalArgumentException naming the directory and the way out
     */
    public State requireWritable(boolean force, String forceHint) throws IOException {
        State state = state();
        switch (state) {
            case NOT_A_DIRECTORY -> throw new IllegalArgumentException(path + " exists and is not a directory");
            case OTHER -> {
                if (!force) {
                    throw new IllegalArgumentException(path + " is not empty and is not a run directory (it has no " + MARKER
                            + "); choose a new or empty directory, or " + forceHint);
                }
            }
            default -> { }
        }
        return state;
    }

    /**
     * Checks that this is a run to read and write a report into; any existing directory when
     * {@code force}.
     *
     * @param forceHint what the message offers instead, e.g. "add --force to write a report into it anyway"
     * @throws IllegalArgumentException naming the directory and the way out
     */
    public void requireRun(boolean force, String forceHint) throws IOException {
        State state = state();
        switch (state) {
            case RUN -> { }
            case ABSENT -> throw new IllegalArgumentException(path + ": not a run directory: no such directory "
                    + "(casino run writes runs/<name>/)");
            case NOT_A_DIRECTORY -> throw new IllegalArgumentException(path + ": not a run directory: it is a file");
            case EMPTY, OTHER -> {
                if (!force) {
                    throw new IllegalArgumentException(path + ": not a run directory (it has no " + MARKER
                            + "; casino run writes runs/<name>/); " + forceHint);
                }
            }
        }
    }

    /** Writes the marker, naming {@code command}, unless the directory has one already. */
    public void mark(String command) throws IOException {
        Path marker = path.resolve(MARKER);
        if (Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Manifest m = new Manifest(FORMAT, 1, command, Instant.now().toString());
        AtomicFileWriter.writeString(marker, JSON.writeValueAsString(m) + "\n");
    }

    /** Takes this directory's exclusive lock (it must exist); see {@link RunDirectoryLock}. */
    public RunDirectoryLock lock(String command) throws IOException {
        return RunDirectoryLock.acquire(path, command);
    }
}
