package org.rlcasino.io.arrow;

import java.io.IOException;
import java.util.Map;

/**
 * What delta streams and score files share when read: the tensor table, provenance and batching,
 * and row-by-row access to chunks of float32 values (one record batch in memory at a time). The
 * accessors describe the row the last {@link #next()} moved to.
 */
public abstract sealed class FloatChunkFileReader implements AutoCloseable permits DeltaStreamReader, ScoreFileReader {
    final ArrowFileInput in;
    final TensorTable tensors;
    final Map<String, String> provenance;
    final Batching batching;
    final FloatChunkReader rows;

    FloatChunkFileReader(ArrowFileInput in, boolean stepped) {
        this.in = in;
        this.tensors = in.tensors();
        this.provenance = in.provenance();
        this.batching = in.batching();
        this.rows = new FloatChunkReader(in, tensors, batching, stepped);
    }

    public TensorTable tensors() {
        return tensors;
    }

    public Map<String, String> provenance() {
        return provenance;
    }

    public Batching batching() {
        return batching;
    }

    /** All schema metadata, as stored. */
    public Map<String, String> metadata() {
        return in.metadata();
    }

    /** Moves to the next chunk; false at the end, after checking that every tensor was complete. */
    public boolean next() throws IOException {
        return rows.next();
    }

    /** Table position of the current chunk's tensor. */
    public int tensorIndex() {
        return rows.tensorIndex();
    }

    public TensorInfo tensor() {
        return tensors.get(rows.tensorIndex());
    }

    /** Flat element offset of the current chunk within its tensor. */
    public long offset() {
        return rows.offset();
    }

    /** Number of values in the current chunk. */
    public int length() {
        return rows.length();
    }

    /** Value {@code i} of the current chunk: element {@code offset() + i}. */
    public float value(int i) {
        return rows.value(i);
    }

    /** Copies the current chunk's {@link #length()} values into {@code dst[dstFrom…]}. */
    public void readValues(float[] dst, int dstFrom) {
        rows.readValues(dst, dstFrom);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
