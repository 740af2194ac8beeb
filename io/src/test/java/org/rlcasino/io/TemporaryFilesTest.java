package org.rlcasino.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

class TemporaryFilesTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    private final List<String> notices = new ArrayList<>();
    private Consumer<String> previous;

    @BeforeEach
    void captureNotices() {
        previous = TemporaryFiles.setNotices(notices::add);
    }

    @AfterEach
    void restoreNotices() {
        TemporaryFiles.setNotices(previous);
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void namesCarryTheTargetThePidAndTheSuffixAndFitAFileSystemName() throws IOException {
        try (TemporaryFiles.Scratch s = TemporaryFiles.create(dir.resolve("deltas.arrow"), "tmp")) {
            assertThat(s.path().getFileName().toString()).matches("\\.deltas\\.arrow\\." + PID + "\\.\\d+\\.tmp");
            assertThat(TemporaryFiles.registered()).contains(s.path());
        }
        assertThat(entries()).isEmpty();
        String longName = "é".repeat(120) + ".arrow"; // 246 bytes: the name fits, its temporary's name is cut
        try (TemporaryFiles.Scratch s = TemporaryFiles.create(dir.resolve(longName), "staged")) {
            assertThat(s.path().getFileName().toString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        }
    }

    @Test
    void releasedFilesStayAndAreNoLongerRegistered() throws IOException {
        Path kept;
        try (TemporaryFiles.Scratch s = TemporaryFiles.create(dir.resolve("m.arrow"), "staged")) {
            kept = s.path();
            s.release();
        }
        assertThat(kept).exists();
        assertThat(TemporaryFiles.registered()).doesNotContain(kept);
    }

    @Test
    void theShutdownHookDeletesWhatIsStillRegistered() throws IOException {
        TemporaryFiles.Scratch s = TemporaryFiles.create(dir.resolve("score.arrow"), "tmp");
        assertThat(s.path()).exists();
        TemporaryFiles.deleteRegistered();
        assertThat(s.path()).doesNotExist();
        assertThat(TemporaryFiles.registered()).doesNotContain(s.path());
    }

    /** A leftover temporary: its name, its age, and whether the next write of out.arrow removes it. */
    record Leftover(String name, Instant modified, boolean stale) {
        @Override
        public String toString() {
            return name + (stale ? " is removed" : " stays");
        }
    }

    static Stream<Arguments> leftovers() {
        long dead = deadPid();
        Instant longAgo = Instant.parse("2001-01-01T00:00:00Z");
        Instant now = Instant.now();
        long parent = ProcessHandle.current().parent().orElseThrow().pid(); // alive, started before this JVM
        return Stream.of(
                new Leftover(".out.arrow." + dead + ".123.tmp", now, true),                // its process is gone
                new Leftover(".out.arrow." + dead + ".123.staged", now, true),             // a group's staged file
                new Leftover(".out.arrow." + dead + ".9.truth-scores.arrow", now, true),   // a command's scratch file
                new Leftover("..out.arrow." + dead + ".9.truth-scores.arrow." + dead + ".5.tmp", now, true), // its writer's temp
                new Leftover(".out.arrow." + parent + ".123.tmp", longAgo, true),          // that pid started after the write
                new Leftover(".out.arrow." + parent + ".123.tmp", now, false),             // that pid may be writing it
                new Leftover(".out.arrow." + PID + ".123.tmp", now, false),                // this process's own
                new Leftover(".out.arrow.123456789.tmp", longAgo, true),                   // earlier scheme, before this process
                new Leftover(".out.arrow.123456789.tmp", now.plusSeconds(3600), false),    // earlier scheme, after it started
                new Leftover(".other.arrow." + dead + ".1.tmp", now, false),               // another output's
                new Leftover("out.arrow." + dead + ".1.tmp", now, false))                  // not hidden: not ours
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leftovers")
    void staleTemporariesOfTheSameOutputAreRemovedAndReported(Leftover l) throws IOException {
        Path p = dir.resolve(l.name());
        Files.writeString(p, "partial");
        Files.setLastModifiedTime(p, FileTime.from(l.modified()));
        List<Path> removed = TemporaryFiles.removeStale(dir.resolve("out.arrow"));
        assertThat(Files.exists(p)).isEqualTo(!l.stale());
        assertThat(removed).hasSize(l.stale() ? 1 : 0);
        if (l.stale()) {
            assertThat(notices).singleElement().asString().contains("removed " + p, "7 bytes", "interrupted write");
        } else {
            assertThat(notices).isEmpty();
        }
    }

    @Test
    void sigtermAndSigintDeleteTheTemporaryOfAWriteInProgress() throws Exception {
        for (String signal : List.of("TERM", "INT")) {
            Path target = dir.resolve("signal-" + signal + ".arrow");
            Process child = startWriter(target);
            Path temp = awaitTemp(child);
            assertThat(temp).exists();
            if (signal.equals("INT") && ignores(child.pid(), 2)) {
                // started from a background job, which ignores SIGINT: so does the JVM, and nothing is to be cleaned
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                Files.deleteIfExists(temp);
                continue;
            }
            assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start().waitFor()).isZero();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exits on SIG" + signal).isTrue();
            assertThat(temp).as("temporary after SIG" + signal).doesNotExist();
            assertThat(target).doesNotExist();
        }
    }

    @Test
    void afterAKillMinus9TheNextWriteOfTheSameOutputRemovesTheTemporary() throws Exception {
        Path target = dir.resolve("killed.arrow");
        Process child = startWriter(target);
        Path temp = awaitTemp(child);
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(temp).as("a kill -9 runs no hook").exists();
        AtomicFileWriter.writeString(target, "whole");
        assertThat(temp).doesNotExist();
        assertThat(Files.readString(target)).isEqualTo("whole");
        assertThat(notices).singleElement().asString().contains("removed " + temp, "process " + child.pid() + " is no longer running");
        assertThat(entries()).containsExactly("killed.arrow");
    }

    /** Starts a JVM that begins writing {@code target} and waits; it prints the temporary's path. */
    private static Process startWriter(Path target) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Writer.class.getName(), target.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static Path awaitTemp(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the child's temporary").isNotNull().startsWith("writing ");
        return Path.of(line.substring("writing ".length()));
    }

    /** The child: writes 1 MiB of a file, announces its temporary, and waits to be signalled. */
    static final class Writer {
        public static void main(String[] args) throws Exception {
            AtomicFileWriter.Pending pending = AtomicFileWriter.begin(Path.of(args[0]));
            pending.channel().write(ByteBuffer.allocate(1 << 20));
            System.out.println("writing " + pending.temp());
            System.out.flush();
            Thread.sleep(120_000);
        }
    }

    /** Whether process {@code pid} ignores signal number {@code signal} (Linux: /proc/PID/status SigIgn). */
    private static boolean ignores(long pid, int signal) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (signal - 1))) != 0;
            }
        }
        return false;
    }

    /** A pid no process has now: one past the largest running, or a high one. */
    private static long deadPid() {
        long candidate = 4_000_000;
        while (ProcessHandle.of(candidate).isPresent()) {
            candidate++;
        }
        return candidate;
    }
}
