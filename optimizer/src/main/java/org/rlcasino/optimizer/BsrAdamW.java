package org.rlcasino.optimizer;

import java.util.Map;
import java.util.TreeSet;

import org.rlcasino.optimizer.BsrAdamWOptions.Indexing;
import org.rlcasino.optimizer.BsrAdamWOptions.UnmaskedTensors;
import org.rlcasino.io.arrow.MaskBlocks;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.kernels.jvm.VectorAdamWKernels;

/**
 * BSR-AdamW: the AdamW update of {@code torch.optim.AdamW} applied only to the active entries of
 * each tensor. Inactive entries are never read or written (no decay, no moments), and the state is
 * compact: m and v hold one float per active entry, tensors in layout order, entries in ascending
 * flat order. Clipping by global norm and the non-finite check look at the active entries only,
 * as the paper's reference code does.
 *
 * <p>The mask maps tensor names to strictly ascending flat indices within the tensor. The update
 * runs element-indexed (gather/scatter) or block-indexed (row segments of each tensor's
 * {@link BsrLayout}); both produce the same bits.
 */
public final class BsrAdamW extends AbstractAdamW {
    /** Mean row-segment length from which {@link Indexing#AUTO} picks block indexing. */
    public static final double AUTO_MIN_MEAN_RUN = 4.0;
    /** Longest row segment one kernel iteration handles, to keep the parallel loop balanced. */
    static final int MAX_RUN_LENGTH = 1024;

    private final BsrAdamWOptions options;
    private final Indexing indexing;
    private final int[] indices;
    private final int[] runStart;
    private final int[] runState;
    private final int[] runLength;
    private final float[] m;
    private final float[] v;
    private final long digest;

    /**
     * @param mask tensor name → strictly ascending flat indices of its active entries; every name
     *             must be a tensor of {@code layout}
     */
    public BsrAdamW(AdamWConfig config, ParameterLayout layout, Map<String, int[]> mask, BsrAdamWOptions options,
                    Backend backend) {
        this(config, layout, mask, Map.of(), options, backend);
    }

    /**
     * @param mask       tensor name → strictly ascending flat indices of its active entries; every
     *                   name must be a tensor of {@code layout}
     * @param structures the block structure of some masked tensors as a mask file stores it (used
     *                   as it is, in its own block shape); the others are laid out in
     *                   {@code options.blockShape()} blocks
     */
    public BsrAdamW(AdamWConfig config, ParameterLayout layout, Map<String, int[]> mask, Map<String, MaskBlocks> structures,
                    BsrAdamWOptions options, Backend backend) {
        super(config, layout, backend);
        if (structures == null) {
            throw new IllegalArgumentException("structures must not be null (Map.of() for none)");
        }
        if (mask == null || options == null) {
            throw new IllegalArgumentException("mask and options must not be null");
        }
        for (String name : new TreeSet<>(mask.keySet())) {
            if (!layout.contains(name)) {
                throw new IllegalArgumentException("mask names tensor '" + name + "', which is not in the layout");
            }
            if (mask.get(name) == null) {
                // otherwise it would silently count as unmasked (and be updated entirely under DENSE)
                throw new IllegalArgumentException("tensor " + name + ": mask indices must not be null"
                        + " (leave the tensor out of the mask, or give an empty array to freeze it)");
            }
        }
        this.options = options;
        long total = 0;
        for (TensorView t : layout.tensors()) {
            int[] active = mask.get(t.name());
            if (active != null) {
                BsrLayout.checkMaskIndices(t.name(), active, t.size());
                total += active.length;
            } else if (options.unmaskedTensors() == UnmaskedTensors.DENSE) {
                total += t.size();
            }
        }
        this.indices = new int[Math.toIntExact(total)];
        RunList runs = options.indexing() == Indexing.ELEMENT ? null : new RunList(MAX_RUN_LENGTH);
        int next = 0;
        long hash = 0xcbf29ce484222325L;
        for (TensorView t : layout.tensors()) {
            int[] active = mask.get(t.name());
            if (active == null && options.unmaskedTensors() == UnmaskedTensors.DENSE) {
                active = new int[t.size()];
                for (int i = 0; i < active.length; i++) {
                    active[i] = i;
                }
            }
            if (active == null) {
                continue;
            }
            for (int local : active) {
                int global = t.offset() + local;
                indices[next++] = global;
                hash = (hash ^ global) * 0x100000001b3L;
            }
            if (runs != null && active.length > 0) {
                MaskBlocks stored = structures.get(t.name());
                (stored != null ? BsrLayout.fromBlocks(t.name(), t.rows(), t.columns(), stored, active)
                        : BsrLayout.fromMask(t.name(), t.rows(), t.columns(), options.blockShape(), active))
                        .appendRowSegments(runs, t.offset());
            }
        }
        this.digest = hash ^ total;
        Indexing chosen = options.indexing();
        if (chosen == Indexing.AUTO) {
            chosen = runs.runs() > 0 && (double) runs.entries() / runs.runs() >= AUTO_MIN_MEAN_RUN
                    ? Indexing.BLOCK : Indexing.ELEMENT;
        }
        this.indexing = chosen;
        if (chosen == Indexing.BLOCK) {
            this.runStart = runs.starts();
            this.runState = runs.states();
            this.runLength = runs.lengths();
        } else {
            this.runStart = this.runState = this.runLength = new int[0];
        }
        this.m = new float[indices.length];
        this.v = new float[indices.length];
    }

