package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Writes a delta stream ({@code rlcasino.deltas}): the weight deltas of each step in the
 * options' {@link DeltaBasis} (δ_t = θ_t − θ_{t−1} or θ_t − θ_0), tensor by tensor in tensor-table order, in contiguous chunks of any size. Memory
 * stays within one record batch ({@link Batching}) whatever the model size.
 * <pre>{@code
 * try (BufferAllocator allocator = RlcasinoArrowFile.boundedAllocator(options.batching().allocationLimit());
 *      DeltaStreamWriter writer = DeltaStreamWriter.create(path, tensors, provenance, options, allocator)) {
 *     writer.beginStep(1, "ckpt/step-1/model.safetensors");
 *     writer.writeChunk(1, "h.0.attn.c_attn.weight", 0, delta, 0, delta.length);
 *     …
 *     writer.finish();   // the file appears under its name only now
 * }                      // closed without finish(): nothing appears, the temporary is deleted
 * }</pre>
 */
public final class DeltaStreamWriter implements AutoCloseable {
    /** Direct memory of the write-behind blocks every writer holds besides its record batch. */
    public static final long WRITE_BEHIND_BYTES = (long) AsyncWriteChannel.BLOCKS * AsyncWriteChannel.BLOCK_BYTES;

    private final ArrowFileOutput out;
    private final TensorTable tensors;
    private final FloatChunkWriter chunks;
    private final List<DeltaStep> steps = new ArrayList<>();
    private long zeroedInStep;
    private boolean stepHasChunks;

    private DeltaStreamWriter(ArrowFileOutput out, TensorTable tensors, DeltaStreamOptions options) {
        this.out = out;
        this.tensors = tensors;
        this.chunks = new FloatChunkWriter(out, tensors, options.batching(), true, options.tolerance());
    }

