package org.rlcasino.io.data;

import java.io.Closeable;
import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The rows of one dataset file in file order, each as the JSON object a JSON line holds: what
 * {@link DatasetReader}'s column logic reads. JSON Lines rows are parsed by {@link DatasetReader}
 * itself, Parquet rows come from {@link ParquetRows}.
 */
interface DatasetRows extends Closeable {
    /** Moves to the next row; false after the last. */
    boolean next() throws IOException;

    /** The current row's number: its line in a JSON Lines file, its place (from 1) in a Parquet file. */
    long row();

    /** The current row as a JSON object; a JSON line that is not one fails as a bad row. */
    JsonNode node();

    /** How a message names row {@code row} after the file's name: {@code :17} (a line), {@code :row 17} (a Parquet row). */
    String where(long row);
}
