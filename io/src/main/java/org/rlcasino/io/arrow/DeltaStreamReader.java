package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Reads a delta stream ({@code rlcasino.deltas}) row by row: each row is one chunk of one
 * tensor in one step. Only one record batch is in memory at a time. Every row is checked
 * against the format's rules (steps ascending, tensors in table order and complete, chunks on
 * the grid, values non-null) and a violation throws {@link ArrowFormatException}.
 * <pre>{@code
 * try (DeltaStreamReader reader = DeltaStreamReader.open(path, allocator)) {
 *     while (reader.next()) {
 *         reader.readValues(buffer, 0);   // reader.length() values of reader.tensor() at reader.offset()
 *     }
 * }
 * }</pre>
 * The accessors describe the row the last {@link #next()} moved to.
 */
public final class DeltaStreamReader extends FloatChunkFileReader {
    private final double tolerance;
    private final DeltaBasis basis;
    private final List<DeltaStep> steps;
    private final long zeroed;
    private int stepsSeen;

    private DeltaStreamReader(ArrowFileInput in) {
        super(in, true);
        this.tolerance = in.parseDouble(RlcasinoArrowFile.TOLERANCE, in.require(RlcasinoArrowFile.TOLERANCE));
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw in.corrupt(RlcasinoArrowFile.TOLERANCE + " must be finite and >= 0, got " + tolerance);
        }
        String basisName = in.optional(RlcasinoArrowFile.BASIS);
        this.basis = basisName == null ? DeltaBasis.STEP : in.parse(RlcasinoArrowFile.BASIS, basisName, DeltaBasis::of);
        this.steps = parseSteps(in);
        this.zeroed = in.parse(RlcasinoArrowFile.ZEROED, in.requireFooter(RlcasinoArrowFile.ZEROED), Long::parseLong);
    }

    /**
     * Opens {@code file} and checks its format, version, metadata and columns.
     *
     * @param allocator the parent of this reader's bounded allocator
     * @throws ArrowFormatException if the file is not a whole {@code rlcasino.deltas} file this version reads
     */
    public static DeltaStreamReader open(Path file, BufferAllocator allocator) throws IOException {
        ArrowFileInput in = ArrowFileInput.open(file, RlcasinoFormat.DELTAS, allocator);
        try {
            return new DeltaStreamReader(in);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static List<DeltaStep> parseSteps(ArrowFileInput in) {
        String json = in.requireFooter(RlcasinoArrowFile.STEPS);
        return in.parse(RlcasinoArrowFile.STEPS, json, v -> {
            JsonNode root = MetadataJson.parse(RlcasinoArrowFile.STEPS, v);
            if (!root.isArray()) {
                throw new IllegalArgumentException("expected a JSON array of {step, source, zeroed}");
            }
            List<DeltaStep> steps = new ArrayList<>();
            for (JsonNode node : root) {
                JsonNode step = node.get("step");
                JsonNode source = node.get("source");
                JsonNode zeroed = node.get("zeroed");
                if (step == null || !step.canConvertToInt() || zeroed == null || !zeroed.canConvertToLong()
                        || (source != null && !source.isNull() && !source.isTextual())) {
                    throw new IllegalArgumentException("entry " + steps.size() + " must be {\"step\": int, \"source\": string or null, \"zeroed\": int}, got " + node);
                }
                steps.add(new DeltaStep(step.intValue(), source == null || source.isNull() ? null : source.asText(), zeroed.longValue()));
            }
            return List.copyOf(steps);
        });
    }

    /** Nonzero deltas below it were written as 0 (0: none were). */
    public double tolerance() {
        return tolerance;
    }

    /** What the deltas are measured against ({@link DeltaBasis#STEP} for files that do not say). */
    public DeltaBasis basis() {
        return basis;
    }

    /** The steps in the file, with their sources and zeroed counts (from the footer). */
    public List<DeltaStep> steps() {
        return steps;
    }

    /** Total nonzero deltas written as 0 because of the tolerance. */
    public long zeroed() {
        return zeroed;
    }

    /** Moves to the next chunk; false at the end, after checking that the last step is complete. */
    @Override
    public boolean next() throws IOException {
        int before = rows.step();
        boolean started = stepsSeen > 0;
        if (!rows.next()) {
            if (stepsSeen != steps.size()) {
                throw in.corrupt("the footer's " + RlcasinoArrowFile.STEPS + " lists " + steps.size() + " steps, but the rows hold " + stepsSeen);
            }
            return false;
        }
        if (!started || rows.step() != before) {
            if (stepsSeen >= steps.size() || steps.get(stepsSeen).step() != rows.step()) {
                throw in.corrupt("the rows hold step " + rows.step() + ", which the footer's " + RlcasinoArrowFile.STEPS
                        + " does not list at position " + stepsSeen);
            }
            stepsSeen++;
        }
        return true;
    }

    /** Step of the current chunk. */
    public int step() {
        return rows.step();
    }
}
