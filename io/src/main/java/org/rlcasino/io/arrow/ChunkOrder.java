package org.rlcasino.io.arrow;

/**
 * The order rules of a chunked float stream (deltas with steps, scores without), checked the
 * same way by writers (on each call) and readers (on each row): steps strictly ascending; in
 * each step every tensor of the table, in table order, covered completely by contiguous chunks
 * starting at offset 0. Tensors of size 0 have no chunks.
 */
final class ChunkOrder {
    private final TensorTable tensors;
    private final boolean stepped;
    private boolean started;
    private int step;
    private int tensor;
    private long next;

    ChunkOrder(TensorTable tensors, boolean stepped) {
        this.tensors = tensors;
        this.stepped = stepped;
    }

    /** Null if {@code count ≥ 1} values of {@code tensorIndex} at {@code offset} in {@code step} may come next; otherwise what is wrong. */
    String check(int step, int tensorIndex, long offset, long count) {
        int t = tensor;
        long n = next;
        if (!started || (stepped && step != this.step)) {
            if (started) {
                if (step < this.step) {
                    return "step " + step + " comes after step " + this.step + ": steps must be strictly ascending";
                }
                String incomplete = incomplete(tensor, next);
                if (incomplete != null) {
                    return "step " + step + " starts while step " + this.step + " is incomplete (" + incomplete
                            + "): every step must cover every tensor completely, in table order";
                }
            }
            t = 0;
            n = 0;
        }
        while (t < tensors.size() && t != tensorIndex && n == tensors.get(t).size()) {
            t++;
            n = 0;
        }
        String where = stepped ? " in step " + step : "";
        TensorInfo info = tensors.get(tensorIndex);
        if (tensorIndex < t) {
            return "tensor " + info.name() + " (table position " + tensorIndex + ") comes after tensor "
                    + tensors.get(Math.min(t, tensors.size() - 1)).name() + where
                    + ": tensors must come in tensor-table order, each once" + (stepped ? " per step" : "");
        }
        if (tensorIndex > t) {
            return "tensor " + info.name() + " starts" + where + " while " + describe(t, n)
                    + ": each tensor must be covered completely, in tensor-table order";
        }
        if (offset != n) {
            return "chunk of tensor " + info.name() + where + " starts at offset " + offset + ", expected " + n
                    + ": the chunks of a tensor must be contiguous and ascending from 0";
        }
        if (offset + count > info.size()) {
            return "chunk of tensor " + info.name() + where + " at offset " + offset + " with " + count
                    + " values runs past the tensor's " + info.size() + " elements";
        }
        return null;
    }

    /** Records a chunk that {@link #check} accepted. */
    void accept(int step, int tensorIndex, long offset, long count) {
        started = true;
        this.step = step;
        this.tensor = tensorIndex;
        this.next = offset + count;
    }

    /** Null if the stream may end here; otherwise what is missing. */
    String checkComplete() {
        String missing = missing();
        return missing == null || !started || !stepped ? missing : "step " + step + " is incomplete: " + missing;
    }

    /** Null if the current step (or the whole unstepped stream) is complete; otherwise the first incomplete tensor. */
    String missing() {
        if (!started) {
            return stepped ? null : incomplete(0, 0);
        }
        return incomplete(tensor, next);
    }

    int step() {
        return step;
    }

    private String incomplete(int t, long n) {
        while (t < tensors.size() && n == tensors.get(t).size()) {
            t++;
            n = 0;
        }
        return t < tensors.size() ? describe(t, n) : null;
    }

    private String describe(int t, long n) {
        TensorInfo info = tensors.get(t);
        return "tensor " + info.name() + " has " + n + " of its " + info.size() + " elements";
    }
}
