package org.rlcasino.scoring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.DeltaStep;
import org.rlcasino.io.arrow.DeltaStreamReader;
import org.rlcasino.io.arrow.ScoreFileInfo;
import org.rlcasino.io.arrow.ScoreFileWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.io.deltas.CheckpointRef;
import org.rlcasino.io.deltas.DeltaExtractor;
import org.rlcasino.io.deltas.TensorSelection;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;
import org.rlcasino.io.safetensors.SafetensorsEntry;

/**
 * Scores of the "true" mask of a run (the paper's definition): {@code s = |θ_final − θ_start|},
 * written as a score file ({@code rlcasino.scores}, method {@value #METHOD}) so that the exact
 * builder turns it into the top-k mask at any sparsity.
 *
 * <ul>
 *   <li>{@link #fromCheckpoints}: read from the two checkpoints, chunk by chunk, in float32
 *       ({@code θ_final − θ_start} per element in float32, then its absolute value). Memory: one
 *       chunk buffer plus one record batch.</li>
 *   <li>{@link #fromDeltas}: on the start basis the last delta {@code |δ_T| = |θ_T − θ_0|}; on the
 *       step basis {@code |Σ_t δ_t|} over every step of a delta stream, summed in float32
 *       in step order. This equals {@code |θ_last − θ_first|} up to float rounding (each δ_t was
 *       already rounded to float32, and the sum rounds again); the two agree exactly when every
 *       partial sum is representable, e.g. F32 values on a common power-of-two grid. Memory: one
 *       float of state per parameter (like the magnitude scorer) plus one record batch.</li>
 * </ul>
 */
public final class TruthScores {
    /** The method written to the score file. */
    public static final String METHOD = "truth";
    /** Floats read per chunk from each checkpoint. */
    static final int READ_ELEMENTS = 1 << 16;

    private TruthScores() {}

