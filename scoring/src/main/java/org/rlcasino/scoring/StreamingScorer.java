package org.rlcasino.scoring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.InsufficientHeapException;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.DeltaStep;
import org.rlcasino.io.arrow.DeltaStreamReader;
import org.rlcasino.io.arrow.ScoreFileInfo;
import org.rlcasino.io.arrow.ScoreFileWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.io.config.ScorerName;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.ScoringKernels;

/**
 * Reads a delta stream once, batch by batch, and turns the deltas of the selected steps and
 * tensors into one score per parameter, written as a score file ({@code rlcasino.scores}).
 *
 * <p>State is kept in flat float arrays over the selected parameters (n entries, the selected
 * tensors in table order). Within a step the stream visits the selected parameters in exactly
 * that flat order, so consecutive chunks are copied into one reusable buffer of at most one
 * record batch ({@code rlcasino.batch_elements} floats) and the scorer's update kernel is launched
 * over the buffer when it is full and at the end of each step, with the run's position in a small
 * {@code int[] window} ({@link ScoringKernels}). Memory: the scorer's state plus that buffer plus
 * the reader's record batches; reading stops after the last step that contributes. A selection
 * whose state cannot fit in the JVM's heap limit is refused before reading
 * ({@link InsufficientHeapException}).
 */
public abstract sealed class StreamingScorer permits MagnitudeScorer, MomentumScorer, FisherScorer {
    /** Largest state array: Java arrays hold at most about 2^31 elements. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;


    protected final Backend backend;

    protected StreamingScorer(Backend backend) {
        if (backend == null) {
            throw new IllegalArgumentException("backend must not be null");
        }
        this.backend = backend;
    }

    /**
     * The scorer {@code name} on {@code backend}. Plain {@code momentum} scores with {@code momentumFormula},
     * {@code momentum-paper} and {@code momentum-reference} with the formula they name; {@code window} and
     * {@code eps} go to momentum only (and are checked only there).
     */
    public static StreamingScorer of(ScorerName name, Backend backend, MomentumFormula momentumFormula, int window,
                                     double eps) {
        return switch (name) {
            case MAGNITUDE -> new MagnitudeScorer(backend);
            case MOMENTUM -> new MomentumScorer(backend, momentumFormula, window, eps);
            case MOMENTUM_PAPER, MOMENTUM_REFERENCE ->
                    new MomentumScorer(backend, MomentumFormula.of(name.momentumFormula()), window, eps);
            case FISHER -> new FisherScorer(backend);
        };
    }

    /** Name written as {@code rlcasino.method}. */
    public abstract String method();

    /** Parameters written as {@code rlcasino.parameters}. */
    public abstract Map<String, String> parameters();

    /** Checks that {@code steps} (the steps in range) suffice; throws {@link IllegalArgumentException} if not. */
    void checkSteps(List<Integer> steps) {}

    /** The steps whose deltas change the score (a suffix of {@code steps}). */
    List<Integer> contributingSteps(List<Integer> steps) {
        return steps;
    }

    /** Allocates the state for {@code n} parameters and prepares the update kernel over {@code buffer} and {@code window}. */
    abstract void prepare(int n, float[] buffer, int[] window);

    /** Called before the first run of contributing step number {@code index} (0-based). */
    abstract void beginStep(int index);

    /** Launches the update for the run described by {@code window} (base, length) in the buffer. */
    abstract void update();

    /** Finalises after {@code steps} contributing steps; returns the n scores on the host. */
    abstract float[] finish(int steps);

    /** Floats of state per selected parameter (the memory bound is this times 4 bytes times n, plus one batch). */
    public abstract long stateFloatsPerParameter();

    /**
     * Bytes of state per selected parameter for scoring a file of basis {@code file} on basis
     * {@code scored}: the scorer's state plus the basis conversion's (8 bytes step → start, 4 start → step).
     */
    public final long stateBytesPerParameter(DeltaBasis file, DeltaBasis scored) {
        return stateFloatsPerParameter() * Float.BYTES + DeltaBasisConversion.bytesPerParameter(file, scored);
    }

    /** Length of the scorer's largest state array per parameter (momentum: the window of velocities). */
    long largestArrayPerParameter() {
        return 1;
    }

