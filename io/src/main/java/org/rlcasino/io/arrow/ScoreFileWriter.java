package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;

/**
 * Writes a score file ({@code rlcasino.scores}): one float32 score per element of every tensor,
 * tensor by tensor in table order, in contiguous chunks of any size; rows follow the same chunk
 * grid as the delta stream. Same lifecycle as {@link DeltaStreamWriter}: the file appears only
 * when {@link #finish()} returns.
 */
public final class ScoreFileWriter implements AutoCloseable {
    private final ArrowFileOutput out;
    private final TensorTable tensors;
    private final FloatChunkWriter chunks;

    private ScoreFileWriter(ArrowFileOutput out, TensorTable tensors, Batching batching) {
        this.out = out;
        this.tensors = tensors;
        this.chunks = new FloatChunkWriter(out, tensors, batching, false, 0.0);
    }

    /** Starts writing {@code target}; see {@link DeltaStreamWriter#create} for the parameters. */
    public static ScoreFileWriter create(Path target, TensorTable tensors, ScoreFileInfo info, Map<String, String> provenance,
                                         Batching batching, BufferAllocator allocator) throws IOException {
        if (tensors == null || info == null || batching == null) {
            throw new IllegalArgumentException("tensors, info and batching must not be null");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(RlcasinoArrowFile.TENSORS, tensors.toJson());
        metadata.put(RlcasinoArrowFile.PROVENANCE, MetadataJson.writeStringMap(MetadataJson.copyStringMap("provenance", provenance)));
        metadata.put(RlcasinoArrowFile.CHUNK_ELEMENTS, Integer.toString(batching.chunkElements()));
        metadata.put(RlcasinoArrowFile.BATCH_ELEMENTS, Integer.toString(batching.batchElements()));
        metadata.put(RlcasinoArrowFile.METHOD, info.method());
        metadata.put(RlcasinoArrowFile.PARAMETERS, MetadataJson.writeStringMap(info.parameters()));
        metadata.put(RlcasinoArrowFile.SOURCE_STEPS, MetadataJson.writeIntList(info.sourceSteps()));
        ArrowFileOutput out = ArrowFileOutput.open(target, RlcasinoFormat.SCORES, FloatChunkWriter.fields(false), metadata,
                Map.of(FloatChunkWriter.TENSOR_DICTIONARY, tensors.names()), allocator, batching.allocationLimit());
        return new ScoreFileWriter(out, tensors, batching);
    }

    /**
     * Writes {@code values[from, from+count)} as the scores of elements {@code [offset, offset+count)}
     * of {@code tensor}; tensors in table order, each covered contiguously from 0 to its size.
     *
     * @throws IllegalArgumentException for an unknown tensor, a gap, overlap or out-of-order tensor, or a non-finite score
     */
    public void writeChunk(String tensor, long offset, float[] values, int from, int count) throws IOException {
        out.checkOpen();
        chunks.write(0, tensors.require(tensor), offset, values, from, count, "score");
    }

    /** {@link #writeChunk(String, long, float[], int, int)} with the tensor's table position. */
    public void writeChunk(int tensorIndex, long offset, float[] values, int from, int count) throws IOException {
        out.checkOpen();
        if (tensorIndex < 0 || tensorIndex >= tensors.size()) {
            throw new IllegalArgumentException("tensor index " + tensorIndex + " is outside the tensor table of " + tensors.size());
        }
        chunks.write(0, tensorIndex, offset, values, from, count, "score");
    }

    /** Checks that every tensor is complete, writes the rest and renames the file into place. */
    public void finish() throws IOException {
        chunks.finish();
        out.commit(Map.of());
    }

    /** Discards what was written; same as closing without {@link #finish()}. */
    public void abort() {
        out.close();
    }

    @Override
    public void close() {
        out.close();
    }
}
