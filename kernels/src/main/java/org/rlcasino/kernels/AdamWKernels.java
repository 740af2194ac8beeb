package org.rlcasino.kernels;

/**
 * AdamW update kernels, exactly {@code torch.optim.AdamW} (single-tensor path) per element:
 * <pre>
 *   g  = g · gradScale                         (gradient clipping folded in; 1 when off)
 *   p  = p · (1 − lr·wd)                       (decoupled decay on the old weight, first)
 *   m  = β1·m + (1 − β1)·g
 *   v  = β2·v + (1 − β2)·g·g
 *   p  = p − (lr / bc1) · m / (sqrt(v + epsInside) / sqrt(bc2) + eps)
 * </pre>
 * with {@code bc1 = 1 − β1^t}, {@code bc2 = 1 − β2^t} computed on the host. {@code epsInside} is
 * 0 for PyTorch's formula; for the paper's Algorithm 2 variant {@code sqrt(v̂ + eps)} the host puts
 * {@code eps·bc2} there and 0 in {@code eps}, since {@code sqrt(v + eps·bc2)/sqrt(bc2) = sqrt(v/bc2 + eps)}.
 *
 * <p>Every value that changes between launches travels in the {@code hyper} array (layout: the
 * {@code H_*} indices below, {@link #HYPER_LENGTH} floats), because TornadoVM bakes scalar
 * arguments into the compiled kernel. The sparse kernels read and write only the active entries;
 * their optimizer state {@code m, v} is compact (one entry per active parameter, in ascending
 * order of the parameter's flat index).
 *
 * <p>Floating-point operations are written in the same order in every kernel (and in the JVM
 * Vector API fast paths), so all variants give bit-identical parameters. Each kernel spells the
 * element update out on purpose instead of calling a shared element method: the {@code hyper}
 * values are read into locals once before the loop, which a callee could not do (stores to
 * p, m, v may alias {@code hyper} as far as the JIT knows), and C2 vectorises only the flat loop.
 */
public final class AdamWKernels {
    /** {@code 1 − lr·wd}. */
    public static final int H_DECAY = 0;
    /** {@code β1}. */
    public static final int H_BETA1 = 1;
    /** {@code 1 − β1}. */
    public static final int H_ONE_MINUS_BETA1 = 2;
    /** {@code β2}. */
    public static final int H_BETA2 = 3;
    /** {@code 1 − β2}. */
    public static final int H_ONE_MINUS_BETA2 = 4;
    /** {@code lr / bc1}. */
    public static final int H_STEP_SIZE = 5;
    /** {@code sqrt(bc2)}. */
    public static final int H_BC2_SQRT = 6;
    /** eps added to the denominator (PyTorch's place); 0 in the eps-inside-sqrt variant. */
    public static final int H_EPS = 7;
    /** eps·bc2 added under the square root (paper's Algorithm 2 variant); 0 by default. */
    public static final int H_EPS_INSIDE = 8;
    /** Factor applied to every gradient (global-norm clipping); 1 when not clipping. */
    public static final int H_GRAD_SCALE = 9;
    /** Length of the {@code hyper} array. */
    public static final int HYPER_LENGTH = 10;

    private AdamWKernels() {}

    /**
     * Fused dense AdamW step over {@code p[offset .. offset+count)}.
     *
     * @param p     parameters, (N), updated in place
     * @param m     first moments, (N), updated in place
     * @param v     second moments, (N), updated in place
     * @param g     gradients, (N)
     * @param hyper per-launch scalars, ({@link #HYPER_LENGTH})
     */
    public static void adamW(float[] p, float[] m, float[] v, float[] g, float[] hyper, int offset, int count) {
        float decay = hyper[H_DECAY];
        float beta1 = hyper[H_BETA1];
        float oneMinusBeta1 = hyper[H_ONE_MINUS_BETA1];
        float beta2 = hyper[H_BETA2];
        float oneMinusBeta2 = hyper[H_ONE_MINUS_BETA2];
        float stepSize = hyper[H_STEP_SIZE];
        float bc2Sqrt = hyper[H_BC2_SQRT];
        float eps = hyper[H_EPS];
        float epsInside = hyper[H_EPS_INSIDE];
        float gradScale = hyper[H_GRAD_SCALE];
        for (@Parallel int k = 0; k < count; k++) {
            int i = offset + k;
            float gi = g[i] * gradScale;
            float pi = p[i] * decay;
            float mi = beta1 * m[i] + oneMinusBeta1 * gi;
            float vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
            float denom = (float) Math.sqrt(vi + epsInside) / bc2Sqrt + eps;
            m[i] = mi;
            v[i] = vi;
            p[i] = pi - stepSize * (mi / denom);
        }
    }

