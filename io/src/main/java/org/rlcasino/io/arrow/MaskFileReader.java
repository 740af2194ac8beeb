package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Reads a mask file ({@code rlcasino.mask}) either a tensor at a time ({@link #nextTensor()}:
 * every tensor of the table in order, with all its indices in memory) or a chunk of indices at a
 * time ({@link #nextChunk()}: memory O(batch) plus the current tensor's block arrays). Every row
 * is checked: tensors in table order, arrays in order and complete, indices strictly ascending
 * and in range, blocks valid and consistent with the indices, counts equal to the footer's.
 */
public final class MaskFileReader implements AutoCloseable {
    private final ArrowFileInput in;
    private final TensorTable tensors;
    private final Map<String, String> provenance;
    private final Batching batching;
    private final MaskFileInfo info;
    private final MaskSummary summary;
    private final BlockShape[] shapes;
    private final long[] footerKept;
    private final List<String> columns = List.of(MaskFileWriter.TENSOR, MaskFileWriter.ARRAY, MaskFileWriter.OFFSET, MaskFileWriter.VALUES);

    private int[] tensorOfCode;
    private MaskArray[] arrayOfCode;
    private int rowCount;
    private int row = -1;
    private boolean ended;

    /** Tensor whose rows are being read (-1 before the first row). */
    private int tensor = -1;
    private MaskArray array;
    private long arrayOffset;
    private int[][] blockArrays;
    private MaskBlocks blocks;
    private int[] blockCounts;
    private long kept;
    private long lastIndex;
    private boolean shortIndexRow;

    /** The current index row, copied out of the batch. */
    private final int[] values;
    private int length;
    private long offset;
    private boolean pending;
    private int nextTensorToReturn;

    private MaskFileReader(ArrowFileInput in) {
        this.in = in;
        this.tensors = in.tensors();
        this.provenance = in.provenance();
        this.batching = in.batching();
        this.info = readInfo(in, tensors);
        this.shapes = new BlockShape[tensors.size()];
        info.blockShapes().forEach((name, shape) -> shapes[tensors.indexOf(name)] = shape);
        this.footerKept = readKept(in, tensors);
        Map<String, Long> keptByName = new LinkedHashMap<>();
        for (int t = 0; t < tensors.size(); t++) {
            keptByName.put(tensors.get(t).name(), footerKept[t]);
        }
        double achieved = in.parseDouble(RlcasinoArrowFile.ACHIEVED_SPARSITY, in.requireFooter(RlcasinoArrowFile.ACHIEVED_SPARSITY));
        this.summary = readTies(in, keptByName, achieved);
        this.values = new int[batching.chunkElements()];
        in.requireColumns(MaskFileWriter.fields());
    }

    /** Opens {@code file} and checks its format, version, metadata and columns. */
    public static MaskFileReader open(Path file, BufferAllocator allocator) throws IOException {
        ArrowFileInput in = ArrowFileInput.open(file, RlcasinoFormat.MASK, allocator);
        try {
            return new MaskFileReader(in);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static MaskFileInfo readInfo(ArrowFileInput in, TensorTable tensors) {
        String method = in.require(RlcasinoArrowFile.METHOD);
        double target = in.parseDouble(RlcasinoArrowFile.TARGET_SPARSITY, in.require(RlcasinoArrowFile.TARGET_SPARSITY));
        String thresholdText = in.metadata().get(RlcasinoArrowFile.THRESHOLD);
        OptionalDouble threshold = thresholdText == null ? OptionalDouble.empty()
                : OptionalDouble.of(in.parseDouble(RlcasinoArrowFile.THRESHOLD, thresholdText));
        Map<String, String> parameters = in.parse(RlcasinoArrowFile.PARAMETERS, in.require(RlcasinoArrowFile.PARAMETERS),
                v -> MetadataJson.parseStringMap(RlcasinoArrowFile.PARAMETERS, v));
        Map<String, BlockShape> blockShapes = in.parse(RlcasinoArrowFile.BLOCKS, in.require(RlcasinoArrowFile.BLOCKS), v -> {
            JsonNode root = MetadataJson.parse(RlcasinoArrowFile.BLOCKS, v);
            if (!root.isObject()) {
                throw new IllegalArgumentException("expected a JSON object of tensor name -> [blockRows, blockColumns]");
            }
            Map<String, BlockShape> shapes = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : root.properties()) {
                JsonNode shape = e.getValue();
                if (!shape.isArray() || shape.size() != 2 || !shape.get(0).canConvertToInt() || !shape.get(1).canConvertToInt()) {
                    throw new IllegalArgumentException("block shape of " + e.getKey() + " must be [blockRows, blockColumns], got " + shape);
                }
                if (tensors.indexOf(e.getKey()) < 0) {
                    throw new IllegalArgumentException("names tensor " + e.getKey() + ", which the tensor table does not list");
                }
                shapes.put(e.getKey(), new BlockShape(shape.get(0).intValue(), shape.get(1).intValue()));
            }
            return shapes;
        });
        return in.parse(RlcasinoArrowFile.TARGET_SPARSITY, method, m -> new MaskFileInfo(m, target, threshold, parameters, blockShapes));
    }

    /** The summary, with the optional tie counts (files written before they existed have none). */
    private static MaskSummary readTies(ArrowFileInput in, Map<String, Long> kept, double achieved) {
        String tied = in.footer(RlcasinoArrowFile.TIED_AT_CUT);
        String zeros = in.footer(RlcasinoArrowFile.TIED_ZEROS);
        if (tied == null && zeros == null) {
            return new MaskSummary(kept, achieved);
        }
        String both = RlcasinoArrowFile.TIED_AT_CUT + "/" + RlcasinoArrowFile.TIED_ZEROS;
        return in.parse(both, both, k -> {
            if (tied == null || zeros == null) {
                throw new IllegalArgumentException("the footer holds one of the two tie counts only");
            }
            return new MaskSummary(kept, achieved, java.util.OptionalLong.of(Long.parseLong(tied.trim())),
                    java.util.OptionalLong.of(Long.parseLong(zeros.trim())));
        });
    }

    private static long[] readKept(ArrowFileInput in, TensorTable tensors) {
        return in.parse(RlcasinoArrowFile.KEPT, in.requireFooter(RlcasinoArrowFile.KEPT), v -> {
            JsonNode root = MetadataJson.parse(RlcasinoArrowFile.KEPT, v);
            long[] kept = new long[tensors.size()];
            if (!root.isObject() || root.size() != tensors.size()) {
                throw new IllegalArgumentException("expected a JSON object with the kept count of each of the " + tensors.size() + " tensors");
            }
            for (int t = 0; t < tensors.size(); t++) {
                JsonNode count = root.get(tensors.get(t).name());
                if (count == null || !count.canConvertToLong() || count.longValue() < 0 || count.longValue() > tensors.get(t).size()) {
                    throw new IllegalArgumentException("kept count of tensor " + tensors.get(t).name() + " must be in [0, "
                            + tensors.get(t).size() + "], got " + count);
                }
                kept[t] = count.longValue();
            }
            return kept;
        });
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

    /** Method, target sparsity, threshold, parameters, block shapes. */
    public MaskFileInfo info() {
        return info;
    }

    /** Kept counts and achieved sparsity from the footer (checked against the rows as they are read). */
    public MaskSummary summary() {
        return summary;
    }

    public Map<String, String> metadata() {
        return in.metadata();
    }

    /**
     * The next tensor of the table with all its indices, or null after the last. Tensors without
     * active entries come too (empty indices). Do not mix with {@link #nextChunk()} within a tensor.
     */
    public MaskTensor nextTensor() throws IOException {
        if (nextTensorToReturn >= tensors.size()) {
            if (!pending) {
                pending = advance();
            }
            if (pending) {
                throw in.corrupt("rows of tensor " + tensors.get(tensor).name() + " follow the last tensor");
            }
            return null;
        }
        int t = nextTensorToReturn++;
        int[] indices = new int[0];
        int size = 0;
        MaskBlocks tensorBlocks = null;
        while (true) {
            if (!pending) {
                pending = advance();
            }
            if (!pending || tensor != t) {
                break;
            }
            tensorBlocks = blocks;
            if (size + length > indices.length) {
                indices = Arrays.copyOf(indices, Math.max(size + length, (int) Math.min(Integer.MAX_VALUE - 8, 2L * indices.length)));
            }
            System.arraycopy(values, 0, indices, size, length);
            size += length;
            pending = false;
        }
        if (tensorBlocks == null && shapes[t] != null) {
            tensorBlocks = MaskBlocks.empty(shapes[t], tensors.get(t));
        }
        return new MaskTensor(t, tensors.get(t), Arrays.copyOf(indices, size), tensorBlocks);
    }

    /** Moves to the next chunk of indices (block rows are read and checked on the way); false at the end. */
    public boolean nextChunk() throws IOException {
        if (pending) {
            pending = false;
            return true;
        }
        return advance();
    }

    /** Table position of the current chunk's tensor. */
    public int tensorIndex() {
        return tensor;
    }

    public TensorInfo tensor() {
        return tensors.get(tensor);
    }

    /** Position of the current chunk's first index within the tensor's index list. */
    public long offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** Index {@code i} of the current chunk. */
    public int index(int i) {
        if (i < 0 || i >= length) {
            throw new IndexOutOfBoundsException("index " + i + " of a chunk of " + length);
        }
        return values[i];
    }

    /** Copies the current chunk's {@link #length()} indices into {@code dst[dstFrom…]}. */
    public void readIndices(int[] dst, int dstFrom) {
        System.arraycopy(values, 0, dst, dstFrom, length);
    }

    /** Block structure of the current chunk's tensor, or null if the file stores none for it. */
    public MaskBlocks blocks() {
        return blocks;
    }

    /** Reads rows up to the next index row; false at the end, after the final checks. */
    private boolean advance() throws IOException {
        while (true) {
            if (ended) {
                return false;
            }
            while (row + 1 >= rowCount) {
                if (!in.nextBatch(columns)) {
                    ended = true;
                    endTensor();
                    startTensorsUpTo(tensors.size());
                    return false;
                }
                if (tensorOfCode == null) {
                    tensorOfCode = FloatChunkReader.tensorCodes(in, tensors, MaskFileWriter.TENSOR);
                    List<String> names = in.dictionary(MaskFileWriter.ARRAY);
                    arrayOfCode = new MaskArray[names.size()];
                    for (int i = 0; i < names.size(); i++) {
                        arrayOfCode[i] = MaskArray.byColumnValue(names.get(i));
                        if (arrayOfCode[i] == null) {
                            throw in.corrupt("column array holds \"" + names.get(i) + "\", expected one of " + MaskFileWriter.arrayNames());
                        }
                    }
                }
                rowCount = in.root().getRowCount();
                row = -1;
            }
            row++;
            if (readRow()) {
                return true;
            }
        }
    }

    /** Checks and consumes one row; true if it is an index row (now current). */
    private boolean readRow() {
        var root = in.root();
        String where = "record batch " + in.currentBatch() + " row " + row + ": ";
        int tensorCode = ((IntVector) root.getVector(MaskFileWriter.TENSOR)).get(row);
        int arrayCode = ((IntVector) root.getVector(MaskFileWriter.ARRAY)).get(row);
        if (tensorCode < 0 || tensorCode >= tensorOfCode.length || arrayCode < 0 || arrayCode >= arrayOfCode.length) {
            throw in.corrupt(where + "dictionary code out of range");
        }
        int t = tensorOfCode[tensorCode];
        MaskArray a = arrayOfCode[arrayCode];
        long rowOffset = ((BigIntVector) root.getVector(MaskFileWriter.OFFSET)).get(row);
        ListVector list = (ListVector) root.getVector(MaskFileWriter.VALUES);
        int start = list.getElementStartIndex(row);
        int rowLength = list.getElementEndIndex(row) - start;
        if (t != tensor) {
            if (t < tensor) {
                throw in.corrupt(where + "tensor " + tensors.get(t).name() + " comes after tensor " + tensors.get(tensor).name()
                        + ": tensors must come in tensor-table order");
            }
            endTensor();
            startTensorsUpTo(t);
            startTensor(t);
        }
        TensorInfo info = tensors.get(t);
        String name = "tensor " + info.name() + " " + a.columnValue();
        if (a != array) {
            if (a.ordinal() < array.ordinal() || !arrayComplete()) {
                throw in.corrupt(where + a.columnValue() + " rows of tensor " + info.name() + " come where " + array.columnValue()
                        + (arrayComplete() ? "" : " (" + arrayOffset + " of " + expectedLength(array) + " values so far)")
                        + " rows were expected; per tensor the rows are block_row_pointers, block_columns, entry_pointers (tensors with blocks only), then indices");
            }
            while (array != a) {
                nextArray();
                if (array != a && !arrayComplete()) {
                    throw in.corrupt(where + a.columnValue() + " rows of tensor " + info.name() + " come before its " + array.columnValue());
                }
            }
        }
        long chunk = batching.chunkElements();
        if (rowOffset != arrayOffset || rowOffset % chunk != 0) {
            throw in.corrupt(where + name + " row starts at " + rowOffset + ", expected " + arrayOffset + " (rows start at multiples of "
                    + RlcasinoArrowFile.CHUNK_ELEMENTS + "=" + chunk + ", contiguously)");
        }
        if (a == MaskArray.INDICES) {
            if (rowLength < 1 || rowLength > chunk || shortIndexRow) {
                throw in.corrupt(where + name + " row at " + rowOffset + " holds " + rowLength + " values; rows hold " + chunk
                        + " values, only a tensor's last index row fewer (at least 1)");
            }
        } else {
            long expected = Math.min(chunk, expectedLength(a) - rowOffset);
            if (rowLength != expected) {
                throw in.corrupt(where + name + " row at " + rowOffset + " holds " + rowLength + " values, expected " + expected);
            }
        }
        int[] target = a == MaskArray.INDICES ? values : blockArrays[a.ordinal()];
        int targetFrom = a == MaskArray.INDICES ? 0 : (int) rowOffset;
        ((IntVector) list.getDataVector()).getDataBuffer().nioBuffer((long) start * Integer.BYTES, rowLength * Integer.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(target, targetFrom, rowLength);
        arrayOffset += rowLength;
        if (a == MaskArray.BLOCK_ROW_POINTERS && arrayComplete()) {
            int[] p = blockArrays[0];
            for (int r = 1; r < p.length; r++) {
                if (p[r] < p[r - 1]) {
                    throw in.corrupt("tensor " + info.name() + ": block_row_pointers must be non-decreasing, but " + p[r] + " follows " + p[r - 1]);
                }
            }
            if (p[0] != 0 || p[p.length - 1] > MaskBlocks.blockColumnCount(shapes[t], info) * (p.length - 1)) {
                throw in.corrupt("tensor " + info.name() + ": block_row_pointers must start at 0 and end at most at the number of blocks");
            }
        }
        if (a != MaskArray.INDICES) {
            return false;
        }
        if (blocks == null && shapes[t] != null) {
            finishBlocks();
        }
        for (int k = 0; k < rowLength; k++) {
            int i = values[k];
            if (i < 0 || i >= info.size() || i <= lastIndex) {
                throw in.corrupt(where + "tensor " + info.name() + ": index " + i + " at position " + (rowOffset + k)
                        + (i <= lastIndex && i >= 0 ? (i == lastIndex ? " repeats the previous one" : " follows " + lastIndex)
                        + "; indices must be strictly ascending" : " is out of range [0, " + info.size() + ")"));
            }
            if (blocks != null) {
                int b = blocks.blockOf(i, info);
                if (b < 0) {
                    throw in.corrupt(where + "tensor " + info.name() + ": index " + i + " lies in no active block");
                }
                blockCounts[b]++;
            }
            lastIndex = i;
        }
        kept += rowLength;
        shortIndexRow = rowLength < chunk;
        offset = rowOffset;
        length = rowLength;
        return true;
    }

    private void startTensor(int t) {
        tensor = t;
        array = shapes[t] != null ? MaskArray.BLOCK_ROW_POINTERS : MaskArray.INDICES;
        arrayOffset = 0;
        blockArrays = shapes[t] != null ? new int[3][] : null;
        if (blockArrays != null) {
            blockArrays[0] = new int[MaskBlocks.blockRowCount(shapes[t], tensors.get(t)) + 1];
        }
        blocks = null;
        blockCounts = null;
        kept = 0;
        lastIndex = -1;
        shortIndexRow = false;
    }

    /** Tensors before {@code t} that have no rows must have no blocks and no kept entries. */
    private void startTensorsUpTo(int t) {
        for (int s = tensor + 1; s < t; s++) {
            if (shapes[s] != null) {
                throw in.corrupt("tensor " + tensors.get(s).name() + " declares blocks " + shapes[s] + " in " + RlcasinoArrowFile.BLOCKS
                        + " but has no block rows");
            }
            if (footerKept[s] != 0) {
                throw in.corrupt("tensor " + tensors.get(s).name() + " has no index rows but the footer's " + RlcasinoArrowFile.KEPT
                        + " says " + footerKept[s]);
            }
        }
    }

    private void endTensor() {
        if (tensor < 0) {
            return;
        }
        TensorInfo info = tensors.get(tensor);
        if (shapes[tensor] != null) {
            while (array != MaskArray.INDICES) {
                if (!arrayComplete()) {
                    throw in.corrupt("tensor " + info.name() + ": its " + array.columnValue() + " ends after " + arrayOffset + " of "
                            + expectedLength(array) + " values");
                }
                nextArray();
            }
            if (blocks == null) {
                finishBlocks();
            }
            String problem = blocks.countProblem(info, blockCounts, kept);
            if (problem != null) {
                throw in.corrupt(problem);
            }
        }
        if (kept != footerKept[tensor]) {
            throw in.corrupt("tensor " + info.name() + " has " + kept + " indices but the footer's " + RlcasinoArrowFile.KEPT + " says "
                    + footerKept[tensor]);
        }
    }

    private boolean arrayComplete() {
        return array != MaskArray.INDICES && arrayOffset == expectedLength(array);
    }

    private long expectedLength(MaskArray a) {
        return switch (a) {
            case BLOCK_ROW_POINTERS -> blockArrays[0].length;
            case BLOCK_COLUMNS -> blockArrays[0][blockArrays[0].length - 1];
            case ENTRY_POINTERS -> blockArrays[0][blockArrays[0].length - 1] + 1L;
            case INDICES -> Long.MAX_VALUE;
        };
    }

    private void nextArray() {
        array = MaskArray.values()[array.ordinal() + 1];
        arrayOffset = 0;
        if (array != MaskArray.INDICES) {
            blockArrays[array.ordinal()] = new int[(int) expectedLength(array)];
        }
    }

    private void finishBlocks() {
        blocks = MaskBlocks.of(shapes[tensor], blockArrays[0], blockArrays[1], blockArrays[2]);
        String problem = blocks.problem(tensors.get(tensor));
        if (problem != null) {
            throw in.corrupt(problem);
        }
        blockCounts = new int[blocks.activeBlocks()];
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
