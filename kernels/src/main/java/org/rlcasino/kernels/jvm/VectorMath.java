package org.rlcasino.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Transcendental functions on Vector API lanes built only from IEEE add, multiply and bit
 * operations, so that a result never depends on whether the JIT has compiled the calling code.
 * (The Vector API's own {@link VectorOperators#EXP} gives the JDK's vector math library's result
 * once C2 has compiled the caller but a scalar library's result before, and the two differ in the
 * last bit for a few inputs in ten thousand; a kernel using it would give run-to-run different
 * bits.)
 */
public final class VectorMath {
    /** Inputs are clamped to [EXP_MIN, EXP_MAX]: exp stays a normal float, 0 and ∞ are not reached. */
    private static final float EXP_MAX = 88.0f;
    private static final float EXP_MIN = -87.0f;
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that n·LN2_HI is exact for the n that occur (Cody and Waite). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer (to nearest, ties to even). */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** Minimax coefficients of (exp(r) − 1 − r)/r² on |r| ≤ ln2/2 (as in Cephes' expf). */
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private VectorMath() {}

    /**
     * {@code exp(x)} per lane, within 2 ulp of {@link Math#exp} for x in [−87, 88]; inputs beyond
     * are clamped to that interval (results ≈ 1.6·10⁻³⁸ and 1.7·10³⁸ instead of underflow and
     * overflow); NaN gives NaN. exp(x) = 2ⁿ·exp(r) with n = round(x/ln 2), r = x − n·ln 2.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector v = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector shifted = v.mul(LOG2E).add(ROUNDER);
        FloatVector n = shifted.sub(ROUNDER);
        FloatVector r = v.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector r2 = r.mul(r);
        FloatVector p = r.mul(P0).add(P1).mul(r).add(P2).mul(r).add(P3).mul(r).add(P4).mul(r).add(P5);
        FloatVector e = p.mul(r2).add(r).add(1f);
        IntVector exponent = ((IntVector) shifted.reinterpretAsInts()).sub(ROUNDER_BITS).add(127)
                .lanewise(VectorOperators.LSHL, 23);
        return e.mul((FloatVector) exponent.reinterpretAsFloats());
    }
}
