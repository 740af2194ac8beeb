package org.rlcasino.io.config;

import java.util.Locale;

/**
 * AdamW hyperparameters as they appear in a run-config; defaults are {@code torch.optim.AdamW}'s.
 * The optimizer module turns them into its own validated config.
 *
 * @param lr            learning rate, finite and {@code >= 0} (default 1e-3)
 * @param beta1         in {@code [0, 1)} (default 0.9)
 * @param beta2         in {@code [0, 1)} (default 0.999)
 * @param eps           {@code > 0} (default 1e-8)
 * @param weightDecay   {@code >= 0} (default 0.01)
 * @param epsInsideSqrt paper's Algorithm 2 denominator (default false)
 * @param maxGradNorm   global-norm clipping, 0 = off (default 0)
 * @param nonFinite     {@code fail} (default), {@code skip-step} or {@code unchecked}
 * @param schedule      learning-rate schedule (default constant)
 */
public record OptimizerSection(Double lr, Double beta1, Double beta2, Double eps, Double weightDecay,
                               Boolean epsInsideSqrt, Double maxGradNorm, String nonFinite, ScheduleSection schedule) {
    static final OptimizerSection DEFAULTS = new OptimizerSection(null, null, null, null, null, null, null, null, null);

    public OptimizerSection {
        lr = finiteAtLeastZero("lr", lr, 1e-3);
        beta1 = beta("beta1", beta1, 0.9);
        beta2 = beta("beta2", beta2, 0.999);
        eps = eps == null ? 1e-8 : eps;
        if (!(eps > 0 && Double.isFinite(eps))) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
        weightDecay = finiteAtLeastZero("weightDecay", weightDecay, 0.01);
        epsInsideSqrt = epsInsideSqrt != null && epsInsideSqrt;
        maxGradNorm = finiteAtLeastZero("maxGradNorm", maxGradNorm, 0.0);
        nonFinite = nonFinite == null ? "fail" : nonFinite.toLowerCase(Locale.ROOT);
        if (!nonFinite.equals("fail") && !nonFinite.equals("skip-step") && !nonFinite.equals("unchecked")) {
            throw new IllegalArgumentException("nonFinite must be 'fail', 'skip-step' or 'unchecked', got '" + nonFinite + "'");
        }
        schedule = schedule == null ? ScheduleSection.CONSTANT : schedule;
    }

    private static double finiteAtLeastZero(String field, Double value, double fallback) {
        double v = value == null ? fallback : value;
        if (!(v >= 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException(field + " must be finite and >= 0, got " + v);
        }
        return v;
    }

    private static double beta(String field, Double value, double fallback) {
        double v = value == null ? fallback : value;
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(field + " must be in [0, 1), got " + v);
        }
        return v;
    }
}
