package org.rlcasino.optimizer;

import org.rlcasino.kernels.AdamWKernels;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.ProgramLaunch;
import org.rlcasino.kernels.Reductions;

/**
 * What dense and BSR-AdamW share on the host: the schedule, gradient clipping by global norm, the
 * non-finite policy, the step counter, and the per-launch {@code hyper} array of
 * {@link AdamWKernels}. Subclasses say over which entries the norm is taken and which kernels
 * update the parameters.
 */
abstract sealed class AbstractAdamW implements Optimizer permits AdamW, BsrAdamW {
    /** Added to the norm before dividing, as {@code torch.nn.utils.clip_grad_norm_} does. */
    private static final double CLIP_EPS = 1e-6;

    protected final AdamWConfig config;
    protected final ParameterLayout layout;
    protected final Backend backend;
    protected final Reductions reductions;
    protected final float[] hyper = new float[AdamWKernels.HYPER_LENGTH];
    protected long step;
    protected long skippedSteps;
    private ProgramLaunch update;
    private float[] updateParams;
    private float[] updateGrads;

    AbstractAdamW(AdamWConfig config, ParameterLayout layout, Backend backend) {
        if (config == null || layout == null || backend == null) {
            throw new IllegalArgumentException("config, layout and backend must not be null");
        }
        this.config = config;
        this.layout = layout;
        this.backend = backend;
        this.reductions = new Reductions(backend);
    }

    /** Name used in state files and messages. */
    abstract String kind();

    /** Sum of squares of the gradient entries this optimizer updates. */
    abstract double gradientSumOfSquares(float[] grads);

    /** Prepares {@link #gradientSumOfSquares} over {@code grads} without running it. */
    abstract void prepareGradientSumOfSquares(float[] grads);

    /** The update kernel use over these buffers, with {@link #hyper} as its per-launch scalars. */
    abstract KernelCall updateCall(float[] params, float[] grads);

    /** Digest of the active entries (0 when dense). */
    abstract long activeSetDigest();

    abstract float[] firstMoments();

    abstract float[] secondMoments();

    @Override
    public final StepReport step(float[] params, float[] grads) {
        int n = layout.totalSize();
        if (params == null || grads == null) {
            throw new IllegalArgumentException(kind() + ": params and grads must not be null");
        }
        if (params.length != n || grads.length != n) {
            throw new IllegalArgumentException(kind() + ": params has " + params.length + " and grads "
                    + grads.length + " elements, the layout " + n);
        }
        prepare(params, grads); // the norm and update programs together: a device backend compiles them in one plan
        double lr = config.lr() * config.schedule().factor(step);
        boolean needNorm = config.clipping() || config.nonFinite() != NonFinitePolicy.UNCHECKED;
        double norm = needNorm ? Math.sqrt(gradientSumOfSquares(grads)) : Double.NaN;
        if (needNorm && !Double.isFinite(norm) && config.nonFinite() != NonFinitePolicy.UNCHECKED) {
            if (config.nonFinite() == NonFinitePolicy.FAIL) {
                throw new NonFiniteGradientException(kind() + ": gradient norm is " + norm + " at step " + (step + 1)
                        + "; nothing was updated (use nonFinite=SKIP_STEP to skip such steps)");
            }
            skippedSteps++;
            return new StepReport(step, lr, norm, 1.0, true);
        }
        double scale = 1.0;
        if (config.clipping() && Double.isFinite(norm)) {
            scale = Math.min(1.0, config.maxGradNorm() / (norm + CLIP_EPS));
        }
        step++;
        fillHyper(lr, scale);
        update.run();
        return new StepReport(step, lr, norm, scale, false);
    }

