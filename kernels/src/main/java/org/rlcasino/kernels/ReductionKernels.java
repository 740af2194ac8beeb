package org.rlcasino.kernels;

/**
 * Reductions written as per-block partials: the parallel loop runs over blocks of a fixed size,
 * each block is summed by a plain loop, and the host folds the partials in block order (see
 * {@link Reductions}). The block size is chosen by the caller, never by the backend, so results
 * do not depend on thread count or chunking.
 */
public final class ReductionKernels {
    private ReductionKernels() {}

    /**
     * {@code partials[b] = Σ x[i]²} over {@code i ∈ [b·blockSize, min((b+1)·blockSize, n))}, for blocks
     * {@code b ∈ [offset, offset+count)}. Four interleaved accumulators ({@code i mod 4}), added as
     * {@code (s0 + s1) + (s2 + s3)}, keep the dependency chain short.
     *
     * @param partials one sum per block, (ceil(n / blockSize))
     * @param x        values, (≥ n)
     * @param n        number of values reduced
     */
    public static void sumOfSquaresPartials(float[] partials, float[] x, int n, int blockSize, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int b = offset + k;
            int lo = b * blockSize;
            int hi = Math.min(lo + blockSize, n);
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            int i = lo;
            for (; i + 3 < hi; i += 4) {
                float x0 = x[i];
                float x1 = x[i + 1];
                float x2 = x[i + 2];
                float x3 = x[i + 3];
                s0 += x0 * x0;
                s1 += x1 * x1;
                s2 += x2 * x2;
                s3 += x3 * x3;
            }
            for (; i < hi; i++) {
                float xi = x[i];
                s0 += xi * xi;
            }
            partials[b] = (s0 + s1) + (s2 + s3);
        }
    }

    /**
     * {@code partials[b] = Σ x[indices[j]]²} over {@code j ∈ [b·blockSize, min((b+1)·blockSize, n))}:
     * the sum of squares of the gathered (active) entries, for blocks {@code b ∈ [offset, offset+count)},
     * accumulated exactly as {@link #sumOfSquaresPartials} does, so that {@code indices[j] = j} gives
     * the same bits.
     *
     * @param partials one sum per block, (ceil(n / blockSize))
     * @param x        values, (N)
     * @param indices  flat indices into x, (≥ n)
     * @param n        number of indices reduced
     */
    public static void gatheredSumOfSquaresPartials(float[] partials, float[] x, int[] indices, int n, int blockSize,
                                                    int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int b = offset + k;
            int lo = b * blockSize;
            int hi = Math.min(lo + blockSize, n);
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            int j = lo;
            for (; j + 3 < hi; j += 4) {
                float x0 = x[indices[j]];
                float x1 = x[indices[j + 1]];
                float x2 = x[indices[j + 2]];
                float x3 = x[indices[j + 3]];
                s0 += x0 * x0;
                s1 += x1 * x1;
                s2 += x2 * x2;
                s3 += x3 * x3;
            }
            for (; j < hi; j++) {
                float xj = x[indices[j]];
                s0 += xj * xj;
            }
            partials[b] = (s0 + s1) + (s2 + s3);
        }
    }
}
