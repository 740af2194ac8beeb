package org.rlcasino.kernels;

/**
 * Executes kernel uses. The host side (an optimizer, a trainer) says which kernel runs with which
 * arguments over which range ({@link KernelCall}); a backend decides how: the {@link JvmBackend}
 * splits the range into chunks on a thread pool, the TornadoVM backend compiles the same kernel
 * method into a task graph, keeps STATE and CONSTANT arrays on the device and launches the whole
 * range at once.
 *
 * <p>Kernels are written so that the result never depends on how the range is split: every
 * iteration writes only its own outputs, and reductions go through per-block partials whose block
 * size is fixed by the caller, folded on the host in a fixed order.
 */
public interface Backend extends AutoCloseable {

    /** Short name for reports, e.g. {@code jvm(2 threads)}. */
    String name();

    /** Threads (or compute units) a range runs on. */
    int parallelism();

    /** Prepares {@code call} for repeated launches (on TornadoVM: builds and compiles its task graph once). */
    KernelLaunch prepare(KernelCall call);

    /**
     * Prepares {@code program} for repeated runs: on the JVM its calls are launched in order; on
     * TornadoVM it becomes task graphs that share its resident arrays with every other program of
     * this backend (see {@link KernelProgram}).
     *
     * @throws IllegalArgumentException when an array crosses the bus differently than in an earlier program
     */
    ProgramLaunch prepare(KernelProgram program);

    /**
     * Makes the host copy of a STATE or resident array ({@code float[]} or {@code int[]}) current:
     * on a device backend, copies it back from the device; on the JVM, nothing to do. Call before
     * reading parameters, gradients or moments on the host.
     */
    void syncToHost(Object array);

    /**
     * Announces that the host has written a resident array (parameters loaded from a checkpoint,
     * restored moments): a device backend sends it again before the next run. Nothing to do on the
     * JVM. Arrays a backend has not seen yet need no announcement.
     */
    default void syncToDevice(Object array) {
        // host backends run on the host arrays themselves
    }

    /**
     * Forgets a prepared program its owner no longer runs (a closed model, an evicted batch shape):
     * a device backend copies its resident arrays back and frees them. Nothing to do on the JVM.
     */
    default void release(ProgramLaunch launch) {
        // host backends hold nothing per program
    }

    /**
     * Whether callers should keep one batch shape per program: true where every new shape costs a
     * compilation (TornadoVM rebuilds its plan and compiles every program again), so a trainer pads a
     * variable batch (DPO's pair count, a generator's last rows) to its largest size and prepares that
     * shape before the first step. False on the JVM, where a smaller batch is simply less work.
     */
    default boolean fixedShapes() {
        return false;
    }

    /** Bytes moved, executions and compile time so far ({@link TransferCounters#NONE} on host backends). */
    default TransferCounters transfers() {
        return TransferCounters.NONE;
    }

    @Override
    void close();
}
