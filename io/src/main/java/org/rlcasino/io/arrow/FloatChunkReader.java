package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.List;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * A cursor over the rows of a chunked float stream, one record batch in memory at a time,
 * checking each row against {@link ChunkOrder} and the chunk grid as it goes.
 */
final class FloatChunkReader {
    private final ArrowFileInput in;
    private final TensorTable tensors;
    private final Batching batching;
    private final boolean stepped;
    private final ChunkOrder order;
    private final List<String> columns;

    /** Dictionary index → tensor-table index, built from the file's dictionary. */
    private int[] tensorOfCode;
    private int rowCount;
    private int row = -1;
    private boolean ended;

    private int step;
    private int tensorIndex;
    private long offset;
    private int start;
    private int length;

    FloatChunkReader(ArrowFileInput in, TensorTable tensors, Batching batching, boolean stepped) {
        this.in = in;
        this.tensors = tensors;
        this.batching = batching;
        this.stepped = stepped;
        this.order = new ChunkOrder(tensors, stepped);
        this.columns = FloatChunkWriter.columnNames(stepped);
        in.requireColumns(FloatChunkWriter.fields(stepped));
    }

    /** Moves to the next row; false at the end, after checking that the stream is complete. */
    boolean next() throws IOException {
        if (ended) {
            return false;
        }
        while (row + 1 >= rowCount) {
            if (!in.nextBatch(columns)) {
                ended = true;
                String problem = order.checkComplete();
                if (problem != null) {
                    throw in.corrupt("the stream ends early: " + problem);
                }
                return false;
            }
            if (tensorOfCode == null) {
                tensorOfCode = tensorCodes(in, tensors, FloatChunkWriter.TENSOR);
            }
            rowCount = in.root().getRowCount();
            row = -1;
        }
        row++;
        readRow();
        return true;
    }

    /** Maps each dictionary entry of {@code column} to its tensor-table position. */
    static int[] tensorCodes(ArrowFileInput in, TensorTable tensors, String column) {
        List<String> names = in.dictionary(column);
        int[] codes = new int[names.size()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = tensors.indexOf(names.get(i));
            if (codes[i] < 0) {
                throw in.corrupt("column " + column + " names tensor " + names.get(i) + ", which the tensor table (" + RlcasinoArrowFile.TENSORS
                        + ") does not list");
            }
        }
        return codes;
    }

    private void readRow() {
        var root = in.root();
        step = stepped ? ((IntVector) root.getVector(FloatChunkWriter.STEP)).get(row) : 0;
        int code = ((IntVector) root.getVector(FloatChunkWriter.TENSOR)).get(row);
        if (code < 0 || code >= tensorOfCode.length) {
            throw in.corrupt(where() + "tensor code " + code + " is outside the dictionary of " + tensorOfCode.length + " names");
        }
        tensorIndex = tensorOfCode[code];
        offset = ((BigIntVector) root.getVector(FloatChunkWriter.OFFSET)).get(row);
        ListVector list = (ListVector) root.getVector(FloatChunkWriter.VALUES);
        start = list.getElementStartIndex(row);
        length = list.getElementEndIndex(row) - start;
        TensorInfo tensor = tensors.get(tensorIndex);
        if (length < 1) {
            throw in.corrupt(where() + "the chunk of tensor " + tensor.name() + " at offset " + offset + " is empty");
        }
        String problem = order.check(step, tensorIndex, offset, length);
        if (problem != null) {
            throw in.corrupt(where() + problem);
        }
        long chunk = batching.chunkElements();
        long expected = Math.min(chunk, tensor.size() - offset);
        if (offset % chunk != 0 || length != expected) {
            throw in.corrupt(where() + "the chunk of tensor " + tensor.name() + " at offset " + offset + " holds " + length
                    + " values, but with " + RlcasinoArrowFile.CHUNK_ELEMENTS + "=" + chunk + " rows start at multiples of " + chunk
                    + " and hold " + chunk + " values (fewer only at the tensor's end)");
        }
        order.accept(step, tensorIndex, offset, length);
    }

    private String where() {
        return "record batch " + in.currentBatch() + " row " + row + ": ";
    }

    int step() {
        return step;
    }

    int tensorIndex() {
        return tensorIndex;
    }

    long offset() {
        return offset;
    }

    int length() {
        return length;
    }

    float value(int i) {
        if (i < 0 || i >= length) {
            throw new IndexOutOfBoundsException("value " + i + " of a chunk of " + length);
        }
        return ((Float4Vector) ((ListVector) in.root().getVector(FloatChunkWriter.VALUES)).getDataVector()).get(start + i);
    }

    void readValues(float[] dst, int dstFrom) {
        if (dst == null || dstFrom < 0 || dstFrom > dst.length - length) {
            throw new IllegalArgumentException("destination must hold " + length + " values from " + dstFrom + ", got "
                    + (dst == null ? "null" : "an array of length " + dst.length));
        }
        Float4Vector data = (Float4Vector) ((ListVector) in.root().getVector(FloatChunkWriter.VALUES)).getDataVector();
        data.getDataBuffer().nioBuffer((long) start * Float.BYTES, length * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, dstFrom, length);
    }
}
