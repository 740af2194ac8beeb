package org.rlcasino.tasks.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import org.rlcasino.tasks.AdamWKernels;

import static org.rlcasino.tasks.AdamWKernels.H_BC2_SQRT;
import static org.rlcasino.tasks.AdamWKernels.H_BETA1;
import static org.rlcasino.tasks.AdamWKernels.H_BETA2;
import static org.rlcasino.tasks.AdamWKernels.H_DECAY;
import static org.rlcasino.tasks.AdamWKernels.H_EPS;
import static org.rlcasino.tasks.AdamWKernels.H_EPS_INSIDE;
import static org.rlcasino.tasks.AdamWKernels.H_GRAD_SCALE;
import static org.rlcasino.tasks.AdamWKernels.H_ONE_MINUS_BETA1;
import static org.rlcasino.tasks.AdamWKernels.H_ONE_MINUS_BETA2;
import static org.rlcasino.tasks.AdamWKernels.H_STEP_SIZE;

/**
 * JVM-only fast paths of the sparse kernels in {@link AdamWKernels}, written with the Vector API
 * ({@code jdk.incubator.vector}). C2 does not auto-vectorise a loop that indexes p with one offset
 * and the compact state with another, nor a gather; these do it explicitly. Each performs the same
 * IEEE operations in the same order as the reference kernel, so results are bit-identical; the
 * reference kernels stay the specification they are tested against, and the TornadoVM backend
 * never uses this class. Signatures match the reference kernels so either binds to a backend launch.
 */
public final class VectorAdamWKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    private VectorAdamWKernels() {}

    /** Lanes per vector on this machine (8 with AVX2, 16 with AVX-512). */
    public static int lanes() {
        return LANES;
    }

    /** Same contract as {@link AdamWKernels#blockSparseAdamW}. */
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
        for (int k = 0; k < count; k++) {
            int r = offset + k;
            int pBase = runStart[r];
            int sBase = runState[r];
            int length = runLength[r];
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
    }

    /** Same contract as {@link AdamWKernels#sparseAdamW}: gathers p and g, scatters p. */
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
        int k = 0;
        if (I.length() == LANES) {
            for (; k <= count - LANES; k += LANES) {
                int j = offset + k;
                FloatVector gi = FloatVector.fromArray(F, g, 0, indices, j).mul(gradScale);
                FloatVector pi = FloatVector.fromArray(F, p, 0, indices, j).mul(decay);
                FloatVector mi = FloatVector.fromArray(F, m, j).mul(beta1).add(gi.mul(oneMinusBeta1));
                FloatVector vi = FloatVector.fromArray(F, v, j).mul(beta2).add(gi.mul(oneMinusBeta2).mul(gi));
                FloatVector denom = vi.add(epsInside).sqrt().div(bc2Sqrt).add(eps);
                mi.intoArray(m, j);
                vi.intoArray(v, j);
                pi.sub(mi.div(denom).mul(stepSize)).intoArray(p, 0, indices, j);
            }
        }
        if (k < count) {
            AdamWKernels.sparseAdamW(p, m, v, g, indices, hyper, offset + k, count - k);
        }
    }
}
