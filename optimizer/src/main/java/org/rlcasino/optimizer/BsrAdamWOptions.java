package org.rlcasino.optimizer;

import org.rlcasino.io.arrow.BlockShape;

/**
 * How {@link BsrAdamW} treats tensors and runs its kernels.
 *
 * @param unmaskedTensors what happens to a tensor the mask does not name
 * @param indexing        element-indexed (gather/scatter) or block-indexed (row segments of a BSR layout)
 * @param blockShape      block shape of the BSR layout used by block indexing
 * @param jvmFastPath     on the JVM backend, use the Vector API versions of the sparse kernels
 *                        (bit-identical results); ignored on other backends
 */
public record BsrAdamWOptions(UnmaskedTensors unmaskedTensors, Indexing indexing, BlockShape blockShape,
                              boolean jvmFastPath) {
    /** Frozen unmasked tensors, automatic indexing, 16×16 blocks, JVM fast path on. */
    public static final BsrAdamWOptions DEFAULTS =
            new BsrAdamWOptions(UnmaskedTensors.FROZEN, Indexing.AUTO, BlockShape.DEFAULT, true);

    public BsrAdamWOptions {
        if (unmaskedTensors == null || indexing == null || blockShape == null) {
            throw new IllegalArgumentException("unmaskedTensors, indexing and blockShape must not be null");
        }
    }

    public BsrAdamWOptions withUnmaskedTensors(UnmaskedTensors value) {
        return new BsrAdamWOptions(value, indexing, blockShape, jvmFastPath);
    }

    public BsrAdamWOptions withIndexing(Indexing value) {
        return new BsrAdamWOptions(unmaskedTensors, value, blockShape, jvmFastPath);
    }

    public BsrAdamWOptions withBlockShape(BlockShape value) {
        return new BsrAdamWOptions(unmaskedTensors, indexing, value, jvmFastPath);
    }

    public BsrAdamWOptions withJvmFastPath(boolean value) {
        return new BsrAdamWOptions(unmaskedTensors, indexing, blockShape, value);
    }

    /** Treatment of a tensor that has no entry in the mask (a tensor with an empty index list is frozen). */
    public enum UnmaskedTensors {
        /** Never updated: no decay, no state. */
        FROZEN,
        /** Updated entirely, as if its mask listed every entry. */
        DENSE
    }

    /** Which sparse kernel runs. Both give bit-identical parameters and the same state layout. */
    public enum Indexing {
        /** {@code sparseAdamW}: one gather/scatter per active entry. Best for scattered masks. */
        ELEMENT,
        /** {@code blockSparseAdamW}: contiguous row segments of the BSR layout. Best for block masks. */
        BLOCK,
        /** BLOCK when row segments average at least {@link BsrAdamW#AUTO_MIN_MEAN_RUN} entries, else ELEMENT. */
        AUTO
    }
}
