package org.rlcasino.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rlcasino.io.InsufficientHeapException;

import static org.assertj.core.api.Assertions.assertThat;

class BadInputTest {
    @TempDir
    Path dir;

    /** An exception and the words its one-line message must hold (none: an internal failure, exit 1). */
    record Case(String name, Throwable exception, String... expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static FileSystemException reason(String file, String reason) {
        return new FileSystemException(file, null, reason);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("bad value", new IllegalArgumentException("--window must be >= 2, got 1"), "--window must be >= 2, got 1"),
                new Case("missing file", new NoSuchFileException("in.arrow"), "in.arrow: no such file or directory"),
                new Case("permission", new AccessDeniedException("/root/x"), "/root/x: permission denied", "another path"),
                new Case("not a directory", new NotDirectoryException("a/b"), "a/b: not a directory"),
                new Case("directory not empty", new DirectoryNotEmptyException("runs/x"), "runs/x: directory not empty"),
                new Case("already exists", new FileAlreadyExistsException("runs/x"), "runs/x: already exists"),
                new Case("link loop", new FileSystemLoopException("loop"), "loop: symbolic links form a loop"),
                new Case("disk full", reason("deltas.arrow", "No space left on device"),
                        "deltas.arrow: no space left on device; free some space or write to another file system"),
                new Case("quota", reason("deltas.arrow", "Disk quota exceeded"), "deltas.arrow: disk quota exceeded"),
                new Case("read-only file system", reason("/mnt/ro/out.arrow", "Read-only file system"),
                        "/mnt/ro/out.arrow: read-only file system; write to a writable directory"),
                new Case("name too long", reason("x".repeat(300), "File name too long"), ": file name too long (file systems allow 255"),
                new Case("is a directory", reason("series", "Is a directory"), "series: is a directory; give a file"),
                new Case("path through a file", reason("file/out.arrow", "Not a directory"),
                        "file/out.arrow: a part of the path is a file, not a directory"),
                new Case("input/output error", reason("ckpt.safetensors", "Input/output error"), "ckpt.safetensors: input/output error"),
                new Case("other file system condition", reason("x", "Something odd"), "x: Something odd"),
                new Case("bare reason from a JDK stream", new IOException("No space left on device"), "no space left on device"),
                new Case("writer thread wraps the named cause",
                        new IOException("writing failed: No space left on device", reason("out/d.arrow", "No space left on device")),
                        "out/d.arrow: no space left on device"),
                new Case("unchecked wrapper", new UncheckedIOException(new NoSuchFileException("m.arrow")), "m.arrow: no such file"),
                new Case("execution wrapper", new ExecutionException(reason("s.arrow", "Read-only file system")), "s.arrow: read-only"),
                new Case("estimated heap", new InsufficientHeapException("momentum scoring of 1,000 parameters (6 floats of state each)",
                        8L << 30, 2L << 30), "momentum scoring of 1,000 parameters", "needs about 8.6 GB of Java heap",
                        "limit of 2.1 GB", "CASINO_JAVA_OPTS=-Xmx11g"),
                new Case("heap exhausted", new OutOfMemoryError("Java heap space"), "out of memory (Java heap space)",
                        "raise it with CASINO_JAVA_OPTS=-Xmx"),
                new Case("internal bug", new IllegalStateException("index out of sync")),
                new Case("unknown I/O failure", new IOException("Invalid footer")),
                new Case("bug carrying a bad value inside", new RuntimeException(new IllegalArgumentException("deep"))))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mapsEachConditionToOneLine(Case c) {
        String message = BadInput.message(c.exception());
        if (c.expected().length == 0) {
            assertThat(message).as("internal failure").isNull();
        } else {
            assertThat(message).contains(c.expected()).doesNotContain("\n").doesNotContain("Exception");
        }
    }

    @Test
    void aFileWhereADirectoryIsNeededIsSaidSo() throws IOException {
        Path file = Files.writeString(dir.resolve("runs"), "x");
        assertThat(BadInput.message(new FileAlreadyExistsException(file.toString())))
                .isEqualTo(file + ": is a file where a directory is needed; move it away or choose another path");
    }

    @Test
    void anOutOfMemoryErrorSaysTheLimitAndADoubledSuggestion() {
        assertThat(BadInput.outOfMemory(new OutOfMemoryError("Java heap space"), 4L << 30))
                .isEqualTo("out of memory (Java heap space): this input needs more than the JVM's limit of 4.3 GB of Java heap; "
                        + "raise it with CASINO_JAVA_OPTS=-Xmx11g (bin/casino passes it to java), or give the command less at once");
    }
}
