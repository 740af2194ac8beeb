package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * What all RL Casino Arrow files share: the metadata keys, bounded allocators, and a way to ask
 * which format a file is. Every file is an Arrow IPC <em>file</em> (random access, readable by
 * {@code pyarrow.ipc.open_file}) whose schema metadata holds at least {@link #FORMAT} and
 * {@link #VERSION}.
 */
public final class RlcasinoArrowFile {
    /** Schema metadata: the format name, e.g. {@code rlcasino.deltas}. */
    public static final String FORMAT = "rlcasino.format";
    /** Schema metadata: the format version as a decimal integer ({@value RlcasinoFormat#CURRENT_VERSION}). */
    public static final String VERSION = "rlcasino.version";
    /** Schema metadata: JSON array of {@code {"name", "shape", "dtype"}}; see {@link TensorTable}. */
    public static final String TENSORS = "rlcasino.tensors";
    /** Schema metadata: JSON object of strings (source files and steps, method, parameters, config hash…). */
    public static final String PROVENANCE = "rlcasino.provenance";
    /** Schema metadata: values per row ({@link Batching#chunkElements()}). */
    public static final String CHUNK_ELEMENTS = "rlcasino.chunk_elements";
    /** Schema metadata: values per record batch at most ({@link Batching#batchElements()}). */
    public static final String BATCH_ELEMENTS = "rlcasino.batch_elements";
    /** Schema metadata (deltas): |δ| below it was written as 0; "0" when nothing was zeroed. */
    public static final String TOLERANCE = "rlcasino.tolerance";
    /** Schema metadata (deltas): {@code step} or {@code start} ({@link DeltaBasis}); absent in older files, which hold step deltas. */
    public static final String BASIS = "rlcasino.basis";
    /** Schema metadata (scores, mask): the method name. */
    public static final String METHOD = "rlcasino.method";
    /** Schema metadata (scores, mask): JSON object of strings with the method's parameters. */
    public static final String PARAMETERS = "rlcasino.parameters";
    /** Schema metadata (scores): JSON array of the delta steps the scores were computed from. */
    public static final String SOURCE_STEPS = "rlcasino.source_steps";
    /** Schema metadata (mask): requested fraction of inactive entries. */
    public static final String TARGET_SPARSITY = "rlcasino.target_sparsity";
    /** Schema metadata (mask, optional): the score threshold the mask was cut at. */
    public static final String THRESHOLD = "rlcasino.threshold";
    /** Schema metadata (mask, optional): JSON object tensor name → [blockRows, blockColumns]. */
    public static final String BLOCKS = "rlcasino.blocks";
    /** Schema metadata (metrics): JSON object of strings describing the table (title, units…). */
    public static final String PROPERTIES = "rlcasino.properties";
    /** Footer metadata (deltas): JSON array of {@code {"step", "source", "zeroed"}}, one per step. */
    public static final String STEPS = "rlcasino.steps";
    /** Footer metadata (deltas): total entries zeroed by the tolerance. */
    public static final String ZEROED = "rlcasino.zeroed";
    /** Footer metadata (mask): JSON object tensor name → active entries. */
    public static final String KEPT = "rlcasino.kept";
    /** Footer metadata (mask): 1 − active entries / all entries. */
    public static final String ACHIEVED_SPARSITY = "rlcasino.achieved_sparsity";
    /** Footer metadata (mask, optional): active entries whose score equals the cut (the threshold), see {@link MaskSummary}. */
    public static final String TIED_AT_CUT = "rlcasino.tied_at_cut";
    /** Footer metadata (mask, optional): how many of the {@link #TIED_AT_CUT} entries score exactly zero. */
    public static final String TIED_ZEROS = "rlcasino.tied_zeros";
    /** Footer metadata (metrics): number of rows. */
    public static final String ROWS = "rlcasino.rows";
    /**
     * Footer metadata (every format written since checksums were added): the checksum algorithm,
     * {@code crc32c-per-batch-v1}. Files without it (older ones) are read without a check.
     */
    public static final String CHECKSUM = "rlcasino.checksum";
    /** Footer metadata: JSON array of 8-digit hex CRC32C values, one per record batch; see {@code BatchChecksums}. */
    public static final String CHECKSUMS = "rlcasino.checksums";

    private RlcasinoArrowFile() {}

    /** A root allocator that refuses to hold more than {@code limit} bytes; close it when done (it throws if memory leaked). */
    public static BufferAllocator boundedAllocator(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("allocator limit must be >= 1 byte, got " + limit);
        }
        return new RootAllocator(limit);
    }

    /**
     * Which RL Casino format {@code file} is, after checking that it is a whole Arrow IPC file of
     * a version this code reads; reads only the footer and schema.
     *
     * @throws ArrowFormatException if it is not an Arrow file, is truncated, is not an RL Casino file, or is too new
     */
    public static RlcasinoFormat formatOf(Path file) throws IOException {
        try (BufferAllocator allocator = boundedAllocator(16L << 20);
             ArrowFileInput input = ArrowFileInput.open(file, null, allocator)) {
            return input.format();
        }
    }
}
