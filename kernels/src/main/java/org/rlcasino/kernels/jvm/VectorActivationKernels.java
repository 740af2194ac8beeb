package org.rlcasino.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.rlcasino.kernels.ActivationKernels;

import static org.rlcasino.kernels.ActivationKernels.GELU_CUBIC;
import static org.rlcasino.kernels.ActivationKernels.GELU_SCALE;

/**
 * JVM-only fast paths of the GELU kernels of {@link ActivationKernels}, written with the Vector
 * API: the same formula in the same operation order, but {@code exp} is {@link VectorMath#exp}
 * (a polynomial, within 2 ulp of {@link Math#exp}), so these fast paths are <em>not</em>
 * bit-identical to their reference kernels: they hold the tolerance contract
 * {@link #GELU_TOLERANCE}. Every element, including a
 * range's last partial vector (masked), goes through the same vector code, so results still do not
 * depend on how a launch is split into chunks. The TornadoVM backend never uses this class.
 */
public final class VectorActivationKernels {
    /**
     * The tolerance contract of these fast paths: for every input x, the fast path's value and the
     * reference kernel's differ by at most {@code GELU_TOLERANCE·(1 + |x|)} for {@code gelu(x)}
     * and by at most {@code GELU_TOLERANCE·(1 + |x|)·|dy|} for {@code dy·gelu'(x)} (both values
     * are O(1 + |x|)); tested over a dense sweep of inputs and over random ones.
     */
    public static final float GELU_TOLERANCE = 1e-6f;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    private VectorActivationKernels() {}

    /** {@code gelu(v)} for the lanes of v, the reference's formula. */
    private static FloatVector gelu(FloatVector v) {
        FloatVector u = v.mul(GELU_CUBIC).mul(v).mul(v).add(v).mul(GELU_SCALE);
        FloatVector th = tanh(u);
        return v.mul(0.5f).mul(th.add(1f));
    }

    /** {@code tanh(u) = 1 − 2/(exp(2u) + 1)}, as the reference. */
    private static FloatVector tanh(FloatVector u) {
        FloatVector e = VectorMath.exp(u.mul(2f)).add(1f);
        return FloatVector.broadcast(F, 2f).div(e).neg().add(1f);
    }

    /** {@code gelu'(v)} for the lanes of v, the reference's formula. */
    private static FloatVector derivative(FloatVector v) {
        FloatVector u = v.mul(GELU_CUBIC).mul(v).mul(v).add(v).mul(GELU_SCALE);
        FloatVector th = tanh(u);
        FloatVector sech2 = th.mul(th).neg().add(1f);
        FloatVector poly = v.mul(3f * GELU_CUBIC).mul(v).add(1f);
        return th.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(GELU_SCALE).mul(poly));
    }

    /** Same contract as {@link ActivationKernels#geluForward}, within {@link #GELU_TOLERANCE}. */
    public static void geluForward(float[] out, float[] x, int offset, int count) {
        int end = offset + count;
        int i = offset;
        for (; i + LANES <= end; i += LANES) {
            gelu(FloatVector.fromArray(F, x, i)).intoArray(out, i);
        }
        if (i < end) {
            VectorMask<Float> m = F.indexInRange(i, end);
            gelu(FloatVector.fromArray(F, x, i, m)).intoArray(out, i, m);
        }
    }

    /** Same contract as {@link ActivationKernels#geluBackward}, within {@link #GELU_TOLERANCE}. */
    public static void geluBackward(float[] dx, float[] x, float[] dy, int offset, int count) {
        int end = offset + count;
        int i = offset;
        for (; i + LANES <= end; i += LANES) {
            FloatVector.fromArray(F, dy, i).mul(derivative(FloatVector.fromArray(F, x, i))).intoArray(dx, i);
        }
        if (i < end) {
            VectorMask<Float> m = F.indexInRange(i, end);
            FloatVector.fromArray(F, dy, i, m).mul(derivative(FloatVector.fromArray(F, x, i, m))).intoArray(dx, i, m);
        }
    }

    /** Same contract as {@link ActivationKernels#geluBackwardInPlace}, within {@link #GELU_TOLERANCE}. */
    public static void geluBackwardInPlace(float[] d, float[] x, int offset, int count) {
        geluBackward(d, x, d, offset, count);
    }
}
