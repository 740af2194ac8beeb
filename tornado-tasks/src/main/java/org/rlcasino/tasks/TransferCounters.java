package org.rlcasino.tasks;

/**
 * What a backend moved and launched since it was created (cumulative): bytes host → device and
 * device → host, program or graph executions, kernel launches, and time spent compiling. The JVM
 * backend moves nothing (all zero but the launches); the TornadoVM backend reads its profiler.
 */
public record TransferCounters(long bytesToDevice, long bytesToHost, long executions, long kernelLaunches,
                               long compileNanos) {
    public static final TransferCounters NONE = new TransferCounters(0, 0, 0, 0, 0);

    /** {@code this − earlier}, for the figures of a stretch of work. */
    public TransferCounters minus(TransferCounters earlier) {
        return new TransferCounters(bytesToDevice - earlier.bytesToDevice, bytesToHost - earlier.bytesToHost,
                executions - earlier.executions, kernelLaunches - earlier.kernelLaunches,
                compileNanos - earlier.compileNanos);
    }
}