    /**
     * Writes {@code |θ_final − θ_start|} of every tensor the two checkpoints share to {@code out}.
     *
     * @throws IllegalArgumentException if the checkpoints do not hold the same tensors (names, shapes, dtypes)
     */
    public static void fromCheckpoints(Path start, Path end, Path out, BufferAllocator allocator) throws IOException {
        List<SafetensorsEntry> selected = DeltaExtractor.sharedTensors(
                List.of(new CheckpointRef(0, start), new CheckpointRef(1, end)), TensorSelection.ALL,
                "The true mask compares the first and last checkpoint of one run of one model: give --from and --to of the same run.");
        List<TensorInfo> table = new ArrayList<>();
        long max = 0;
        for (SafetensorsEntry t : selected) {
            table.add(new TensorInfo(t.name(), t.shape(), t.dtype().safetensorsName()));
            max = Math.max(max, t.numel());
        }
        if (table.isEmpty()) {
            throw new IllegalArgumentException(start + ": no tensors: nothing to select");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("formula", "|theta_final - theta_start|");
        parameters.put("source", "checkpoints");
        parameters.put("from", start.toString());
        parameters.put("to", end.toString());
        Map<String, String> provenance = new LinkedHashMap<>(parameters);
        provenance.put("tool", "casino mask --truth");
        int read = (int) Math.min(READ_ELEMENTS, Math.max(1, max));
        float[] buffer = new float[read];
        try (SafetensorsCheckpoint before = SafetensorsCheckpoint.open(start);
             SafetensorsCheckpoint after = SafetensorsCheckpoint.open(end);
             ScoreFileWriter w = ScoreFileWriter.create(out, TensorTable.of(table), new ScoreFileInfo(METHOD, parameters,
                     List.of()), provenance, Batching.DEFAULTS, allocator)) {
            for (int t = 0; t < selected.size(); t++) {
                String name = selected.get(t).name();
                long size = selected.get(t).numel();
                for (long offset = 0; offset < size; offset += read) {
                    int count = (int) Math.min(read, size - offset);
                    after.readFloatDifference(name, before, offset, buffer, 0, count);
                    abs(buffer, count, name, offset);
                    w.writeChunk(t, offset, buffer, 0, count);
                }
            }
            w.finish();
        }
    }

    /**
     * Writes {@code |θ_last − θ_0|} from the delta stream (start basis: its last step; step basis: {@code |Σ_t δ_t|} over all steps) {@code deltas} to {@code out}.
     *
     * @throws IllegalArgumentException if the stream holds no entries or too many for one float array
     */
    public static void fromDeltas(Path deltas, Path out, BufferAllocator allocator) throws IOException {
        try (DeltaStreamReader reader = DeltaStreamReader.open(deltas, allocator)) {
            TensorTable table = reader.tensors();
            long[] baseOf = new long[table.size()];
            long total = 0;
            for (int t = 0; t < table.size(); t++) {
                baseOf[t] = total;
                total += table.get(t).size();
            }
            if (total == 0) {
                throw new IllegalArgumentException(deltas + ": the deltas hold no entries: nothing to select");
            }
            if (total > StreamingScorer.MAX_ARRAY) {
                throw new IllegalArgumentException(deltas + ": " + total + " parameters exceed a Java array's "
                        + StreamingScorer.MAX_ARRAY + " elements");
            }
            boolean start = reader.basis() == DeltaBasis.START;
            float[] sum = new float[(int) total];
            float[] row = new float[Math.max(1, reader.batching().chunkElements())];
            while (reader.next()) {
                int length = reader.length();
                if (row.length < length) {
                    row = new float[length];
                }
                reader.readValues(row, 0);
                int base = (int) (baseOf[reader.tensorIndex()] + reader.offset());
                if (start) {
                    System.arraycopy(row, 0, sum, base, length); // the last step's θ_last − θ_0 remains
                } else {
                    for (int i = 0; i < length; i++) {
                        sum[base + i] += row[i];
                    }
                }
            }
            List<Integer> steps = reader.steps().stream().map(DeltaStep::step).toList();
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("formula", start ? "|last delta| (start basis: = |theta_last - theta_0|)"
                    : "|sum delta| (step basis: = |theta_last - theta_0| up to float32 rounding)");
            parameters.put("source", "deltas");
            parameters.put("deltas", deltas.toString());
            Map<String, String> provenance = new LinkedHashMap<>(parameters);
            provenance.put("tool", "casino mask --truth");
            if (!steps.isEmpty()) {
                provenance.put("steps", steps.getFirst() + ".." + steps.getLast() + " (" + steps.size() + " steps)");
            }
            try (ScoreFileWriter w = ScoreFileWriter.create(out, table, new ScoreFileInfo(METHOD, parameters, steps),
                    provenance, reader.batching(), allocator)) {
                for (int t = 0; t < table.size(); t++) {
                    long size = table.get(t).size();
                    if (size == 0) {
                        continue;
                    }
                    int base = (int) baseOf[t];
                    for (int i = 0; i < size; i++) {
                        sum[base + i] = Math.abs(sum[base + i]);
                    }
                    checkFinite(sum, base, (int) size, table.get(t).name());
                    w.writeChunk(t, 0, sum, base, (int) size);
                }
                w.finish();
            }
        }
    }

    private static void abs(float[] v, int n, String tensor, long offset) {
        for (int i = 0; i < n; i++) {
            float a = Math.abs(v[i]);
            if (!Float.isFinite(a)) {
                throw new IllegalArgumentException("tensor " + tensor + ": |θ_final − θ_start| at element " + (offset + i)
                        + " is not finite (" + a + ")");
            }
            v[i] = a;
        }
    }

    private static void checkFinite(float[] v, int from, int n, String tensor) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(v[from + i])) {
                throw new IllegalArgumentException("tensor " + tensor + ": |Σ δ| at element " + i + " is not finite ("
                        + v[from + i] + ")");
            }
        }
    }
}
