package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;

/**
 * Reads a score file ({@code rlcasino.scores}) row by row: each row is one chunk of one tensor.
 * One record batch in memory at a time; rows are checked like {@link DeltaStreamReader}'s.
 */
public final class ScoreFileReader implements AutoCloseable {
    private final ArrowFileInput in;
    private final TensorTable tensors;
    private final Map<String, String> provenance;
    private final Batching batching;
    private final ScoreFileInfo info;
    private final FloatChunkReader rows;

    private ScoreFileReader(ArrowFileInput in) {
        this.in = in;
        this.tensors = in.tensors();
        this.provenance = in.provenance();
        this.batching = in.batching();
        String method = in.require(RlcasinoArrowFile.METHOD);
        Map<String, String> parameters = in.parse(RlcasinoArrowFile.PARAMETERS, in.require(RlcasinoArrowFile.PARAMETERS),
                v -> MetadataJson.parseStringMap(RlcasinoArrowFile.PARAMETERS, v));
        List<Integer> sourceSteps = in.parse(RlcasinoArrowFile.SOURCE_STEPS, in.require(RlcasinoArrowFile.SOURCE_STEPS),
                v -> MetadataJson.parseIntList(RlcasinoArrowFile.SOURCE_STEPS, v));
        this.info = in.parse(RlcasinoArrowFile.METHOD, method, m -> new ScoreFileInfo(m, parameters, sourceSteps));
        this.rows = new FloatChunkReader(in, tensors, batching, false);
    }

    /** Opens {@code file} and checks its format, version, metadata and columns. */
    public static ScoreFileReader open(Path file, BufferAllocator allocator) throws IOException {
        ArrowFileInput in = ArrowFileInput.open(file, RlcasinoFormat.SCORES, allocator);
        try {
            return new ScoreFileReader(in);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
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

    /** Method, parameters and source steps. */
    public ScoreFileInfo info() {
        return info;
    }

    public Map<String, String> metadata() {
        return in.metadata();
    }

    /** Moves to the next chunk; false at the end, after checking that every tensor was complete. */
    public boolean next() throws IOException {
        return rows.next();
    }

    public int tensorIndex() {
        return rows.tensorIndex();
    }

    public TensorInfo tensor() {
        return tensors.get(rows.tensorIndex());
    }

    public long offset() {
        return rows.offset();
    }

    public int length() {
        return rows.length();
    }

    public float value(int i) {
        return rows.value(i);
    }

    public void readValues(float[] dst, int dstFrom) {
        rows.readValues(dst, dstFrom);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
