package org.rlcasino.kernels;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutionException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs kernels on the JVM: the range {@code [0, n)} is cut into chunks of at most
 * {@code chunkSize} iterations, which a fixed pool of {@code threads} threads (the caller being
 * one of them) takes in turn. With one thread everything runs sequentially on the caller, which
 * is handy in a debugger. Results are bit-identical for any thread count and chunk size, because
 * kernels write disjoint outputs per iteration.
 */
public final class JvmBackend implements Backend {
    /** Chunk size used when none is given: large enough to amortise a task hand-off (~µs). */
    public static final int DEFAULT_CHUNK_SIZE = 1 << 14;

    private final ProgramRegistry programs = new ProgramRegistry();

    private final int threads;
    private final int chunkSize;
    private final FastPaths fastPaths;
    private final ExecutorService pool;
    /** Where launches record their time, or null (see {@link #profile}). */
    private KernelProfile profile;

    /** A backend with one thread per available processor and the default chunk size. */
    public static JvmBackend withAvailableProcessors() {
        return new JvmBackend(Runtime.getRuntime().availableProcessors(), DEFAULT_CHUNK_SIZE);
    }

    /** A backend that runs every fast path ({@link FastPaths#ALL}). */
    public JvmBackend(int threads, int chunkSize) {
        this(threads, chunkSize, FastPaths.ALL);
    }

    /**
     * @param threads   worker threads including the caller, {@code >= 1}; 1 runs sequentially
     * @param chunkSize the most iterations one chunk covers, {@code >= 1}
     * @param fastPaths which JVM fast paths run instead of the reference kernels
     */
    public JvmBackend(int threads, int chunkSize, FastPaths fastPaths) {
        if (fastPaths == null) {
            throw new IllegalArgumentException("fastPaths must not be null");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1, got " + chunkSize);
        }
        this.threads = threads;
        this.chunkSize = chunkSize;
        this.fastPaths = fastPaths;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, daemonThreads());
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "rlcasino-jvm-backend-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String name() {
        return "jvm(" + threads + (threads == 1 ? " thread" : " threads") + ")";
    }

    @Override
    public int parallelism() {
        return threads;
    }

    /** Which fast paths this backend runs. */
    public FastPaths fastPaths() {
        return fastPaths;
    }

    /** The most iterations one chunk covers. */
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public KernelLaunch prepare(KernelCall call) {
        return new KernelLaunch() {
            @Override
            public KernelCall call() {
                return call;
            }

            @Override
            public void launch() {
                KernelProfile into = profile;
                long t0 = into == null ? 0 : System.nanoTime();
                run(call.task(), call.range(), call.grain() > 0 ? call.grain() : chunkSize,
                        (offset, count) -> call.runOnJvm(offset, count, fastPaths));
                if (into != null) {
                    into.record(call.kernel(), System.nanoTime() - t0);
                }
            }
        };
    }

    @Override
    public ProgramLaunch prepare(KernelProgram program) {
        programs.register(program);
        return ProgramLaunch.sequential(program, this::prepare);
    }

    /**
     * From now on every kernel launch records its wall time and kernel into {@code into}; null stops
     * recording. One profile at a time, set from the thread that launches.
     */
    public void profile(KernelProfile into) {
        this.profile = into;
    }

    @Override
    public void syncToHost(Object array) {
        // kernels run on the host arrays themselves
    }

    /**
     * Runs {@code kernel} over the iterations {@code [0, n)} in chunks on the pool; returns when all
     * have finished and their writes are visible to the caller. Also serves host-side loops that
     * are not kernels (e.g. benchmarks' bandwidth probes).
     */
    public void run(String task, int n, RangeKernel kernel) {
        run(task, n, chunkSize, kernel);
    }

    /** As {@link #run(String, int, RangeKernel)} with chunks of at most {@code chunkSize} iterations. */
    public void run(String task, int n, int chunkSize, RangeKernel kernel) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException(task + ": chunkSize must be >= 1, got " + chunkSize);
        }
        if (n < 0) {
            throw new IllegalArgumentException(task + ": range must be >= 0, got " + n);
        }
        if (n == 0) {
            return;
        }
        int chunks = (int) ((n + (long) chunkSize - 1) / chunkSize);
        if (pool == null || chunks == 1) {
            for (int c = 0; c < chunks; c++) {
                int offset = c * chunkSize;
                kernel.run(offset, Math.min(chunkSize, n - offset));
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                int offset = c * chunkSize;
                kernel.run(offset, Math.min(chunkSize, n - offset));
            }
        };
        int helpers = Math.min(threads - 1, chunks - 1);
        List<Future<?>> futures = new ArrayList<>(helpers);
        for (int h = 0; h < helpers; h++) {
            futures.add(pool.submit(worker));
        }
        RuntimeException failure = null;
        try {
            worker.run();
        } catch (RuntimeException e) {
            failure = e;
            next.set(chunks); // stop the helpers from taking more chunks
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(task + ": interrupted while waiting for workers", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException(task + ": kernel failed", e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
