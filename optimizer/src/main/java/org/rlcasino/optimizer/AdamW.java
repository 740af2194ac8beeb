package org.rlcasino.optimizer;

import org.rlcasino.kernels.AdamWKernels;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.ParameterLayout;

/**
 * Dense AdamW with exactly the update of {@code torch.optim.AdamW}
 * (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html): one fused pass of
 * {@link AdamWKernels#adamW} over the whole flat buffer per step. State: m and v, 8 bytes per parameter.
 */
public final class AdamW extends AbstractAdamW {
    private final float[] m;
    private final float[] v;

    public AdamW(AdamWConfig config, ParameterLayout layout, Backend backend) {
        super(config, layout, backend);
        this.m = new float[layout.totalSize()];
        this.v = new float[layout.totalSize()];
    }

    @Override
    String kind() {
        return "adamw";
    }

    @Override
    double gradientSumOfSquares(float[] grads) {
        return reductions.sumOfSquares("optimizer.grad_norm", grads, grads.length);
    }

    @Override
    void prepareGradientSumOfSquares(float[] grads) {
        reductions.prepareSumOfSquares("optimizer.grad_norm", grads, grads.length);
    }

    @Override
    KernelCall updateCall(float[] params, float[] grads) {
        return KernelCall.builder("optimizer.adamw", Kernel.ADAMW)
                .state(params).state(m).state(v).input(grads).input(hyper)
                .over(params.length);
    }

    @Override
    long activeSetDigest() {
        return 0;
    }

    @Override
    float[] firstMoments() {
        return m;
    }

    @Override
    float[] secondMoments() {
        return v;
    }

    @Override
    public long stateBytes() {
        return 8L * m.length;
    }
}
