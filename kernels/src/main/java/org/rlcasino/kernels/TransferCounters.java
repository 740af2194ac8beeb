package org.rlcasino.kernels;

/**
 * What a backend moved and launched since it was created (cumulative): bytes host → device and
 * device → host, graph executions, kernel launches of programs, and time spent compiling. Host
 * backends move nothing and report {@link #NONE}; the TornadoVM backend reads its profiler (on-demand
 * reads count as the array's size).
 */
public record TransferCounters(long bytesToDevice, long bytesToHost, long executions, long kernelLaunches,
                               long compileNanos) {
    public static final TransferCounters NONE = new TransferCounters(0, 0, 0, 0, 0);

    /** {@code this + other}, to add up stretches of work. */
    public TransferCounters plus(TransferCounters other) {
        return new TransferCounters(bytesToDevice + other.bytesToDevice, bytesToHost + other.bytesToHost,
                executions + other.executions, kernelLaunches + other.kernelLaunches, compileNanos + other.compileNanos);
    }

    /** {@code this − earlier}, for the figures of a stretch of work. */
    public TransferCounters minus(TransferCounters earlier) {
        return new TransferCounters(bytesToDevice - earlier.bytesToDevice, bytesToHost - earlier.bytesToHost,
                executions - earlier.executions, kernelLaunches - earlier.kernelLaunches,
                compileNanos - earlier.compileNanos);
    }
}
