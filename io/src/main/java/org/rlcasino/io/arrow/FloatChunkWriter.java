package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Rows of float32 chunks for the delta stream ({@code step} column) and the score file (no step):
 * cuts incoming values at the chunk grid, fills record batches up to the {@link Batching} bounds
 * and writes each full batch, so memory never exceeds one batch.
 */
final class FloatChunkWriter {
    static final String STEP = "step";
    static final String TENSOR = "tensor";
    static final String OFFSET = "offset";
    static final String VALUES = "values";
    static final long TENSOR_DICTIONARY = 0;

    private final ArrowFileOutput out;
    private final TensorTable tensors;
    private final Batching batching;
    private final boolean stepped;
    private final double tolerance;
    private final ChunkOrder order;
    private final float[] scratch;
    private final int maxRows;

    private boolean allocated;
    private int rows;
    private int elements;
    /** Row being filled, or -1; it ends at the next grid point or the tensor's end. */
    private int openRow = -1;
    private int openRowStart;
    private long openRowEnd;
    private long nextOffset;

    FloatChunkWriter(ArrowFileOutput out, TensorTable tensors, Batching batching, boolean stepped, double tolerance) {
        this.out = out;
        this.tensors = tensors;
        this.batching = batching;
        this.stepped = stepped;
        this.tolerance = tolerance;
        this.order = new ChunkOrder(tensors, stepped);
        this.scratch = new float[Math.min(batching.chunkElements(), 8192)];
        this.maxRows = batching.maxRowsPerBatch();
    }

    static List<Field> fields(boolean stepped) {
        List<Field> fields = new ArrayList<>();
        if (stepped) {
            fields.add(ArrowColumns.scalar(STEP, ArrowColumns.INT32, false));
        }
        fields.add(ArrowColumns.dictionary(TENSOR, TENSOR_DICTIONARY));
        fields.add(ArrowColumns.scalar(OFFSET, ArrowColumns.INT64, false));
        fields.add(ArrowColumns.list(VALUES, ArrowColumns.FLOAT32));
        return fields;
    }

    static List<String> columnNames(boolean stepped) {
        return fields(stepped).stream().map(Field::getName).toList();
    }

    ChunkOrder order() {
        return order;
    }

    /**
     * Appends {@code values[from, from+count)} as the elements {@code [offset, offset+count)} of
     * tensor {@code tensorIndex}; returns how many nonzero values the tolerance turned into 0.
     *
     * @param what names the values in messages ("delta", "score")
     */
    long write(int step, int tensorIndex, long offset, float[] values, int from, int count, String what) throws IOException {
        out.checkOpen();
        TensorInfo tensor = tensors.get(tensorIndex);
        if (values == null) {
            throw new IllegalArgumentException("values of tensor " + tensor.name() + " must not be null");
        }
        if (from < 0 || count < 0 || from > values.length - count) {
            throw new IllegalArgumentException("values range [" + from + ", " + from + "+" + count + ") of tensor " + tensor.name()
                    + " is outside the array of length " + values.length);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset of tensor " + tensor.name() + " must be >= 0, got " + offset);
        }
        if (count == 0) {
            return 0;
        }
        String problem = order.check(step, tensorIndex, offset, count);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (!(maxAbs(values, from, count) <= Float.MAX_VALUE)) {
            throwNonFinite(step, tensor, offset, values, from, count, what);
        }
        order.accept(step, tensorIndex, offset, count);
        if (openRow < 0) {
            nextOffset = offset;
        }
        long zeroed = 0;
        int done = 0;
        while (done < count) {
            if (openRow < 0) {
                openRow(step, tensorIndex, tensor.size());
            }
            int n = (int) Math.min(count - done, openRowEnd - nextOffset);
            zeroed += copy(values, from + done, n);
            done += n;
            nextOffset += n;
            if (nextOffset == openRowEnd) {
                closeRow();
            }
        }
        return zeroed;
    }

    /** The largest |v| (NaN if any is NaN): a max reduction the JIT vectorises, so the finite check costs one fast pass. */
    private static float maxAbs(float[] values, int from, int count) {
        float max = 0f;
        for (int k = 0; k < count; k++) {
            max = Math.max(max, Math.abs(values[from + k]));
        }
        return max;
    }

