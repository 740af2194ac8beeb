package org.rlcasino.kernels;

/**
 * One kernel use bound to its arguments: runs the kernel's parallel loop over {@code count}
 * iterations starting at {@code offset}. Typically a lambda such as
 * {@code (offset, count) -> AdamWKernels.adamW(p, m, v, g, hyper, offset, count)}.
 */
@FunctionalInterface
public interface RangeKernel {
    void run(int offset, int count);
}
