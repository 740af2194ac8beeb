package org.rlcasino.kernels;

/**
 * A {@link KernelCall} prepared by a backend: the JVM backend binds it to its thread pool, the
 * TornadoVM backend to a compiled task graph whose STATE and CONSTANT arrays stay on the device.
 * Prepare once, launch every step.
 */
public interface KernelLaunch {

    /** The call this launch runs. */
    KernelCall call();

    /**
     * Runs the kernel over the whole range; returns when it has finished and its OUTPUT arrays are
     * on the host (STATE arrays stay where the backend keeps them: see {@link Backend#syncToHost}).
     */
    void launch();
}
