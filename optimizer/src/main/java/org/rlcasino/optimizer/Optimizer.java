package org.rlcasino.optimizer;

import org.rlcasino.kernels.ParameterLayout;

/** An optimizer over one flat parameter buffer and its gradient buffer, both laid out by {@link #layout()}. */
public interface Optimizer {

    /** Applies one update to {@code params} from {@code grads}; both have {@code layout().totalSize()} elements. */
    StepReport step(float[] params, float[] grads);

    /**
     * Prepares the update (and gradient-norm) programs over these buffers before the first step, so
     * that a device backend compiles them with the model's; {@link #step} does it otherwise.
     */
    void prepare(float[] params, float[] grads);

    /** The parameter layout the optimizer was built for. */
    ParameterLayout layout();

    /** Steps applied so far. */
    long stepCount();

    /** Bytes of optimizer state held (moments and index structures). */
    long stateBytes();

    /**
     * Brings the host copies of the parameters last stepped and of the state up to date. On a
     * device backend they live on the device between steps; call this before reading them.
     */
    void syncToHost();

    /** A copy of the state, for checkpoints (synchronised from the device first). */
    OptimizerState exportState();

    /** Releases what the optimizer prepared on its backend (its programs; on a device, their memory). */
    default void close() {
        // nothing prepared
    }

    /** Replaces the state with {@code state}, which must come from an optimizer of the same kind and shape. */
    void restoreState(OptimizerState state);
}
