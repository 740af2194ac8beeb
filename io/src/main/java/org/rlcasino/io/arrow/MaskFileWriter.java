package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Writes a mask file ({@code rlcasino.mask}): per tensor, in table order, the strictly ascending
 * flat int32 indices of the active entries, streamed in pieces of any size, optionally preceded
 * by the tensor's block structure ({@link #writeBlocks}). A tensor never mentioned has no
 * active entry. Memory stays within one record batch plus the block arrays of one tensor.
 * Same lifecycle as {@link DeltaStreamWriter}: the file appears only when {@link #finish()} returns.
 */
public final class MaskFileWriter implements AutoCloseable {
    static final String TENSOR = "tensor";
    static final String ARRAY = "array";
    static final String OFFSET = "offset";
    static final String VALUES = "values";
    static final long TENSOR_DICTIONARY = 0;
    static final long ARRAY_DICTIONARY = 1;

    private final ArrowFileOutput out;
    private final TensorTable tensors;
    private final MaskFileInfo info;
    private final Batching batching;
    private final int maxRows;
    private final long[] kept;

    /** Tensor being written, or -1 before the first. */
    private int tensor = -1;
    private MaskBlocks blocks;
    private int[] blockCounts;
    private long lastIndex = -1;
    /** Tie counts for the footer, or -1 when not recorded. */
    private long tiedAtCut = -1;
    private long tiedZeros = -1;

    private boolean allocated;
    private int rows;
    private int elements;
    private int openRow = -1;
    private int openRowStart;
    private long openRowEnd;
    private long arrayOffset;

    private MaskFileWriter(ArrowFileOutput out, TensorTable tensors, MaskFileInfo info, Batching batching) {
        this.out = out;
        this.tensors = tensors;
        this.info = info;
        this.batching = batching;
        this.maxRows = batching.maxRowsPerBatch();
        this.kept = new long[tensors.size()];
    }

    static List<Field> fields() {
        return List.of(ArrowColumns.dictionary(TENSOR, TENSOR_DICTIONARY), ArrowColumns.dictionary(ARRAY, ARRAY_DICTIONARY),
                ArrowColumns.scalar(OFFSET, ArrowColumns.INT64, false), ArrowColumns.list(VALUES, ArrowColumns.INT32));
    }

    static List<String> arrayNames() {
        List<String> names = new ArrayList<>();
        for (MaskArray a : MaskArray.values()) {
            names.add(a.columnValue());
        }
        return names;
    }

    /**
     * Starts writing {@code target}. Every tensor must have at most 2^31 − 1 elements (indices
     * are int32), and every tensor named in {@link MaskFileInfo#blockShapes()} must be in the table.
     */
    public static MaskFileWriter create(Path target, TensorTable tensors, MaskFileInfo info, Map<String, String> provenance,
                                        Batching batching, BufferAllocator allocator) throws IOException {
        if (tensors == null || info == null || batching == null) {
            throw new IllegalArgumentException("tensors, info and batching must not be null");
        }
        for (TensorInfo t : tensors.tensors()) {
            if (t.size() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor " + t.name() + " has " + t.size()
                        + " elements, but mask files hold int32 flat indices (at most 2^31 - 1 elements per tensor)");
            }
        }
        info.blockShapes().keySet().forEach(tensors::require);
        ObjectNode blocks = MetadataJson.object();
        for (TensorInfo t : tensors.tensors()) {
            BlockShape shape = info.blockShapes().get(t.name());
            if (shape != null) {
                blocks.putArray(t.name()).add(shape.rows()).add(shape.columns());
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(RlcasinoArrowFile.TENSORS, tensors.toJson());
        metadata.put(RlcasinoArrowFile.PROVENANCE, MetadataJson.writeStringMap(MetadataJson.copyStringMap("provenance", provenance)));
        metadata.put(RlcasinoArrowFile.CHUNK_ELEMENTS, Integer.toString(batching.chunkElements()));
        metadata.put(RlcasinoArrowFile.BATCH_ELEMENTS, Integer.toString(batching.batchElements()));
        metadata.put(RlcasinoArrowFile.METHOD, info.method());
        metadata.put(RlcasinoArrowFile.PARAMETERS, MetadataJson.writeStringMap(info.parameters()));
        metadata.put(RlcasinoArrowFile.TARGET_SPARSITY, Double.toString(info.targetSparsity()));
        if (info.threshold().isPresent()) {
            metadata.put(RlcasinoArrowFile.THRESHOLD, Double.toString(info.threshold().getAsDouble()));
        }
        metadata.put(RlcasinoArrowFile.BLOCKS, MetadataJson.write(blocks));
        ArrowFileOutput out = ArrowFileOutput.open(target, RlcasinoFormat.MASK, fields(), metadata,
                Map.of(TENSOR_DICTIONARY, tensors.names(), ARRAY_DICTIONARY, arrayNames()), allocator, batching.allocationLimit());
        return new MaskFileWriter(out, tensors, info, batching);
    }

    /**
     * Writes the block structure of {@code tensor}, before any of its indices; required for, and
     * only for, the tensors with a block shape in {@link MaskFileInfo#blockShapes()}. The indices
     * written next must fall exactly into these blocks, as many per block as the entry pointers say.
     */
    public void writeBlocks(String tensor, MaskBlocks blocks) throws IOException {
        out.checkOpen();
        int t = tensors.require(tensor);
        TensorInfo info = tensors.get(t);
        if (blocks == null) {
            throw new IllegalArgumentException("blocks of tensor " + tensor + " must not be null");
        }
        BlockShape declared = this.info.blockShapes().get(tensor);
        if (declared == null) {
            throw new IllegalArgumentException("tensor " + tensor + " has no block shape in MaskFileInfo.blockShapes; declare it there to store blocks");
        }
        if (!declared.equals(blocks.shape())) {
            throw new IllegalArgumentException("tensor " + tensor + ": blocks are " + blocks.shape() + " but " + declared + " was declared");
        }
        if (t <= this.tensor) {
            throw new IllegalArgumentException(t == this.tensor
                    ? "tensor " + tensor + ": blocks come once, before the tensor's indices"
                    : "tensor " + tensor + " comes after tensor " + tensors.get(this.tensor).name() + ": tensors must come in tensor-table order");
        }
        String problem = blocks.problem(info);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        checkSkippedTensors(t, false);
        checkTensorEnd();
        endArray();
        this.tensor = t;
        this.blocks = blocks;
        this.blockCounts = new int[blocks.activeBlocks()];
        this.lastIndex = -1;
        for (MaskArray array : List.of(MaskArray.BLOCK_ROW_POINTERS, MaskArray.BLOCK_COLUMNS, MaskArray.ENTRY_POINTERS)) {
            int[] values = blocks.array(array);
            arrayOffset = 0;
            append(array, values, 0, values.length);
            endArray();
        }
        arrayOffset = 0;
    }

    /**
     * Writes {@code indices[from, from+count)}: the next active flat indices of {@code tensor},
     * strictly ascending within the tensor (across calls too), in {@code [0, size)}.
     *
     * @throws IllegalArgumentException for an unknown or out-of-order tensor, an unsorted, repeated or
     *                                  out-of-range index, or an index outside the declared blocks; nothing is written then
     */
    public void writeIndices(String tensor, int[] indices, int from, int count) throws IOException {
        out.checkOpen();
        int t = tensors.require(tensor);
        if (indices == null || from < 0 || count < 0 || from > indices.length - count) {
            throw new IllegalArgumentException("indices range [" + from + ", " + from + "+" + count + ") of tensor " + tensor
                    + " is outside the array" + (indices == null ? " (null)" : " of length " + indices.length));
        }
        if (t < this.tensor) {
            throw new IllegalArgumentException("tensor " + tensor + " comes after tensor " + tensors.get(this.tensor).name()
                    + ": tensors must come in tensor-table order");
        }
        boolean newTensor = t != this.tensor;
        if (newTensor) {
            checkSkippedTensors(t, true);
            checkTensorEnd();
        }
        TensorInfo info = tensors.get(t);
        MaskBlocks checkBlocks = newTensor ? null : blocks;
        long previous = newTensor ? -1 : lastIndex;
        for (int k = 0; k < count; k++) {
            int i = indices[from + k];
            if (i < 0 || i >= info.size()) {
                throw new IllegalArgumentException("tensor " + tensor + ": mask index " + i + " is out of range [0, " + info.size() + ")");
            }
            if (i <= previous) {
                throw new IllegalArgumentException("tensor " + tensor + ": mask indices must be strictly ascending, but "
                        + (i == previous ? "index " + i + " is repeated" : "index " + i + " follows " + previous));
            }
            if (checkBlocks != null && checkBlocks.blockOf(i, info) < 0) {
                throw new IllegalArgumentException("tensor " + tensor + ": mask index " + i + " (row " + i / info.matrixColumns() + ", column "
                        + i % info.matrixColumns() + ") lies in no active block of the structure written for it");
            }
            previous = i;
        }
        if (count == 0) {
            return;
        }
        if (newTensor) {
            endArray();
            this.tensor = t;
            this.blocks = null;
            this.blockCounts = null;
            this.arrayOffset = 0;
        }
        if (blocks != null) {
            for (int k = 0; k < count; k++) {
                blockCounts[blocks.blockOf(indices[from + k], info)]++;
            }
        }
        lastIndex = previous;
        kept[t] += count;
        append(MaskArray.INDICES, indices, from, count);
    }

    /** Tensors between the current one and {@code t} (and {@code t} itself when its indices start) must not need blocks. */
    private void checkSkippedTensors(int t, boolean includingT) {
        for (int s = this.tensor + 1; s < (includingT ? t + 1 : t); s++) {
            String name = tensors.get(s).name();
            if (info.blockShapes().containsKey(name)) {
                throw new IllegalArgumentException("tensor " + name + " was declared with blocks " + info.blockShapes().get(name)
                        + ": write its blocks (writeBlocks) before its indices or the next tensor's");
            }
        }
    }

    /** Throws unless the current tensor's indices filled its blocks exactly as the entry pointers say. */
    private void checkTensorEnd() {
        if (tensor >= 0 && blocks != null) {
            String problem = blocks.countProblem(tensors.get(tensor), blockCounts, kept[tensor]);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
    }

    private void append(MaskArray array, int[] values, int from, int count) throws IOException {
        int done = 0;
        while (done < count) {
            if (openRow < 0) {
                openRow(array);
            }
            int n = (int) Math.min(count - done, openRowEnd - arrayOffset);
            ListVector list = (ListVector) out.root().getVector(VALUES);
            ArrowBuf buffer = ((IntVector) list.getDataVector()).getDataBuffer();
            buffer.nioBuffer((long) elements * Integer.BYTES, n * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
                    .put(values, from + done, n);
            elements += n;
            done += n;
            arrayOffset += n;
            if (arrayOffset == openRowEnd) {
                closeRow();
            }
        }
    }

    private void openRow(MaskArray array) {
        if (!allocated) {
            allocate();
        }
        var root = out.root();
        ((IntVector) root.getVector(TENSOR)).set(rows, tensor);
        ((IntVector) root.getVector(ARRAY)).set(rows, array.ordinal());
        ((BigIntVector) root.getVector(OFFSET)).set(rows, arrayOffset);
        openRowStart = ((ListVector) root.getVector(VALUES)).startNewValue(rows);
        long chunk = batching.chunkElements();
        openRowEnd = (arrayOffset / chunk + 1) * chunk;
        openRow = rows;
    }

    private void closeRow() throws IOException {
        ((ListVector) out.root().getVector(VALUES)).endValue(openRow, elements - openRowStart);
        openRow = -1;
        rows++;
        if (rows == maxRows || elements + batching.chunkElements() > batching.batchElements()) {
            flush();
        }
    }

    /** Ends the array being written: its last, shorter row closes here. */
    private void endArray() throws IOException {
        if (openRow >= 0) {
            closeRow();
        }
    }

    private void allocate() {
        var root = out.root();
        ((IntVector) root.getVector(TENSOR)).allocateNew(maxRows);
        ((IntVector) root.getVector(ARRAY)).allocateNew(maxRows);
        ((BigIntVector) root.getVector(OFFSET)).allocateNew(maxRows);
        ListVector list = (ListVector) root.getVector(VALUES);
        list.setInitialCapacity(maxRows, (double) batching.batchElements() / maxRows);
        list.allocateNew();
        IntVector data = (IntVector) list.getDataVector();
        if (data.getValueCapacity() < batching.batchElements()) {
            data.allocateNew(batching.batchElements());
        }
        allocated = true;
    }

    private void flush() throws IOException {
        if (rows == 0) {
            return;
        }
        IntVector data = (IntVector) ((ListVector) out.root().getVector(VALUES)).getDataVector();
        ArrowBuf validity = data.getValidityBuffer();
        validity.setOne(0L, (long) (elements / 8));
        for (int i = elements / 8 * 8; i < elements; i++) {
            BitVectorHelper.setBit(validity, i);
        }
        out.writeBatch(rows);
        rows = 0;
        elements = 0;
        allocated = false;
    }

    /**
     * Records the tie counts written to the footer ({@code rlcasino.tied_at_cut},
     * {@code rlcasino.tied_zeros}; see {@link MaskSummary}); optional, call before {@link #finish()}.
     * {@link #finish()} checks {@code tiedAtCut} against the kept entries.
     */
    public void recordTies(long tiedAtCut, long tiedZeros) {
        out.checkOpen();
        if (tiedAtCut < 0 || tiedZeros < 0 || tiedZeros > tiedAtCut) {
            throw new IllegalArgumentException("tie counts must satisfy 0 <= tiedZeros <= tiedAtCut, got tiedAtCut " + tiedAtCut
                    + ", tiedZeros " + tiedZeros);
        }
        this.tiedAtCut = tiedAtCut;
        this.tiedZeros = tiedZeros;
    }

    /**
     * Checks that every declared block structure was written and matches its indices, writes
     * the rest and the footer ({@code rlcasino.kept}, {@code rlcasino.achieved_sparsity}, and the
     * tie counts if recorded), and renames the file into place.
     */
    public MaskSummary finish() throws IOException {
        out.checkOpen();
        checkSkippedTensors(tensors.size() - 1, true);
        checkTensorEnd();
        endArray();
        flush();
        Map<String, Long> keptByName = new LinkedHashMap<>();
        ObjectNode keptJson = MetadataJson.object();
        long total = 0;
        for (int t = 0; t < tensors.size(); t++) {
            keptByName.put(tensors.get(t).name(), kept[t]);
            keptJson.put(tensors.get(t).name(), kept[t]);
            total += kept[t];
        }
        long all = tensors.totalElements();
        double achieved = all == 0 ? 0.0 : 1.0 - (double) total / all;
        Map<String, String> footer = new LinkedHashMap<>();
        footer.put(RlcasinoArrowFile.KEPT, MetadataJson.write(keptJson));
        footer.put(RlcasinoArrowFile.ACHIEVED_SPARSITY, Double.toString(achieved));
        MaskSummary summary = tiedAtCut < 0 ? new MaskSummary(keptByName, achieved)
                : new MaskSummary(keptByName, achieved, java.util.OptionalLong.of(tiedAtCut), java.util.OptionalLong.of(tiedZeros));
        if (tiedAtCut >= 0) {
            footer.put(RlcasinoArrowFile.TIED_AT_CUT, Long.toString(tiedAtCut));
            footer.put(RlcasinoArrowFile.TIED_ZEROS, Long.toString(tiedZeros));
        }
        out.commit(footer);
        return summary;
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
