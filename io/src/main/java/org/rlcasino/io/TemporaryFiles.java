package org.rlcasino.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The temporary files written beside an output, in one naming scheme:
 * {@code .NAME.PID.RANDOM.SUFFIX} in the output's directory (NAME the output's file name, cut to
 * {@value #MAX_STEM_BYTES} bytes; PID the writing process; SUFFIX {@code tmp} for the atomic
 * writer's content, {@code staged}/{@code backup} for a {@link AtomicFileWriter.Group}, or a
 * caller's tag for scratch files).
 *
 * <p>Every such file this process creates is registered until it is renamed into place or
 * deleted; a shutdown hook deletes what is still registered, so SIGINT, SIGTERM and
 * {@code System.exit} leave nothing behind. A kill -9 cannot run the hook: the next
 * {@link #create} beside the same output removes the files of the scheme whose process is no
 * longer running (or whose pid now belongs to a process started after the file was last
 * written), and files of the earlier {@code .NAME.RANDOM.tmp} scheme older than this process,
 * and says so through {@link #setNotices}.
 */
public final class TemporaryFiles {
    /** Longest part of the output's name kept in a temporary's name, so the temporary fits 255 bytes. */
    static final int MAX_STEM_BYTES = 200;
    private static final long PID = ProcessHandle.current().pid();
    private static final Instant STARTED = ProcessHandle.current().info().startInstant().orElse(Instant.now());
    private static final Set<Path> REGISTERED = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();
    private static volatile Consumer<String> notices = System.err::println;

    private TemporaryFiles() {}

    /** A temporary file of the scheme: deleted by {@link #close()} (and at JVM exit) unless {@link #release() released}. */
    public static final class Scratch implements AutoCloseable {
        private final Path path;
        private boolean released;

        private Scratch(Path path) {
            this.path = path;
        }

        /** The temporary file. */
        public Path path() {
            return path;
        }

        /** The file is no longer this object's to delete (it was renamed into place). */
        public void release() {
            released = true;
            REGISTERED.remove(path);
        }

        /** Deletes the file unless released; idempotent. */
        @Override
        public void close() {
            if (!released) {
                released = true;
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    notices.accept("casino: could not delete the temporary file " + path + ": " + e.getMessage());
                } finally {
                    REGISTERED.remove(path);
                }
            }
        }
    }

    /**
     * Creates an empty temporary file of the scheme beside {@code target} (whose directory must
     * exist), after removing stale ones of the same target.
     *
     * @param suffix what the file is for, e.g. {@code tmp}: letters, digits, dots and dashes
     */
    public static Scratch create(Path target, String suffix) throws IOException {
        if (suffix == null || !suffix.matches("[A-Za-z0-9.-]+")) {
            throw new IllegalArgumentException("suffix must be letters, digits, dots and dashes, got '" + suffix + "'");
        }
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        String stem = stem(absolute.getFileName().toString());
        removeStale(absolute);
        for (int attempt = 0; ; attempt++) {
            long random = ThreadLocalRandom.current().nextLong() >>> 1;
            Path p = dir.resolve("." + stem + "." + PID + "." + random + "." + suffix);
            register(p); // before it exists: a signal between the two must still find it
            try {
                Files.createFile(p);
                return new Scratch(p);
            } catch (FileAlreadyExistsException e) {
                REGISTERED.remove(p);
                if (attempt == 10) {
                    throw naming(e, absolute);
                }
            } catch (FileSystemException e) {
                REGISTERED.remove(p);
                throw naming(e, absolute);
            } catch (IOException | RuntimeException e) {
                REGISTERED.remove(p);
                throw e;
            }
        }
    }

    /**
     * Deletes the temporary files of the scheme for {@code target} whose writer is gone (see the
     * class comment) and reports each through {@link #setNotices}.
     *
     * @return the files removed
     */
    public static List<Path> removeStale(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        String name = absolute.getFileName().toString();
        String stem = stem(name);
        Pattern current = Pattern.compile("\\.{1,2}" + Pattern.quote(stem) + "\\.(\\d{1,10})\\.\\d+\\..+");
        Pattern earlier = Pattern.compile("\\." + Pattern.quote(name) + "\\.\\d+\\.tmp");
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        DirectoryStream.Filter<Path> ours = p -> {
            String entry = p.getFileName().toString();
            return entry.startsWith("." + stem) || entry.startsWith(".." + stem);
        };
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ours)) {
            for (Path p : entries) {
                String entry = p.getFileName().toString();
                Matcher m = current.matcher(entry);
                String why = null;
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue;
                }
                if (!a.isRegularFile()) {
                    continue;
                }
                if (m.matches()) {
                    why = writerGone(Long.parseLong(m.group(1)), a.lastModifiedTime().toInstant());
                } else if (earlier.matcher(entry).matches() && a.lastModifiedTime().toInstant().isBefore(STARTED)) {
                    why = "written before this process started";
                }
                if (why != null && Files.deleteIfExists(p)) {
                    removed.add(p);
                    notices.accept(String.format(Locale.ROOT, "casino: removed %s (%s), a temporary file of an interrupted write: %s",
                            p, bytes(a.size()), why));
                }
            }
        }
        return removed;
    }

    /** Why the process that wrote a file last modified at {@code modified} is gone, or null if it may still be writing. */
    private static String writerGone(long pid, Instant modified) {
        if (pid == PID) {
            return null;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return "process " + pid + " is no longer running";
        }
        Optional<Instant> started = process.get().info().startInstant();
        if (started.isPresent() && started.get().isAfter(modified.plusSeconds(1))) {
            return "process " + pid + " ended; its pid now belongs to a process started later";
        }
        return null;
    }

    /**
     * Where notices about removed stale files go (default: standard error); returns the previous
     * sink. The CLI points it at its error stream.
     */
    public static Consumer<String> setNotices(Consumer<String> sink) {
        Consumer<String> previous = notices;
        notices = sink == null ? s -> {} : sink;
        return previous;
    }

    /** The files registered now (created by this process and not yet renamed or deleted), for tests. */
    static Set<Path> registered() {
        return Set.copyOf(REGISTERED);
    }

    /** Deletes every registered file: what the shutdown hook does. */
    static void deleteRegistered() {
        for (Path p : List.copyOf(REGISTERED)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                // the JVM is exiting; nothing better to do with it
            }
            REGISTERED.remove(p);
        }
    }

    private static void register(Path p) {
        if (HOOKED.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("casino temporary-file cleanup")
                        .unstarted(TemporaryFiles::deleteRegistered));
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting already; the write fails with it
            }
        }
        REGISTERED.add(p);
    }

    /** {@code name} cut to at most {@link #MAX_STEM_BYTES} UTF-8 bytes at a character boundary. */
    static String stem(String name) {
        if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_STEM_BYTES) {
            return name;
        }
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > MAX_STEM_BYTES) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    private static String bytes(long n) {
        return n >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", n / 1e9)
                : n >= 1e6 ? String.format(Locale.ROOT, "%.1f MB", n / 1e6)
                : n + " bytes";
    }

    /** The same kind of exception about {@code file} instead of a temporary's name, so messages name what the user gave. */
    static FileSystemException naming(FileSystemException e, Path file) {
        FileSystemException renamed;
        if (e instanceof AccessDeniedException) {
            renamed = new AccessDeniedException(file.toString(), null, e.getReason());
        } else if (e instanceof NoSuchFileException) {
            renamed = new NoSuchFileException(file.toString(), null, e.getReason());
        } else if (e instanceof FileAlreadyExistsException) {
            renamed = new FileAlreadyExistsException(file.toString(), null, e.getReason());
        } else {
            renamed = new FileSystemException(file.toString(), null, e.getReason());
        }
        renamed.initCause(e);
        return renamed;
    }
}