    /**
     * Scores the deltas of {@code deltas} and writes {@code out} (atomically).
     *
     * @throws IllegalArgumentException for a selection or step range the file does not satisfy
     */
    public final ScoringResult score(Path deltas, Path out, ScoringOptions options, Progress progress) throws IOException {
        if (deltas == null || out == null || options == null) {
            throw new IllegalArgumentException("deltas, out and options must not be null");
        }
        Progress p = progress == null ? Progress.NONE : progress;
        long t0 = System.nanoTime();
        try (BufferAllocator allocator = new RootAllocator();
             DeltaStreamReader reader = DeltaStreamReader.open(deltas, allocator)) {
            TensorTable table = reader.tensors();
            Set<String> selected = new HashSet<>(options.selection().apply(table.names()));
            long[] baseOf = new long[table.size()];
            List<TensorInfo> scored = new ArrayList<>();
            long total = 0;
            for (int t = 0; t < table.size(); t++) {
                TensorInfo info = table.get(t);
                if (selected.contains(info.name())) {
                    baseOf[t] = total;
                    total += info.size();
                    scored.add(info);
                } else {
                    baseOf[t] = -1;
                }
            }
            if (total == 0) {
                throw new IllegalArgumentException("the selected tensors " + selected + " hold no elements");
            }
            if (total * largestArrayPerParameter() > MAX_ARRAY) {
                throw new IllegalArgumentException(method() + ": " + total + " selected parameters exceed a Java array's "
                        + MAX_ARRAY + " elements; score tensor groups separately with --include/--exclude");
            }
            Batching batching = reader.batching();
            long bufferFloats = Math.min(total, Math.max(batching.batchElements(), batching.chunkElements()));
            // The state arrays dominate; Arrow's batches live outside the heap.
            long stateBytes = stateBytesPerParameter(reader.basis(), options.basis());
            InsufficientHeapException.require(String.format(Locale.ROOT, "%s scoring of %,d parameters on the %s basis (%d bytes "
                    + "of state each%s)", method(), total, options.basis(), stateBytes, reader.basis() == options.basis() ? ""
                    : ", converting the file's " + reader.basis() + " deltas"), stateBytes * total + Float.BYTES * bufferFloats);
            int n = (int) total;
            List<Integer> inRange = options.steps().select(reader.steps());
            if (options.firstSteps() > 0 && options.firstSteps() < inRange.size()) {
                inRange = inRange.subList(0, options.firstSteps());
            }
            checkSteps(inRange);
            List<Integer> contributing = List.copyOf(contributingSteps(inRange));

            DeltaBasisConversion conversion = DeltaBasisConversion.between(reader.basis(), options.basis(), n);
            // the unscored steps the conversion must see: all earlier ones (a running sum), or only the one
            // right before the first scored step (a difference)
            int firstScored = contributing.getFirst();
            int priorStep = reader.steps().stream().mapToInt(DeltaStep::step).filter(s -> s < firstScored).max().orElse(-1);
            int capacity = (int) bufferFloats;
            float[] buffer = new float[capacity];
            int[] window = new int[ScoringKernels.WINDOW_LENGTH];
            prepare(n, buffer, window);

            p.begin("scoring", (long) contributing.size() * n);
            int next = 0;            // position in contributing of the next step to start
            int current = -1;        // step number being read, if it contributes
            boolean active = false;
            int fill = 0;
            long bytes = 0;
            int lastStep = contributing.getLast();
            while (reader.next()) {
                int step = reader.step();
                if (step != current) {
                    if (active) {
                        flush(window, fill);
                        fill = 0;
                    }
                    if (step > lastStep) {
                        break; // nothing after the last contributing step changes a score
                    }
                    current = step;
                    active = next < contributing.size() && contributing.get(next) == step;
                    if (active) {
                        beginStep(next);
                        next++;
                    }
                }
                long base = baseOf[reader.tensorIndex()];
                if (base < 0 || !active && (conversion == null
                        || !conversion.needsEveryEarlierStep() && step != priorStep)) {
                    continue;
                }
                long flat = base + reader.offset();
                int length = reader.length();
                if (!active) {
                    // not scored, but the conversion's running state must see it; the buffer is empty between scored steps
                    reader.readValues(buffer, 0);
                    conversion.apply(buffer, 0, length, (int) flat);
                    continue;
                }
                if (fill > 0 && (flat != (long) window[ScoringKernels.W_BASE] + fill || fill + length > capacity)) {
                    flush(window, fill);
                    fill = 0;
                }
                if (fill == 0) {
                    window[ScoringKernels.W_BASE] = (int) flat;
                }
                reader.readValues(buffer, fill);
                if (conversion != null) {
                    conversion.apply(buffer, fill, length, (int) flat);
                }
                fill += length;
                bytes += (long) length * Float.BYTES;
                p.advance(length);
            }
            if (active && fill > 0) {
                flush(window, fill);
            }
            p.end();
            if (next != contributing.size()) {
                throw new IllegalStateException("read " + next + " of the " + contributing.size() + " contributing steps");
            }
            float[] scores = finish(contributing.size());
            write(out, scored, scores, contributing, reader, deltas, options, inRange);
            return new ScoringResult(method(), out, scored.size(), n, inRange, contributing, bytes,
                    System.nanoTime() - t0, backend.name(), reader.basis(), options.basis());
        } finally {
            p.end();
        }
    }

    private void flush(int[] window, int fill) {
        if (fill == 0) {
            return;
        }
        window[ScoringKernels.W_LENGTH] = fill;
        update();
    }

    private void write(Path out, List<TensorInfo> scored, float[] scores, List<Integer> contributing, DeltaStreamReader reader,
                       Path deltas, ScoringOptions options, List<Integer> inRange) throws IOException {
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("deltas", deltas.toString());
        provenance.put("method", method());
        provenance.put("steps", options.steps().toString());
        if (options.firstSteps() > 0) {
            provenance.put("first_steps", Integer.toString(options.firstSteps()));
        }
        provenance.put("steps_in_range", inRange.getFirst() + ".." + inRange.getLast() + " (" + inRange.size() + " steps)");
        provenance.put("include", String.join(",", options.selection().include()));
        provenance.put("exclude", String.join(",", options.selection().exclude()));
        provenance.put("backend", backend.name());
        provenance.put("file_basis", reader.basis().label());
        provenance.put("basis", options.basis().label());
        Map<String, String> parameters = new LinkedHashMap<>(parameters());
        parameters.put("basis", options.basis().label());
        ScoreFileInfo info = new ScoreFileInfo(method(), parameters, contributing);
        TensorTable table = TensorTable.of(scored);
        try (BufferAllocator allocator = new RootAllocator();
             ScoreFileWriter writer = ScoreFileWriter.create(out, table, info, provenance, reader.batching(), allocator)) {
            long base = 0;
            for (int t = 0; t < scored.size(); t++) {
                int size = (int) scored.get(t).size();
                if (size == 0) {
                    continue;
                }
                writer.writeChunk(t, 0, scores, (int) base, size);
                base += size;
            }
            writer.finish();
        }
    }
}