    private void throwNonFinite(int step, TensorInfo tensor, long offset, float[] values, int from, int count, String what) {
        for (int k = 0; k < count; k++) {
            float v = values[from + k];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(what + " of tensor " + tensor.name() + " at element " + (offset + k)
                        + (stepped ? " in step " + step : "") + " is " + v + "; only finite values can be written");
            }
        }
        throw new IllegalStateException("a non-finite value was reported but not found");
    }

    private void openRow(int step, int tensorIndex, long tensorSize) throws IOException {
        if (!allocated) {
            allocate();
        }
        int row = rows;
        if (stepped) {
            ((IntVector) out.root().getVector(STEP)).set(row, step);
        }
        ((IntVector) out.root().getVector(TENSOR)).set(row, tensorIndex);
        ((BigIntVector) out.root().getVector(OFFSET)).set(row, nextOffset);
        openRowStart = ((ListVector) out.root().getVector(VALUES)).startNewValue(row);
        long chunk = batching.chunkElements();
        openRowEnd = Math.min((nextOffset / chunk + 1) * chunk, tensorSize);
        openRow = row;
    }

    private void closeRow() throws IOException {
        ((ListVector) out.root().getVector(VALUES)).endValue(openRow, elements - openRowStart);
        openRow = -1;
        rows++;
        // The next row holds at most one chunk; start a new batch unless it surely fits.
        if (rows == maxRows || elements + batching.chunkElements() > batching.batchElements()) {
            flush();
        }
    }

    private long copy(float[] values, int from, int count) {
        Float4Vector data = (Float4Vector) ((ListVector) out.root().getVector(VALUES)).getDataVector();
        ArrowBuf buffer = data.getDataBuffer();
        long zeroed = 0;
        if (tolerance == 0) {
            // nothing to zero: copy straight from the caller's array
            buffer.nioBuffer((long) elements * Float.BYTES, count * Float.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values, from, count);
            elements += count;
            return 0;
        }
        for (int done = 0; done < count; ) {
            int n = Math.min(scratch.length, count - done);
            for (int k = 0; k < n; k++) {
                float v = values[from + done + k];
                if (v != 0f && Math.abs(v) < tolerance) {
                    v = 0f;
                    zeroed++;
                }
                scratch[k] = v;
            }
            buffer.nioBuffer((long) (elements + done) * Float.BYTES, n * Float.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(scratch, 0, n);
            done += n;
        }
        elements += count;
        return zeroed;
    }

    private void allocate() {
        var root = out.root();
        if (stepped) {
            ((IntVector) root.getVector(STEP)).allocateNew(maxRows);
        }
        ((IntVector) root.getVector(TENSOR)).allocateNew(maxRows);
        ((BigIntVector) root.getVector(OFFSET)).allocateNew(maxRows);
        ListVector list = (ListVector) root.getVector(VALUES);
        list.setInitialCapacity(maxRows, (double) batching.batchElements() / maxRows);
        list.allocateNew();
        Float4Vector data = (Float4Vector) list.getDataVector();
        if (data.getValueCapacity() < batching.batchElements()) {
            data.allocateNew(batching.batchElements());
        }
        allocated = true;
    }

    /** Writes the rows collected so far as one record batch. */
    void flush() throws IOException {
        if (rows == 0) {
            return;
        }
        ListVector list = (ListVector) out.root().getVector(VALUES);
        Float4Vector data = (Float4Vector) list.getDataVector();
        // Values are written in bulk, so their validity bits are set here in bulk too.
        ArrowBuf validity = data.getValidityBuffer();
        validity.setOne(0L, (long) (elements / 8));
        for (int i = elements / 8 * 8; i < elements; i++) {
            BitVectorHelper.setBit(validity, i);
        }
        out.writeBatchKeepingBuffers(rows);
        resetKeepingBuffers();
        rows = 0;
        elements = 0;
    }

    /**
     * Empties the vectors for the next batch without freeing their buffers. Everything a batch
     * writes is zeroed as after a fresh allocation (row columns, offsets, validity bits) except
     * the float values, which the next batch overwrites from 0 before it is written: zeroing 4
     * bytes a value per batch would cost as much as copying them.
     */
    private void resetKeepingBuffers() {
        var root = out.root();
        if (stepped) {
            root.getVector(STEP).reset();
        }
        root.getVector(TENSOR).reset();
        root.getVector(OFFSET).reset();
        ListVector list = (ListVector) root.getVector(VALUES);
        Float4Vector data = (Float4Vector) list.getDataVector();
        list.getValidityBuffer().setZero(0, list.getValidityBuffer().capacity());
        list.getOffsetBuffer().setZero(0, list.getOffsetBuffer().capacity());
        data.getValidityBuffer().setZero(0, data.getValidityBuffer().capacity());
        list.setValueCount(0); // also sets the values' count to 0 and forgets the last row set
    }

    /** Writes the last batch after checking that the stream is complete. */
    void finish() throws IOException {
        out.checkOpen();
        String problem = order.checkComplete();
        if (problem != null) {
            throw new IllegalStateException("cannot finish " + out.target().getFileName() + ": " + problem);
        }
        flush();
    }
}
