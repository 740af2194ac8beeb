package org.rlcasino.kernels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Wall time per kernel on a host backend: while a {@link JvmBackend} records into a profile
 * ({@link JvmBackend#profile}), every launch adds its elapsed nanoseconds and one launch to its
 * {@link Kernel}. Two {@code nanoTime} calls per launch (tens of nanoseconds against launches of
 * microseconds to milliseconds), so a benchmark can keep it on while it times. Not thread-safe:
 * launches come from the thread that runs the step.
 */
public final class KernelProfile {
    /** One kernel's launches and nanoseconds. */
    public record Entry(Kernel kernel, long launches, long nanos) {}

    private final long[] launches = new long[Kernel.values().length];
    private final long[] nanos = new long[Kernel.values().length];

    void record(Kernel kernel, long elapsedNanos) {
        launches[kernel.ordinal()]++;
        nanos[kernel.ordinal()] += elapsedNanos;
    }

    /** Kernels launched at least once, the most time first. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Kernel k : Kernel.values()) {
            if (launches[k.ordinal()] > 0) {
                out.add(new Entry(k, launches[k.ordinal()], nanos[k.ordinal()]));
            }
        }
        out.sort(Comparator.comparingLong(Entry::nanos).reversed().thenComparing(e -> e.kernel().name()));
        return out;
    }

    /** Nanoseconds in all launches. */
    public long totalNanos() {
        long sum = 0;
        for (long n : nanos) {
            sum += n;
        }
        return sum;
    }
}