    /**
     * Indexed sparse AdamW step over the active entries {@code j ∈ [offset, offset+count)}:
     * parameter {@code indices[j]} is updated with compact state {@code m[j], v[j]}.
     * Entries not listed are never read or written.
     *
     * @param p       parameters, (N), active entries updated in place
     * @param m       compact first moments, (nnz)
     * @param v       compact second moments, (nnz)
     * @param g       gradients, (N); only active entries are read
     * @param indices flat indices into p and g of the active entries, (nnz), strictly ascending
     * @param hyper   per-launch scalars, ({@link #HYPER_LENGTH})
     */
    public static void sparseAdamW(float[] p, float[] m, float[] v, float[] g, int[] indices, float[] hyper,
                                   int offset, int count) {
        float decay = hyper[H_DECAY];
        float beta1 = hyper[H_BETA1];
        float oneMinusBeta1 = hyper[H_ONE_MINUS_BETA1];
        float beta2 = hyper[H_BETA2];
        float oneMinusBeta2 = hyper[H_ONE_MINUS_BETA2];
        float stepSize = hyper[H_STEP_SIZE];
        float bc2Sqrt = hyper[H_BC2_SQRT];
        float eps = hyper[H_EPS];
        float epsInside = hyper[H_EPS_INSIDE];
        float gradScale = hyper[H_GRAD_SCALE];
        for (@Parallel int k = 0; k < count; k++) {
            int j = offset + k;
            int i = indices[j];
            float gi = g[i] * gradScale;
            float pi = p[i] * decay;
            float mi = beta1 * m[j] + oneMinusBeta1 * gi;
            float vi = beta2 * v[j] + oneMinusBeta2 * gi * gi;
            float denom = (float) Math.sqrt(vi + epsInside) / bc2Sqrt + eps;
            m[j] = mi;
            v[j] = vi;
            p[i] = pi - stepSize * (mi / denom);
        }
    }

    /**
     * Block-indexed sparse AdamW step over contiguous runs of active entries
     * {@code r ∈ [offset, offset+count)}: run {@code r} covers parameters
     * {@code runStart[r] .. runStart[r]+runLength[r]} and compact state from {@code runState[r]}.
     * Runs come from the row segments of the blocks of a BSR layout; a run's entries are
     * contiguous in both p and the compact state, which is what makes this faster than a gather.
     *
     * @param p         parameters, (N)
     * @param m         compact first moments, (nnz)
     * @param v         compact second moments, (nnz)
     * @param g         gradients, (N)
     * @param runStart  flat index of each run's first parameter, (runs)
     * @param runState  compact-state index of each run's first entry, (runs)
     * @param runLength entries in each run, (runs)
     * @param hyper     per-launch scalars, ({@link #HYPER_LENGTH})
     */
    public static void blockSparseAdamW(float[] p, float[] m, float[] v, float[] g,
                                        int[] runStart, int[] runState, int[] runLength, float[] hyper,
                                        int offset, int count) {
        float decay = hyper[H_DECAY];
        float beta1 = hyper[H_BETA1];
        float oneMinusBeta1 = hyper[H_ONE_MINUS_BETA1];
        float beta2 = hyper[H_BETA2];
        float oneMinusBeta2 = hyper[H_ONE_MINUS_BETA2];
        float stepSize = hyper[H_STEP_SIZE];
        float bc2Sqrt = hyper[H_BC2_SQRT];
        float eps = hyper[H_EPS];
        float epsInside = hyper[H_EPS_INSIDE];
        float gradScale = hyper[H_GRAD_SCALE];
        for (@Parallel int k = 0; k < count; k++) {
            int r = offset + k;
            int pBase = runStart[r];
            int sBase = runState[r];
            int length = runLength[r];
            for (int z = 0; z < length; z++) {
                int i = pBase + z;
                int j = sBase + z;
                float gi = g[i] * gradScale;
                float pi = p[i] * decay;
                float mi = beta1 * m[j] + oneMinusBeta1 * gi;
                float vi = beta2 * v[j] + oneMinusBeta2 * gi * gi;
                float denom = (float) Math.sqrt(vi + epsInside) / bc2Sqrt + eps;
                m[j] = mi;
                v[j] = vi;
                p[i] = pi - stepSize * (mi / denom);
            }
        }
    }
}
