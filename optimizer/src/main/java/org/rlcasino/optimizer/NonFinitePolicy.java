package org.rlcasino.optimizer;

/** What a step does when the gradient norm is NaN or infinite. */
public enum NonFinitePolicy {
    /** Throw {@link NonFiniteGradientException}; parameters and state stay as they were. */
    FAIL,
    /** Leave parameters and state untouched, count the step as skipped, and report it. */
    SKIP_STEP,
    /**
     * Do not look: no norm is computed unless clipping needs it, and non-finite values propagate
     * into the weights. The fastest setting, used by the optimizer benchmark.
     */
    UNCHECKED
}
