package org.rlcasino.tasks;

/**
 * Host side of the reductions in {@link ReductionKernels}: launches the partials kernel on a
 * backend and folds the partials in block order, in double precision.
 */
public final class Reductions {
    /** Values per partial sum: fixed, so results never depend on the backend's chunking. */
    public static final int BLOCK_SIZE = 4096;

    private final Backend backend;
    private float[] partials = new float[0];

    public Reductions(Backend backend) {
        this.backend = backend;
    }

    /** {@code Σ x[i]²} over {@code i ∈ [0, n)}. */
    public double sumOfSquares(String task, float[] x, int n) {
        checkRange(x.length, n);
        int blocks = blocks(n);
        float[] out = partials(blocks);
        backend.run(task, blocks, (offset, count) ->
                ReductionKernels.sumOfSquaresPartials(out, x, n, BLOCK_SIZE, offset, count));
        return fold(out, blocks);
    }

    /** {@code Σ x[indices[j]]²} over {@code j ∈ [0, n)}. */
    public double gatheredSumOfSquares(String task, float[] x, int[] indices, int n) {
        checkRange(indices.length, n);
        int blocks = blocks(n);
        float[] out = partials(blocks);
        backend.run(task, blocks, (offset, count) ->
                ReductionKernels.gatheredSumOfSquaresPartials(out, x, indices, n, BLOCK_SIZE, offset, count));
        return fold(out, blocks);
    }

    private static void checkRange(int length, int n) {
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("reduction over " + n + " values of an array of length " + length);
        }
    }

    private static int blocks(int n) {
        return (n + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    private float[] partials(int blocks) {
        if (partials.length < blocks) {
            partials = new float[blocks];
        }
        return partials;
    }

    private static double fold(float[] partials, int blocks) {
        double sum = 0;
        for (int b = 0; b < blocks; b++) {
            sum += partials[b];
        }
        return sum;
    }
}
