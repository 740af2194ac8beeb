package org.rlcasino.train.model;

import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.jvm.VectorActivationKernels;

/**
 * The one place where the model and the generator build their GELU {@link KernelCall}s, with the
 * Vector API fast paths, which hold a tolerance contract ({@link VectorActivationKernels#GELU_TOLERANCE})
 * rather than bit-identity, so that the forward pass and the generator's decode step compute the
 * same function.
 */
final class ActivationCalls {
    private ActivationCalls() {}

    /** {@code out = gelu(x)} over n elements. */
    static KernelCall geluForward(String task, float[] out, float[] x, int n) {
        return KernelCall.builder(task, Kernel.GELU_FORWARD).output(out).input(x)
                .jvmFastPathWithinTolerance((offset, count) -> VectorActivationKernels.geluForward(out, x, offset, count))
                .over(n);
    }

    /** {@code d = d·gelu'(x)} over n elements. */
    static KernelCall geluBackwardInPlace(String task, float[] d, float[] x, int n) {
        return KernelCall.builder(task, Kernel.GELU_BACKWARD_IN_PLACE).state(d).input(x)
                .jvmFastPathWithinTolerance((offset, count) -> VectorActivationKernels.geluBackwardInPlace(d, x, offset,
                        count))
                .over(n);
    }
}