    /**
     * Prepares the update program over these buffers now rather than at the first step (a device
     * backend then compiles it with the model's programs). Per step only {@link #hyper} goes in;
     * parameters, gradients and moments stay where the backend keeps them.
     */
    @Override
    public final void prepare(float[] params, float[] grads) {
        if (update == null || updateParams != params || updateGrads != grads) {
            update = backend.prepare(KernelProgram.builder("optimizer.update").call(updateCall(params, grads))
                    .input(hyper).build());
            updateParams = params;
            updateGrads = grads;
            prepareNorm(grads);
        }
    }

    private void prepareNorm(float[] grads) {
        if (config.clipping() || config.nonFinite() != NonFinitePolicy.UNCHECKED) {
            prepareGradientSumOfSquares(grads);
        }
    }

    /** Host-side scalars of step {@link #step}, computed in double and rounded once, as PyTorch does. */
    private void fillHyper(double lr, double gradScale) {
        double bc1 = 1.0 - Math.pow(config.beta1(), step);
        double bc2 = 1.0 - Math.pow(config.beta2(), step);
        hyper[AdamWKernels.H_DECAY] = (float) (1.0 - lr * config.weightDecay());
        hyper[AdamWKernels.H_BETA1] = (float) config.beta1();
        hyper[AdamWKernels.H_ONE_MINUS_BETA1] = (float) (1.0 - config.beta1());
        hyper[AdamWKernels.H_BETA2] = (float) config.beta2();
        hyper[AdamWKernels.H_ONE_MINUS_BETA2] = (float) (1.0 - config.beta2());
        hyper[AdamWKernels.H_STEP_SIZE] = (float) (lr / bc1);
        hyper[AdamWKernels.H_BC2_SQRT] = (float) Math.sqrt(bc2);
        hyper[AdamWKernels.H_EPS] = config.epsInsideSqrt() ? 0f : (float) config.eps();
        hyper[AdamWKernels.H_EPS_INSIDE] = config.epsInsideSqrt() ? (float) (config.eps() * bc2) : 0f;
        hyper[AdamWKernels.H_GRAD_SCALE] = (float) gradScale;
    }

    @Override
    public final ParameterLayout layout() {
        return layout;
    }

    @Override
    public final long stepCount() {
        return step;
    }

    /** Steps skipped for non-finite gradients. */
    public final long skippedSteps() {
        return skippedSteps;
    }

    /** The hyperparameters. */
    public final AdamWConfig config() {
        return config;
    }

    @Override
    public final void syncToHost() {
        if (updateParams != null) {
            backend.syncToHost(updateParams);
        }
        backend.syncToHost(firstMoments());
        backend.syncToHost(secondMoments());
    }

    @Override
    public final void close() {
        if (update != null) {
            syncToHost();
            backend.release(update);
            update = null;
            updateParams = null;
            updateGrads = null;
        }
        reductions.release();
    }

    @Override
    public final OptimizerState exportState() {
        syncToHost();
        return new OptimizerState(kind(), step, skippedSteps, activeSetDigest(),
                firstMoments().clone(), secondMoments().clone());
    }

    @Override
    public final void restoreState(OptimizerState state) {
        if (!kind().equals(state.optimizer())) {
            throw new IllegalArgumentException("state is for optimizer '" + state.optimizer() + "', not '" + kind() + "'");
        }
        float[] m = firstMoments();
        if (state.m().length != m.length) {
            throw new IllegalArgumentException(kind() + ": state has " + state.m().length
                    + " moments, this optimizer " + m.length + " (different layout or mask)");
        }
        if (state.activeSetDigest() != activeSetDigest()) {
            throw new IllegalArgumentException(kind() + ": state was saved with another mask (digest "
                    + Long.toHexString(state.activeSetDigest()) + ", this optimizer "
                    + Long.toHexString(activeSetDigest()) + ")");
        }
        System.arraycopy(state.m(), 0, m, 0, m.length);
        System.arraycopy(state.v(), 0, secondMoments(), 0, m.length);
        backend.syncToDevice(m);
        backend.syncToDevice(secondMoments());
        step = state.step();
        skippedSteps = state.skippedSteps();
    }
}
