package org.rlcasino.io;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunDirectoryLockTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final String HOST = RunDirectoryLock.thisHost();
    /** A pid no process has: a child that has exited. */
    private static final long DEAD_PID = deadPid();

    @TempDir
    Path dir;

    /** What a case leaves open (a held lock, a channel) until the case ends. */
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeWhatCasesLeftOpen() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** Puts something in the directory before the acquire under test. */
    @FunctionalInterface
    interface Setup {
        void make(Path dir, List<AutoCloseable> open) throws Exception;
    }

    /**
     * One row: what is in the directory, and either null (the acquire succeeds) or the fragments
     * its refusal must contain ({@code {file}} stands for the quoted lock file path).
     */
    record Row(String name, Setup setup, List<String> refusal) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static String holderJson(long pid, String host) {
        return "{\"pid\":" + pid + ",\"host\":\"" + host + "\",\"command\":\"casino run a.json\",\"since\":\"2026-01-02T03:04:05Z\"}\n";
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("no lock file", (d, open) -> { }, null),
                new Row("a lock that was released", (d, open) -> RunDirectoryLock.acquire(d, "casino run first.json").close(), null),
                new Row("held by this process", (d, open) -> open.add(RunDirectoryLock.acquire(d, "casino run first.json")),
                        List.of("is in use by pid " + PID + " on host " + HOST, "casino run first.json", "wait for it to finish")),
                new Row("held by a live process (its OS lock is taken)", (d, open) -> {
                    Path file = d.resolve(RunDirectoryLock.FILE);
                    Files.writeString(file, holderJson(4242, HOST));
                    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    open.add(channel);
                    channel.lock();
                }, List.of("is in use by pid 4242 on host " + HOST, "since 2026-01-02T03:04:05Z: casino run a.json", "wait")),
                new Row("stale: left by a dead pid on this host", (d, open) ->
                        Files.writeString(d.resolve(RunDirectoryLock.FILE), holderJson(DEAD_PID, HOST)),
                        List.of("has a stale lock: pid " + DEAD_PID + " on host " + HOST, "is no longer running",
                                "remove the lock and run again: rm {file}")),
                new Row("a lock file from another host", (d, open) ->
                        Files.writeString(d.resolve(RunDirectoryLock.FILE), holderJson(4242, "elsewhere.example")),
                        List.of("is locked by pid 4242 on host elsewhere.example", "cannot tell whether that process still runs",
                                "rm {file}")),
                new Row("an unreadable lock file", (d, open) -> Files.writeString(d.resolve(RunDirectoryLock.FILE), "locked!"),
                        List.of("that this version cannot read", "rm {file}")),
                new Row("an empty lock file left by a crash", (d, open) -> Files.createFile(d.resolve(RunDirectoryLock.FILE)),
                        List.of("has an empty lock file", "rm {file}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void acquire(Row row) throws Exception {
        row.setup().make(dir, open);
        Path file = dir.resolve(RunDirectoryLock.FILE);
        if (row.refusal() == null) {
            try (RunDirectoryLock lock = RunDirectoryLock.acquire(dir, "casino train b.json")) {
                assertThat(lock.file()).isEqualTo(file);
                assertThat(lock.holder().pid()).isEqualTo(PID);
                assertThat(Files.readString(file)).contains("\"pid\":" + PID, "\"host\":\"" + HOST + "\"", "casino train b.json");
            }
            assertThat(file).doesNotExist();
            return;
        }
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> RunDirectoryLock.acquire(dir, "casino train b.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).startsWith(dir.toString()).doesNotContain("\n");
                    for (String fragment : row.refusal()) {
                        assertThat(e.getMessage()).contains(fragment.replace("{file}", "'" + file + "'"));
                    }
                });
        assertThat(file).hasBinaryContent(before); // a refusal never touches the holder's file
    }

    @Test
    void closeReleasesOnceAndLetsTheNextHolderIn() throws Exception {
        RunDirectoryLock first = RunDirectoryLock.acquire(dir, "casino run a.json");
        first.close();
        first.close();
        assertThat(dir.resolve(RunDirectoryLock.FILE)).doesNotExist();
        try (RunDirectoryLock second = RunDirectoryLock.acquire(dir, "casino run a.json")) {
            assertThat(second.file()).exists();
        }
    }

    @Test
    void theSameDirectoryUnderAnotherNameIsTheSameLock() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        try (RunDirectoryLock _ = RunDirectoryLock.acquire(dir.resolve("sub"), "casino run a.json")) {
            assertThatThrownBy(() -> RunDirectoryLock.acquire(dir.resolve("sub/../sub/."), "casino run b.json"))
                    .hasMessageContaining("is in use by pid " + PID);
        }
    }

    /** Another JVM holds the lock: refused; SIGTERM runs its shutdown hook, which releases it. */
    @Test
    void anotherProcessHoldsItUntilSigterm() throws Exception {
        Process holder = holdInAnotherJvm();
        try {
            assertThatThrownBy(() -> RunDirectoryLock.acquire(dir, "casino run b.json"))
                    .hasMessageContaining("is in use by pid " + holder.pid() + " on host " + HOST)
                    .hasMessageContaining("held by a test");
            holder.destroy();
            assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            holder.destroyForcibly();
        }
        assertThat(dir.resolve(RunDirectoryLock.FILE)).doesNotExist();
        RunDirectoryLock.acquire(dir, "casino run b.json").close();
    }

    /** Another JVM killed with SIGKILL leaves its lock file, without its OS lock: reported as stale. */
    @Test
    void aKilledHolderLeavesAStaleLock() throws Exception {
        Process holder = holdInAnotherJvm();
        holder.destroyForcibly();
        assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Path file = dir.resolve(RunDirectoryLock.FILE);
        assertThat(file).exists();
        assertThatThrownBy(() -> RunDirectoryLock.acquire(dir, "casino run b.json"))
                .hasMessageContaining("has a stale lock: pid " + holder.pid() + " on host " + HOST)
                .hasMessageContaining("rm '" + file + "'");
        Files.delete(file); // what the message says to do
        RunDirectoryLock.acquire(dir, "casino run b.json").close();
    }

    /** Starts {@link HoldLock} on {@link #dir} and waits until it holds the lock. */
    private Process holdInAnotherJvm() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), HoldLock.class.getName(),
                dir.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the holder's first line").isEqualTo("locked");
        return p;
    }

    /** A process that takes the lock of the directory {@code args[0]} and sleeps until it is stopped. */
    public static final class HoldLock {
        public static void main(String[] args) throws Exception {
            RunDirectoryLock.acquire(Path.of(args[0]), "held by a test");
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private static long deadPid() {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
            return p.pid();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
