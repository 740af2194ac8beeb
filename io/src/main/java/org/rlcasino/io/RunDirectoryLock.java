package org.rlcasino.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The exclusive lock on a run directory that one {@code casino run} or {@code casino train} holds
 * from start to end, so that two commands never write the same run at once.
 *
 * <p>As git's {@code index.lock}: the file {@value #FILE} is created with {@code O_EXCL}
 * ({@link StandardOpenOption#CREATE_NEW}: of two processes racing, exactly one creates it) and
 * holds the {@link Holder} (pid, host, command, start time) as JSON; {@link #close()} deletes it.
 * In addition the holder keeps an OS lock ({@link FileChannel#lock()}) on the file while it runs.
 * The OS drops that lock when the process ends, however it ends, so a lock file whose OS lock is
 * free was left by a process that is gone (SIGKILL, a crash of the machine): a stale lock. A stale
 * lock is reported with the command that removes it and never removed silently, because a holder
 * on another host can be checked neither by pid nor, on many network file systems, by OS lock.
 * A shutdown hook releases the lock on SIGINT and SIGTERM.
 *
 * <p>Every refusal is an {@link IllegalArgumentException} whose one-line message names the
 * directory, the holder's pid and host, and what to do.
 */
public final class RunDirectoryLock implements AutoCloseable {
    /** The lock file's name inside the run directory. */
    public static final String FILE = "run.lock";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    /**
     * Lock files this JVM holds, by real directory path. POSIX drops all of a process's OS locks on
     * a file when it closes any descriptor of that file, so this JVM must never open its own lock
     * file to probe it: a second acquire in the same JVM is answered from here.
     */
    private static final Map<Path, Holder> HELD_HERE = new ConcurrentHashMap<>();
    /** How often an empty lock file (a holder between creating and writing it) is looked at again. */
    private static final int EMPTY_RETRIES = 10;
    private static final long EMPTY_RETRY_MILLIS = 20;

    /**
     * Who holds a lock.
     *
     * @param pid     process id
     * @param host    host name
     * @param command the command line it runs
     * @param since   ISO-8601 instant it took the lock
     */
    public record Holder(long pid, String host, String command, String since) {
        /** This process, now, running {@code command}. */
        public static Holder self(String command) {
            return new Holder(ProcessHandle.current().pid(), thisHost(), command, Instant.now().toString());
        }

        String describe() {
            return "pid " + pid + " on host " + host + " (since " + since + ": " + command + ")";
        }
    }

    private final Path file;
    private final Path key;
    private final Holder holder;
    private final FileChannel channel;
    private final FileLock osLock;
    private final Thread shutdownHook;
    private boolean released;

    private RunDirectoryLock(Path file, Path key, Holder holder, FileChannel channel, FileLock osLock) {
        this.file = file;
        this.key = key;
        this.holder = holder;
        this.channel = channel;
        this.osLock = osLock;
        this.shutdownHook = new Thread(this::releaseQuietly, "release " + file);
    }

    /**
     * Takes the lock of the existing directory {@code dir} for this process running {@code command}.
     *
     * @throws IllegalArgumentException when another process (or this one) holds it, or a stale lock
     *                                  is in the way; the message says what to do
     */
    public static RunDirectoryLock acquire(Path dir, String command) throws IOException {
        return acquire(dir, Holder.self(command));
    }

    /** As {@link #acquire(Path, String)} for a given holder (tests pose as another host). */
    static RunDirectoryLock acquire(Path dir, Holder self) throws IOException {
        Path file = dir.resolve(FILE);
        Path key = dir.toRealPath();
        for (int attempt = 0; ; attempt++) {
            Holder here = HELD_HERE.putIfAbsent(key, self);
            if (here != null) {
                throw busy(dir, here);
            }
            boolean taken = false;
            try {
                FileChannel channel;
                try {
                    channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    refuseExisting(dir, file, self, attempt);
                    continue;
                }
                try {
                    // We created the file, so it is ours; lock() waits only for another process's brief probe.
                    FileLock osLock = channel.lock();
                    channel.write(ByteBuffer.wrap((JSON.writeValueAsString(self) + "\n").getBytes(StandardCharsets.UTF_8)));
                    channel.force(true);
                    RunDirectoryLock lock = new RunDirectoryLock(file, key, self, channel, osLock);
                    Runtime.getRuntime().addShutdownHook(lock.shutdownHook);
                    taken = true;
                    return lock;
                } finally {
                    if (!taken) {
                        channel.close();
                        Files.deleteIfExists(file);
                    }
                }
            } finally {
                if (!taken) {
                    HELD_HERE.remove(key, self);
                }
            }
        }
    }

    /**
     * Looks at a lock file that exists and throws when a live or a stale holder is in it; returns
     * when creating it is worth another try: it vanished meanwhile, or it is empty (its holder is
     * between creating and writing it, or between emptying and deleting it).
     */
    private static void refuseExisting(Path dir, Path file, Holder self, int attempt) throws IOException {
        boolean held;
        String text;
        try (FileChannel probe = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = probe.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it through a channel outside this class
            }
            held = lock == null;
            text = read(probe);
            // closing the probe releases its lock
        } catch (NoSuchFileException e) {
            return;
        }
        Holder holder = parse(text);
        if (held) {
            throw busy(dir, holder);
        }
        if (text.isBlank()) {
            // A holder creates the file, then locks and writes it, and empties it before deleting it.
            if (attempt < EMPTY_RETRIES) {
                pause();
                return;
            }
            throw new IllegalArgumentException(dir + " has an empty lock file " + file + ", left by a process that died while "
                    + "taking the lock; if no casino command is using " + dir + ", remove it with: rm " + quoted(file));
        }
        if (holder == null) {
            throw new IllegalArgumentException(dir + " has a lock file " + file + " that this version cannot read; if no casino "
                    + "command is using " + dir + ", remove it with: rm " + quoted(file));
        }
        if (!holder.host().equals(self.host())) {
            throw new IllegalArgumentException(dir + " is locked by " + holder.describe() + "; this host (" + self.host()
                    + ") cannot tell whether that process still runs; if it does not, remove the lock with: rm " + quoted(file));
        }
        boolean running = ProcessHandle.of(holder.pid()).map(ProcessHandle::isAlive).orElse(false);
        throw new IllegalArgumentException(dir + " has a stale lock: " + holder.describe() + (running
                ? " no longer holds it (that pid now belongs to another process)" : " is no longer running")
                + "; remove the lock and run again: rm " + quoted(file));
    }

    private static IllegalArgumentException busy(Path dir, Holder holder) {
        return new IllegalArgumentException(dir + " is in use by " + (holder == null ? "another casino process" : holder.describe())
                + "; wait for it to finish (or stop it), then run again");
    }

    /** The lock file's path. */
    public Path file() {
        return file;
    }

    /** Who holds this lock: this process. */
    public Holder holder() {
        return holder;
    }

    /** Releases the lock: empties and deletes the lock file, then drops the OS lock. Idempotent. */
    @Override
    public void close() throws IOException {
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook releases (or released) the lock
        }
    }

    private synchronized void release() throws IOException {
        if (released) {
            return;
        }
        released = true;
        try {
            // Emptied first: a process that opened the file before it is deleted then sees an empty
            // file and looks again, instead of taking this holder for a stale one.
            channel.truncate(0);
            channel.force(true);
            Files.deleteIfExists(file);
        } finally {
            try {
                osLock.release();
                channel.close();
            } finally {
                HELD_HERE.remove(key, holder);
            }
        }
    }

    private void releaseQuietly() {
        try {
            release();
        } catch (IOException | RuntimeException e) {
            System.err.println("could not release the lock " + file + ": " + e.getMessage());
        }
    }

    private static String read(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > 1 << 16) {
            return "?"; // not a lock file this class wrote
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
            // read until full or end of file
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static Holder parse(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            Holder h = JSON.readValue(text, Holder.class);
            return h == null || h.host() == null ? null : h;
        } catch (IOException e) {
            return null;
        }
    }

    private static void pause() throws InterruptedIOException {
        try {
            Thread.sleep(EMPTY_RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a lock file to be written");
        }
    }

    private static String quoted(Path file) {
        return "'" + file.toString().replace("'", "'\\''") + "'";
    }

    /** This machine's host name: the kernel's where readable (no DNS lookup), else Java's. */
    static String thisHost() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String name = Files.readString(kernel).strip();
                if (!name.isEmpty()) {
                    return name;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to Java's view
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
