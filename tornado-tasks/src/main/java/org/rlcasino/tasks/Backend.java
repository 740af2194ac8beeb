package org.rlcasino.tasks;

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
     * Makes the host copy of a STATE array current (on a device backend, copies it back from the
     * device; on the JVM, nothing to do). Call before reading parameters or moments on the host.
     */
    void syncToHost(float[] array);

    @Override
    void close();
}
