package org.rlcasino.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Samples this process's resident memory from {@code /proc/self/status} on a background thread and
 * keeps the peaks: {@code RssAnon} (heap and other private memory: what a streaming tool must
 * bound) and {@code RssFile} (pages of memory-mapped files, which the kernel can drop at will).
 * On systems without {@code /proc} every figure is -1.
 */
public final class MemorySampler implements AutoCloseable {
    private static final Path STATUS = Path.of("/proc/self/status");

    /** Peaks in bytes; -1 when unknown. */
    public record Peaks(long rssBytes, long anonBytes, long fileBytes, long vmHwmBytes) {}

    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peakRss = -1;
    private volatile long peakAnon = -1;
    private volatile long peakFile = -1;

    /** Starts sampling every {@code periodMillis}. */
    public MemorySampler(long periodMillis) {
        sample();
        thread = Thread.ofPlatform().daemon().name("rlcasino-memory-sampler").start(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void sample() {
        long[] v = read("VmRSS:", "RssAnon:", "RssFile:");
        peakRss = Math.max(peakRss, v[0]);
        peakAnon = Math.max(peakAnon, v[1]);
        peakFile = Math.max(peakFile, v[2]);
    }

    /** Stops sampling and returns the peaks (with the kernel's own high-water mark of RSS). */
    public Peaks stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        return new Peaks(peakRss, peakAnon, peakFile, read("VmHWM:")[0]);
    }

    @Override
    public void close() {
        stop();
    }

    /** Values in bytes of the named {@code /proc/self/status} fields (kB there), -1 if absent. */
    static long[] read(String... fields) {
        long[] values = new long[fields.length];
        java.util.Arrays.fill(values, -1);
        List<String> lines;
        try {
            lines = Files.readAllLines(STATUS);
        } catch (IOException | UnsupportedOperationException e) {
            return values;
        }
        for (String line : lines) {
            for (int f = 0; f < fields.length; f++) {
                if (line.startsWith(fields[f])) {
                    String[] parts = line.substring(fields[f].length()).trim().split("\\s+");
                    values[f] = Long.parseLong(parts[0]) * 1024;
                }
            }
        }
        return values;
    }
}
