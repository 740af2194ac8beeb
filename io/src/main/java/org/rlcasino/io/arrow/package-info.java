/**
 * The Arrow IPC file formats of RL Casino: delta streams, score files, mask files and metric
 * tables. Each is an Arrow IPC <em>file</em> (random access; {@code pyarrow.ipc.open_file}) that
 * any Arrow reader opens; the project's readers add the format's checks.
 *
 * <h2>Shared rules</h2>
 * <ul>
 *   <li>Schema metadata {@code rlcasino.format} names the format and {@code rlcasino.version} its
 *       version (1). Readers refuse other formats (naming the command that reads them), newer
 *       versions ("upgrade RL Casino"), non-Arrow and truncated files, with an
 *       {@link org.rlcasino.io.arrow.ArrowFormatException}.</li>
 *   <li>{@code rlcasino.tensors}: JSON array of {@code {"name", "shape", "dtype"}} (deltas, scores,
 *       mask); {@code rlcasino.provenance}: JSON object of strings.</li>
 *   <li>{@code tensor} columns are dictionary-encoded utf8 (int32 indices; the dictionary is the
 *       tensor table's names, so pandas shows a Categorical).</li>
 *   <li>Chunked formats: a row holds elements {@code [k·c, min((k+1)·c, size))} of one tensor's
 *       array, {@code c = rlcasino.chunk_elements}; a record batch holds at most
 *       {@code rlcasino.batch_elements} values. Writing and reading take memory O(batch).</li>
 *   <li>Writers write a temporary file next to the target and rename it on {@code finish()};
 *       closing without {@code finish()} (an exception, {@code abort()}) deletes it.</li>
 *   <li>Statistics known only at the end live in the footer's custom metadata
 *       ({@code rlcasino.steps}, {@code rlcasino.zeroed}, {@code rlcasino.kept},
 *       {@code rlcasino.achieved_sparsity}, {@code rlcasino.rows}).</li>
 *   <li>The footer's {@code rlcasino.checksum} and {@code rlcasino.checksums} hold one CRC32C per
 *       record batch ({@link org.rlcasino.io.arrow.BatchChecksums}); readers check each batch
 *       before loading it and report a mismatch as corruption of that file and batch. Files
 *       without them are read unchecked.</li>
 * </ul>
 *
 * <h2>Formats</h2>
 * <pre>
 * rlcasino.deltas   step int32, tensor dictionary&lt;utf8,int32&gt;, offset int64, values list&lt;float32&gt;
 *                   every step covers every tensor completely, in table order; steps ascending
 * rlcasino.scores   tensor dictionary&lt;utf8,int32&gt;, offset int64, values list&lt;float32&gt;
 * rlcasino.mask     tensor dictionary&lt;utf8,int32&gt;, array dictionary&lt;utf8,int32&gt;, offset int64, values list&lt;int32&gt;
 *                   array: block_row_pointers, block_columns, entry_pointers (tensors with blocks), then indices
 * rlcasino.metrics  any nullable utf8 / int64 / float64 columns
 * </pre>
 */
package org.rlcasino.io.arrow;