    @Override
    String kind() {
        return "bsr-adamw";
    }

    @Override
    double gradientSumOfSquares(float[] grads) {
        return reductions.gatheredSumOfSquares("optimizer.grad_norm", grads, indices, indices.length);
    }

    @Override
    void prepareGradientSumOfSquares(float[] grads) {
        reductions.prepareGatheredSumOfSquares("optimizer.grad_norm", grads, indices, indices.length);
    }

    @Override
    KernelCall updateCall(float[] params, float[] grads) {
        float[] h = hyper;
        if (indexing == Indexing.BLOCK) {
            KernelCall.Builder call = KernelCall.builder("optimizer.block_sparse_adamw", Kernel.BLOCK_SPARSE_ADAMW)
                    .state(params).state(m).state(v).input(grads)
                    .constant(runStart).constant(runState).constant(runLength).input(h);
            if (options.jvmFastPath()) {
                call.jvmFastPath((offset, count) -> VectorAdamWKernels.blockSparseAdamW(params, m, v, grads,
                        runStart, runState, runLength, h, offset, count));
            }
            return call.over(runStart.length);
        }
        KernelCall.Builder call = KernelCall.builder("optimizer.sparse_adamw", Kernel.SPARSE_ADAMW)
                .state(params).state(m).state(v).input(grads).constant(indices).input(h);
        if (options.jvmFastPath()) {
            call.jvmFastPath((offset, count) -> VectorAdamWKernels.sparseAdamW(params, m, v, grads, indices, h,
                    offset, count));
        }
        return call.over(indices.length);
    }

    @Override
    long activeSetDigest() {
        return digest;
    }

    @Override
    float[] firstMoments() {
        return m;
    }

    @Override
    float[] secondMoments() {
        return v;
    }

    /** Active entries updated each step. */
    public int activeCount() {
        return indices.length;
    }

    /** The indexing actually used ({@link Indexing#AUTO} resolved). */
    public Indexing indexing() {
        return indexing;
    }

    /** Row segments the block-indexed kernel walks (0 under element indexing). */
    public int runCount() {
        return runStart.length;
    }

    public BsrAdamWOptions options() {
        return options;
    }

    /** m and v (8 bytes per active entry) plus the index structures. */
    @Override
    public long stateBytes() {
        return 8L * m.length + 4L * indices.length + 12L * runStart.length;
    }
}
