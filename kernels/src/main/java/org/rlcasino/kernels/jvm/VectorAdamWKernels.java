package org.rlcasino.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.rlcasino.kernels.AdamWKernels;

import static org.rlcasino.kernels.AdamWKernels.H_BC2_SQRT;
import static org.rlcasino.kernels.AdamWKernels.H_BETA1;
import static org.rlcasino.kernels.AdamWKernels.H_BETA2;
import static org.rlcasino.kernels.AdamWKernels.H_DECAY;
import static org.rlcasino.kernels.AdamWKernels.H_EPS;
import static org.rlcasino.kernels.AdamWKernels.H_EPS_INSIDE;
import static org.rlcasino.kernels.AdamWKernels.H_GRAD_SCALE;
import static org.rlcasino.kernels.AdamWKernels.H_ONE_MINUS_BETA1;
import static org.rlcasino.kernels.AdamWKernels.H_ONE_MINUS_BETA2;
import static org.rlcasino.kernels.AdamWKernels.H_STEP_SIZE;

/**
 * JVM-only fast paths of the sparse kernels in {@link AdamWKernels}, written with the Vector API
 * ({@code jdk.incubator.vector}). C2 does not auto-vectorise a loop that indexes p with one offset
 * and the compact state with another, nor a gather; these do it explicitly. Each performs the same
 * IEEE operations in the same order as the reference kernel, so results are bit-identical; the
 * reference kernels stay the specification they are tested against, and the TornadoVM backend
 * never uses this class. Signatures match the reference kernels so either binds to a backend launch.
 *
 * <p>Sparse updates are bound by memory latency, not bandwidth: each run (or entry) sits on cache
 * lines no prefetcher predicts. Both kernels therefore work in batches whose loads are issued
 * together first, so that many misses are in flight at once, and compute afterwards.
 */
public final class VectorAdamWKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final int FLOATS_PER_LINE = 16;
    /** Runs whose cache lines are requested together before they are updated. */
    private static final int RUN_BATCH = 64;
    /** Active entries gathered, updated and scattered together. */
    private static final int ELEMENT_BATCH = 256;
    /** Receives the sum of the touching loads, so the JIT cannot drop them. */
    @SuppressWarnings("unused")
    private static volatile float sink;

    private VectorAdamWKernels() {}

    /** Lanes per vector on this machine (8 with AVX2, 16 with AVX-512). */
    public static int lanes() {
        return LANES;
    }

    /** Same contract as {@link AdamWKernels#blockSparseAdamW}. */
    public static void blockSparseAdamW(float[] p, float[] m, float[] v, float[] g,
                                        int[] runStart, int[] runState, int[] runLength, float[] hyper,
                                        int offset, int count) {
        float touched = 0f;
        for (int k0 = 0; k0 < count; k0 += RUN_BATCH) {
            int k1 = Math.min(count, k0 + RUN_BATCH);
            // Phase 1: load one value from every cache line of p and g the batch's runs cover. These
            // loads are independent, so their misses overlap; run by run they would arrive one
            // after the other behind the long sqrt/div chains of the update.
            for (int k = k0; k < k1; k++) {
                int r = offset + k;
                int first = runStart[r];
                int last = first + runLength[r] - 1;
                for (int i = first; i < last; i += FLOATS_PER_LINE) {
                    touched += p[i] + g[i];
                }
                touched += p[last] + g[last];
            }
            // Phase 2: update the runs, now in cache.
            for (int k = k0; k < k1; k++) {
                int r = offset + k;
                updateRun(p, m, v, g, runStart[r], runState[r], runLength[r], hyper);
            }
        }
        sink = touched;
    }

    /** Updates {@code p[pBase, pBase+length)} with state {@code m, v[sBase, sBase+length)}, in vectors. */
    private static void updateRun(float[] p, float[] m, float[] v, float[] g, int pBase, int sBase, int length,
                                  float[] hyper) {
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
        int z = 0;
        for (; z <= length - LANES; z += LANES) {
            int i = pBase + z;
            int j = sBase + z;
            FloatVector gi = FloatVector.fromArray(F, g, i).mul(gradScale);
            FloatVector pi = FloatVector.fromArray(F, p, i).mul(decay);
            FloatVector mi = FloatVector.fromArray(F, m, j).mul(beta1).add(gi.mul(oneMinusBeta1));
            FloatVector vi = FloatVector.fromArray(F, v, j).mul(beta2).add(gi.mul(oneMinusBeta2).mul(gi));
            FloatVector denom = vi.add(epsInside).sqrt().div(bc2Sqrt).add(eps);
            mi.intoArray(m, j);
            vi.intoArray(v, j);
            pi.sub(mi.div(denom).mul(stepSize)).intoArray(p, i);
        }
        for (; z < length; z++) {
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

    /**
     * Same contract as {@link AdamWKernels#sparseAdamW}. Works in batches: gathers the batch's p and
     * g entries into contiguous buffers (independent loads whose cache misses overlap), updates
     * the buffers with vectors, and scatters p back.
     */
    public static void sparseAdamW(float[] p, float[] m, float[] v, float[] g, int[] indices, float[] hyper,
                                   int offset, int count) {
        float[] bufferP = new float[ELEMENT_BATCH];
        float[] bufferG = new float[ELEMENT_BATCH];
        for (int k0 = 0; k0 < count; k0 += ELEMENT_BATCH) {
            int n = Math.min(ELEMENT_BATCH, count - k0);
            int j0 = offset + k0;
            for (int z = 0; z < n; z++) {
                int i = indices[j0 + z];
                bufferG[z] = g[i];
                bufferP[z] = p[i];
            }
            updateRun(bufferP, m, v, bufferG, 0, j0, n, hyper);
            for (int z = 0; z < n; z++) {
                p[indices[j0 + z]] = bufferP[z];
            }
        }
    }
}
