package org.rlcasino.tasks;

/**
 * Executes kernel uses. The host side (an optimizer, a trainer) decides which kernel runs with
 * which arguments over which range; a backend decides how the range is executed: the
 * {@link JvmBackend} splits it into chunks on a thread pool, a TornadoVM backend maps the same
 * kernel method onto a task graph and launches the whole range at once.
 *
 * <p>Kernels are written so that the result never depends on how the range is split: every
 * iteration writes only its own outputs, and reductions go through per-block partials whose block
 * size is fixed by the caller, folded on the host in a fixed order.
 */
public interface Backend extends AutoCloseable {

    /** Short name for reports, e.g. {@code jvm(2 threads)}. */
    String name();

    /** Number of threads (or compute units) the backend runs a range on. */
    int parallelism();

    /**
     * Runs {@code kernel} over the iterations {@code [0, n)}; returns when all have finished and
     * their writes are visible to the caller.
     *
     * @param task  the kernel use, named {@code "<stage>.<task>"} (e.g. {@code "optimizer.adamw"})
     * @param n     number of iterations of the kernel's parallel loop, {@code >= 0}
     * @param kernel the kernel bound to its arguments
     */
    void run(String task, int n, RangeKernel kernel);

    /** True when kernels execute on the JVM, so JVM-only fast paths (Vector API) may replace them. */
    boolean runsOnJvm();

    @Override
    void close();
}
