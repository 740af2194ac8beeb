package org.rlcasino.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.rlcasino.io.InsufficientHeapException;

/**
 * The one place that turns an exception caused by the user's input or environment into the one
 * line {@code casino} prints (exit code 2): bad values ({@link IllegalArgumentException}), file
 * system conditions by kind ({@link FileSystemException} subclasses and the operating system's
 * reasons: no space left, read-only file system, name too long, …), and memory (an estimate that
 * does not fit, {@link InsufficientHeapException}, or an {@link OutOfMemoryError}). Anything else
 * is an internal failure (null: exit code 1 with the stack trace).
 *
 * <p>Causes are followed through wrappers only (unchecked and checked I/O wrappers, execution
 * exceptions), so an internal bug that happens to carry an {@code IllegalArgumentException} deep
 * inside stays an internal failure.
 */
final class BadInput {
    /** The environment variable bin/casino passes to java, named in memory messages. */
    static final String JAVA_OPTS = "CASINO_JAVA_OPTS";
    private static final int MAX_DEPTH = 8;

    private BadInput() {}

    /** The message for {@code e}, or null if it is an internal failure. */
    static String message(Throwable e) {
        String bare = null;
        Throwable t = e;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++) {
            String m = direct(t);
            if (m != null) {
                return m;
            }
            if (bare == null && t instanceof IOException && t.getMessage() != null) {
                bare = reason(t.getMessage()); // used only if no cause names the file
            }
            if (!isWrapper(t) || t.getCause() == t) {
                break;
            }
            t = t.getCause();
        }
        return bare;
    }

    private static boolean isWrapper(Throwable t) {
        return t instanceof UncheckedIOException || t instanceof IOException || t instanceof ExecutionException
                || t instanceof CompletionException || t instanceof UndeclaredThrowableException
                || t instanceof picocli.CommandLine.ExecutionException;
    }

    private static String direct(Throwable t) {
        if (t instanceof InsufficientHeapException h) {
            return h.what() + " needs about " + InsufficientHeapException.gigabytes(h.neededBytes()) + " of Java heap, more than "
                    + "this JVM's limit of " + InsufficientHeapException.gigabytes(h.maxBytes()) + ": raise it with "
                    + JAVA_OPTS + "=-Xmx" + InsufficientHeapException.suggestedXmx(h.neededBytes()) + " (bin/casino passes it to java)";
        }
        if (t instanceof IllegalArgumentException) {
            return t.getMessage() != null ? t.getMessage() : t.toString();
        }
        if (t instanceof InvalidPathException p) {
            return "'" + p.getInput() + "' is not a valid path: " + p.getReason();
        }
        if (t instanceof FileSystemException f) {
            return fileSystem(f);
        }
        if (t instanceof OutOfMemoryError oom) {
            return outOfMemory(oom, Runtime.getRuntime().maxMemory());
        }
        return null;
    }

    /** One line for a file system condition: the file, the condition, what to do. */
    static String fileSystem(FileSystemException e) {
        String file = e.getFile() != null ? e.getFile() : "(unnamed file)";
        if (e instanceof NoSuchFileException) {
            return file + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return file + ": permission denied; check its permissions, or use another path";
        }
        if (e instanceof NotDirectoryException) {
            return file + ": not a directory; give a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return file + ": directory not empty; empty it or choose another";
        }
        if (e instanceof FileAlreadyExistsException) {
            boolean regular = isRegularFile(file);
            return file + (regular ? ": is a file where a directory is needed; move it away or choose another path"
                    : ": already exists; move it away or choose another path");
        }
        if (e instanceof FileSystemLoopException) {
            return file + ": symbolic links form a loop; fix the links or give another path";
        }
        if (e instanceof AtomicMoveNotSupportedException) {
            return file + " cannot be renamed into " + e.getOtherFile() + " (another file system?); write the output elsewhere";
        }
        String reason = e.getReason();
        String known = reason == null ? null : reason(reason);
        if (known != null) {
            return file + ": " + known;
        }
        return file + ": " + (reason != null ? reason : e.getClass().getSimpleName());
    }

    /** The operating system's reason (strerror text) in words with a remedy, or null for an unknown one. */
    static String reason(String reason) {
        String r = reason.toLowerCase(Locale.ROOT);
        if (r.contains("no space left on device")) {
            return "no space left on device; free some space or write to another file system";
        }
        if (r.contains("disk quota exceeded")) {
            return "disk quota exceeded; free some space or write to another file system";
        }
        if (r.contains("read-only file system")) {
            return "read-only file system; write to a writable directory";
        }
        if (r.contains("file name too long")) {
            return "file name too long (file systems allow 255 bytes per name); give a shorter name";
        }
        if (r.contains("is a directory")) {
            return "is a directory; give a file";
        }
        if (r.contains("not a directory")) {
            return "a part of the path is a file, not a directory; check the path";
        }
        if (r.contains("permission denied") || r.contains("operation not permitted")) {
            return "permission denied; check its permissions, or use another path";
        }
        if (r.contains("too many levels of symbolic links")) {
            return "symbolic links form a loop; fix the links or give another path";
        }
        if (r.contains("too many open files")) {
            return "too many open files; raise the limit (ulimit -n) or open fewer files at once";
        }
        if (r.contains("input/output error")) {
            return "input/output error: the disk or network file system failed; check it and try again";
        }
        if (r.contains("stale file handle")) {
            return "stale file handle (the network file system changed under casino); try again";
        }
        return null;
    }

    /** The heap is exhausted: say the limit and how to raise it. */
    static String outOfMemory(OutOfMemoryError e, long maxHeap) {
        String detail = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
        return "out of memory" + detail + ": this input needs more than the JVM's limit of " + InsufficientHeapException.gigabytes(maxHeap)
                + " of Java heap; raise it with " + JAVA_OPTS + "=-Xmx" + InsufficientHeapException.suggestedXmx(2 * maxHeap)
                + " (bin/casino passes it to java), or give the command less at once";
    }

    private static boolean isRegularFile(String file) {
        try {
            return Files.isRegularFile(Path.of(file));
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