    /**
     * Starts writing {@code target} (through a temporary file in its directory).
     *
     * @param provenance free-form strings: source files, method, parameters, config hash…
     * @param allocator  the parent of this writer's bounded allocator; it must allow {@link Batching#allocationLimit()}
     */
    public static DeltaStreamWriter create(Path target, TensorTable tensors, Map<String, String> provenance,
                                           DeltaStreamOptions options, BufferAllocator allocator) throws IOException {
        if (tensors == null || options == null) {
            throw new IllegalArgumentException("tensors and options must not be null");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(RlcasinoArrowFile.TENSORS, tensors.toJson());
        metadata.put(RlcasinoArrowFile.PROVENANCE, MetadataJson.writeStringMap(MetadataJson.copyStringMap("provenance", provenance)));
        metadata.put(RlcasinoArrowFile.CHUNK_ELEMENTS, Integer.toString(options.batching().chunkElements()));
        metadata.put(RlcasinoArrowFile.BATCH_ELEMENTS, Integer.toString(options.batching().batchElements()));
        metadata.put(RlcasinoArrowFile.TOLERANCE, Double.toString(options.tolerance()));
        metadata.put(RlcasinoArrowFile.BASIS, options.basis().label());
        ArrowFileOutput out = ArrowFileOutput.open(target, RlcasinoFormat.DELTAS, FloatChunkWriter.fields(true), metadata,
                Map.of(FloatChunkWriter.TENSOR_DICTIONARY, tensors.names()), allocator, options.batching().allocationLimit());
        return new DeltaStreamWriter(out, tensors, options);
    }

    /**
     * Starts step {@code step}, recording where θ_t came from. Optional: a chunk of a new step
     * starts it without a source. Steps must be strictly ascending and the previous step complete.
     */
    public void beginStep(int step, String source) {
        out.checkOpen();
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (!steps.isEmpty()) {
            int last = steps.getLast().step();
            if (step <= last) {
                throw new IllegalArgumentException("step " + step + " comes after step " + last + ": steps must be strictly ascending");
            }
            checkPreviousStepComplete(step);
        }
        closeStep();
        steps.add(new DeltaStep(step, source, 0));
        stepHasChunks = false;
    }

    private void checkPreviousStepComplete(int step) {
        String problem = stepHasChunks ? chunks.order().missing() : (tensors.totalElements() > 0 ? "it has no chunks" : null);
        if (problem != null) {
            throw new IllegalArgumentException("step " + step + " starts while step " + steps.getLast().step() + " is incomplete ("
                    + problem + "): every step must cover every tensor completely, in table order");
        }
    }

    /**
     * Writes {@code values[from, from+count)} as the deltas of elements {@code [offset, offset+count)}
     * (flat, row-major) of {@code tensor} in {@code step}. Within a step, tensors come in table
     * order and each tensor's chunks are contiguous from 0 to its size.
     *
     * @throws IllegalArgumentException for an unknown tensor, a descending step, a gap or overlap,
     *                                  an offset beyond the tensor, or a non-finite value; nothing is written then
     */
    public void writeChunk(int step, String tensor, long offset, float[] values, int from, int count) throws IOException {
        out.checkOpen();
        writeChunk(step, tensors.require(tensor), offset, values, from, count);
    }

    /** {@link #writeChunk(int, String, long, float[], int, int)} with the tensor's table position. */
    public void writeChunk(int step, int tensorIndex, long offset, float[] values, int from, int count) throws IOException {
        out.checkOpen();
        if (tensorIndex < 0 || tensorIndex >= tensors.size()) {
            throw new IllegalArgumentException("tensor index " + tensorIndex + " is outside the tensor table of " + tensors.size());
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        boolean newStep = steps.isEmpty() || steps.getLast().step() != step;
        if (newStep && !steps.isEmpty()) {
            if (step < steps.getLast().step()) {
                throw new IllegalArgumentException("step " + step + " comes after step " + steps.getLast().step()
                        + ": steps must be strictly ascending");
            }
            checkPreviousStepComplete(step);
        }
        long zeroed = chunks.write(step, tensorIndex, offset, values, from, count, "delta");
        if (count > 0) {
            if (newStep) {
                closeStep();
                steps.add(new DeltaStep(step, null, 0));
            }
            stepHasChunks = true;
            zeroedInStep += zeroed;
        }
    }

    private void closeStep() {
        if (!steps.isEmpty()) {
            DeltaStep last = steps.removeLast();
            steps.add(new DeltaStep(last.step(), last.source(), last.zeroed() + zeroedInStep));
        }
        zeroedInStep = 0;
    }

    /**
     * Checks that the last step is complete, writes the remaining rows and the footer, and
     * renames the file into place.
     *
     * @return the steps written, with their zeroed counts
     */
    public List<DeltaStep> finish() throws IOException {
        out.checkOpen();
        if (!steps.isEmpty() && !stepHasChunks && tensors.totalElements() > 0) {
            throw new IllegalStateException("cannot finish " + out.target().getFileName() + ": step " + steps.getLast().step()
                    + " was begun but has no chunks");
        }
        chunks.finish();
        closeStep();
        ArrayNode array = MetadataJson.array();
        long zeroed = 0;
        for (DeltaStep s : steps) {
            ObjectNode node = array.addObject();
            node.put("step", s.step());
            if (s.source() == null) {
                node.putNull("source");
            } else {
                node.put("source", s.source());
            }
            node.put("zeroed", s.zeroed());
            zeroed += s.zeroed();
        }
        Map<String, String> footer = new LinkedHashMap<>();
        footer.put(RlcasinoArrowFile.STEPS, MetadataJson.write(array));
        footer.put(RlcasinoArrowFile.ZEROED, Long.toString(zeroed));
        out.commit(footer);
        return List.copyOf(steps);
    }

    /** Discards what was written: the temporary is deleted and no file appears. Same as closing without {@link #finish()}. */
    public void abort() {
        out.close();
    }

    /** Releases memory; without a successful {@link #finish()} the temporary is deleted and no file appears. */
    @Override
    public void close() {
        out.close();
    }
}
