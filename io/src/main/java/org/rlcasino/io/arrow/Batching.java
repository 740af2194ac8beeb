package org.rlcasino.io.arrow;

/**
 * How values are cut into rows and record batches. A row holds one chunk of a tensor: the
 * elements {@code [k·chunkElements, min((k+1)·chunkElements, size))}, so deltas and scores of the
 * same tensor share row boundaries. A record batch holds at most {@code batchElements} values
 * and at most {@link #maxRowsPerBatch()} rows, which bounds the memory of writing and reading any
 * file whatever the model size.
 *
 * @param chunkElements values per row (the last chunk of a tensor is shorter), 1 ≤ chunkElements ≤ batchElements
 * @param batchElements values per record batch, at most 2^28
 */
public record Batching(int chunkElements, int batchElements) {
    /** 64 Ki values per row, 1 Mi values (4 MiB of float32) per batch. */
    public static final Batching DEFAULTS = new Batching(1 << 16, 1 << 20);

    /** Largest batch: 1 GiB of 4-byte values, to keep list offsets and allocator limits far from overflow. */
    public static final int MAX_BATCH_ELEMENTS = 1 << 28;

    public Batching {
        if (batchElements < 1 || batchElements > MAX_BATCH_ELEMENTS) {
            throw new IllegalArgumentException("batchElements must be in [1, " + MAX_BATCH_ELEMENTS + "], got " + batchElements);
        }
        if (chunkElements < 1 || chunkElements > batchElements) {
            throw new IllegalArgumentException("chunkElements must be in [1, batchElements=" + batchElements + "], got " + chunkElements);
        }
    }

    /** Batches of {@code batchElements} values, rows of the default 64 Ki values or the whole batch if smaller. */
    public static Batching ofBatch(int batchElements) {
        return new Batching(Math.min(DEFAULTS.chunkElements, Math.max(batchElements, 1)), batchElements);
    }

    /**
     * Rows per batch: enough for full chunks, and for short rows (tensors smaller than a chunk)
     * at most one row per 16 values, at most 16 Ki, so the row columns (about 20 bytes a row)
     * never outgrow the values.
     */
    public int maxRowsPerBatch() {
        return Math.max(batchElements / chunkElements, Math.max(1, Math.min(batchElements / 16, 1 << 14)));
    }

    /**
     * Allocator limit for one writer or reader: room for two batches of 4-byte values (the
     * reader holds the batch it hands out while the next is read), power-of-two rounding and
     * the row columns, plus 1 MiB.
     */
    public long allocationLimit() {
        return 8L * batchElements * Integer.BYTES + 128L * maxRowsPerBatch() + (1L << 20);
    }
}
