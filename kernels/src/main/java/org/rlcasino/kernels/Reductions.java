package org.rlcasino.kernels;

/**
 * Host side of the reductions in {@link ReductionKernels}: runs the partials kernel on a backend
 * and folds the partials in block order, in double precision. Each reduction is a one-call
 * {@link KernelProgram} whose only output is the partials: the reduced array stays where the
 * backend keeps it (on a device, resident: gradients are never copied to take their norm). The
 * last program is kept prepared and reused while the same arrays and length come back (every
 * optimizer step does), so a device backend compiles it once.
 */
public final class Reductions {
    /** Values per partial sum: fixed, so results never depend on the backend's chunking. */
    public static final int BLOCK_SIZE = 4096;

    private final Backend backend;
    private Prepared plain;
    private Prepared gathered;

    private record Prepared(ProgramLaunch launch, String task, float[] x, int[] indices, int n, float[] partials) {}

    public Reductions(Backend backend) {
        this.backend = backend;
    }

    /** {@code Σ x[i]²} over {@code i ∈ [0, n)}. */
    public double sumOfSquares(String task, float[] x, int n) {
        prepareSumOfSquares(task, x, n);
        plain.launch.run();
        return fold(plain.partials);
    }

    /** Prepares {@link #sumOfSquares} without running it (a device backend compiles it with the other programs). */
    public void prepareSumOfSquares(String task, float[] x, int n) {
        checkRange(x.length, n);
        if (plain == null || plain.x != x || plain.n != n || !plain.task.equals(task)) {
            int blocks = blocks(n);
            float[] partials = new float[blocks];
            KernelCall call = KernelCall.builder(task, Kernel.SUM_OF_SQUARES_PARTIALS)
                    .output(partials).input(x).size(n).size(BLOCK_SIZE).over(blocks);
            plain = new Prepared(backend.prepare(KernelProgram.builder(task).call(call).output(partials).build()), task, x,
                    null, n, partials);
        }
    }

    /** {@code Σ x[indices[j]]²} over {@code j ∈ [0, n)}. */
    public double gatheredSumOfSquares(String task, float[] x, int[] indices, int n) {
        prepareGatheredSumOfSquares(task, x, indices, n);
        gathered.launch.run();
        return fold(gathered.partials);
    }

    /** Prepares {@link #gatheredSumOfSquares} without running it. */
    public void prepareGatheredSumOfSquares(String task, float[] x, int[] indices, int n) {
        checkRange(indices.length, n);
        if (gathered == null || gathered.x != x || gathered.indices != indices || gathered.n != n
                || !gathered.task.equals(task)) {
            int blocks = blocks(n);
            float[] partials = new float[blocks];
            KernelCall call = KernelCall.builder(task, Kernel.GATHERED_SUM_OF_SQUARES_PARTIALS)
                    .output(partials).input(x).constant(indices).size(n).size(BLOCK_SIZE).over(blocks);
            gathered = new Prepared(backend.prepare(KernelProgram.builder(task).call(call).output(partials).build()), task,
                    x, indices, n, partials);
        }
    }

    /** Releases the prepared programs on the backend (see {@link Backend#release}). */
    public void release() {
        if (plain != null) {
            backend.release(plain.launch);
            plain = null;
        }
        if (gathered != null) {
            backend.release(gathered.launch);
            gathered = null;
        }
    }

    private static void checkRange(int length, int n) {
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("reduction over " + n + " values of an array of length " + length);
        }
    }

    private static int blocks(int n) {
        return (n + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    private static double fold(float[] partials) {
        double sum = 0;
        for (float partial : partials) {
            sum += partial;
        }
        return sum;
    }
}
