package org.rlcasino.optimizer;

/**
 * Hyperparameters of AdamW, with {@code torch.optim.AdamW}'s meaning and defaults
 * ({@link #defaults()}: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2).
 *
 * @param lr             base learning rate, finite and {@code >= 0}
 * @param beta1          first-moment decay, in {@code [0, 1)}
 * @param beta2          second-moment decay, in {@code [0, 1)}
 * @param eps            denominator epsilon, finite and {@code > 0}
 * @param weightDecay    decoupled weight decay, finite and {@code >= 0}
 * @param epsInsideSqrt  {@code false}: PyTorch's {@code sqrt(v̂) + eps}; {@code true}: the paper's
 *                       Algorithm 2 {@code sqrt(v̂ + eps)}
 * @param maxGradNorm    clip gradients to this global L2 norm (PyTorch's {@code clip_grad_norm_});
 *                       0 turns clipping off
 * @param nonFinite      what to do with a NaN/infinite gradient norm
 * @param schedule       learning-rate factor per step
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay,
                          boolean epsInsideSqrt, double maxGradNorm, NonFinitePolicy nonFinite,
                          LearningRateSchedule schedule) {
    public AdamWConfig {
        requireFiniteAtLeastZero("lr", lr);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps > 0 && Double.isFinite(eps))) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
        requireFiniteAtLeastZero("weightDecay", weightDecay);
        requireFiniteAtLeastZero("maxGradNorm", maxGradNorm);
        if (nonFinite == null) {
            throw new IllegalArgumentException("nonFinite policy must not be null");
        }
        if (schedule == null) {
            throw new IllegalArgumentException("schedule must not be null");
        }
    }

    private static void requireFiniteAtLeastZero(String field, double value) {
        if (!(value >= 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(field + " must be finite and >= 0, got " + value);
        }
    }

    /** PyTorch's defaults, constant schedule, no clipping, failing on non-finite gradients. */
    public static AdamWConfig defaults() {
        return new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, 0.0, NonFinitePolicy.FAIL,
                LearningRateSchedule.constant());
    }

    public AdamWConfig withLr(double value) {
        return new AdamWConfig(value, beta1, beta2, eps, weightDecay, epsInsideSqrt, maxGradNorm, nonFinite, schedule);
    }

    public AdamWConfig withBetas(double b1, double b2) {
        return new AdamWConfig(lr, b1, b2, eps, weightDecay, epsInsideSqrt, maxGradNorm, nonFinite, schedule);
    }

    public AdamWConfig withEps(double value) {
        return new AdamWConfig(lr, beta1, beta2, value, weightDecay, epsInsideSqrt, maxGradNorm, nonFinite, schedule);
    }

    public AdamWConfig withWeightDecay(double value) {
        return new AdamWConfig(lr, beta1, beta2, eps, value, epsInsideSqrt, maxGradNorm, nonFinite, schedule);
    }

    public AdamWConfig withEpsInsideSqrt(boolean value) {
        return new AdamWConfig(lr, beta1, beta2, eps, weightDecay, value, maxGradNorm, nonFinite, schedule);
    }

    public AdamWConfig withMaxGradNorm(double value) {
        return new AdamWConfig(lr, beta1, beta2, eps, weightDecay, epsInsideSqrt, value, nonFinite, schedule);
    }

    public AdamWConfig withNonFinite(NonFinitePolicy value) {
        return new AdamWConfig(lr, beta1, beta2, eps, weightDecay, epsInsideSqrt, maxGradNorm, value, schedule);
    }

    public AdamWConfig withSchedule(LearningRateSchedule value) {
        return new AdamWConfig(lr, beta1, beta2, eps, weightDecay, epsInsideSqrt, maxGradNorm, nonFinite, value);
    }

    /** Whether gradients are clipped by global norm. */
    public boolean clipping() {
        return maxGradNorm > 0;
    }
}
