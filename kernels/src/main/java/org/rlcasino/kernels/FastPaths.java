package org.rlcasino.kernels;

/**
 * Which JVM fast paths a {@link JvmBackend} runs in place of the reference kernels. A fast path is
 * a JVM-only version of a kernel (Vector API, blocked loops) attached to a {@link KernelCall}; it
 * is either <em>exact</em> (bit-identical to the reference kernel for any range split) or
 * <em>within tolerance</em> (its class states a bound on the difference, e.g. a polynomial
 * {@code exp}, and tests hold it to that bound). Either kind gives the same bits for any thread
 * count and chunk size. The TornadoVM backend always compiles the reference kernels.
 */
public enum FastPaths {
    /** The reference kernels only (the slowest; what TornadoVM compiles). */
    NONE,
    /** Only the exact fast paths: results bit-identical to {@link #NONE}. */
    EXACT,
    /** Every fast path, exact or within tolerance: the fastest, and the default. */
    ALL;

    /** Whether a fast path of the given kind runs under this choice. */
    public boolean allows(boolean exact) {
        return this == ALL || this == EXACT && exact;
    }
}
