package org.rlcasino.io.deltas;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.DeltaStep;
import org.rlcasino.io.arrow.DeltaStreamOptions;
import org.rlcasino.io.arrow.DeltaStreamWriter;
import org.rlcasino.io.arrow.RlcasinoArrowFile;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;
import org.rlcasino.io.safetensors.SafetensorsEntry;

/**
 * Turns a series of checkpoints into a delta stream, in float32 (from any dtype), step by step,
 * tensor by tensor, chunk by chunk: on the {@link DeltaBasis#START start} basis (the default, as
 * the paper's reference code logs) δ_t = θ_t − θ_0 against the first checkpoint, on the
 * {@link DeltaBasis#STEP step} basis δ_t = θ_t − θ_{t−1} for every consecutive pair. Two
 * checkpoints are open (memory-mapped) at a time; the heap holds one delta buffer of
 * {@code readElements} floats and the writer one record batch, so private memory stays
 * O(readElements + batch) whatever the model size (mapped checkpoint pages are file cache the
 * kernel can drop).
 */
public final class DeltaExtractor {
    /** Floats read from each checkpoint per chunk. */
    public static final int DEFAULT_READ_ELEMENTS = 1 << 16;

    /**
     * How to extract.
     *
     * @param selection    which tensors
     * @param tolerance    |δ| below this is written as 0 and counted (0 = keep every delta)
     * @param batching     rows and record batches of the output
     * @param readElements floats read per chunk
     * @param basis        what each delta is measured against
     */
    public record Options(TensorSelection selection, double tolerance, Batching batching, int readElements,
                          DeltaBasis basis) {
        public Options {
            if (selection == null || batching == null) {
                throw new IllegalArgumentException("selection and batching must not be null");
            }
            if (basis == null) {
                throw new IllegalArgumentException("basis must be step or start, got null");
            }
            if (!(tolerance >= 0 && Double.isFinite(tolerance))) {
                throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
            }
            if (readElements < 1) {
                throw new IllegalArgumentException("readElements must be >= 1, got " + readElements);
            }
        }

        public static Options defaults() {
            return new Options(TensorSelection.ALL, 0.0, Batching.DEFAULTS, DEFAULT_READ_ELEMENTS, DeltaBasis.START);
        }

        public Options withSelection(TensorSelection value) {
            return new Options(value, tolerance, batching, readElements, basis);
        }

        public Options withTolerance(double value) {
            return new Options(selection, value, batching, readElements, basis);
        }

        public Options withBatching(Batching value) {
            return new Options(selection, tolerance, value, readElements, basis);
        }

        public Options withBasis(DeltaBasis value) {
            return new Options(selection, tolerance, batching, readElements, value);
        }
    }


    /**
     * What was written.
     *
     * @param steps           one entry per delta step (the later checkpoint's step, source, zeroed count)
     * @param tensors         tensors per step
     * @param elementsPerStep deltas per step
     * @param bytesRead       checkpoint bytes read (step basis: each checkpoint but the first and last is read twice;
     *                        start basis: the first checkpoint once per step)
     */
    public record Result(List<DeltaStep> steps, int tensors, long elementsPerStep, long bytesRead) {
        public long zeroed() {
            return steps.stream().mapToLong(DeltaStep::zeroed).sum();
        }
    }

    private DeltaExtractor() {}

    /** Writes the deltas of {@code series} to {@code out}; nothing appears under {@code out} if anything fails. */
    public static Result extract(List<CheckpointRef> series, Path out, Options options, Progress progress)
            throws IOException {
        if (series.size() < 2) {
            throw new IllegalArgumentException("deltas need at least two checkpoints, got " + series.size());
        }
        List<SafetensorsEntry> selected = sharedTensors(series, options.selection());

        List<TensorInfo> table = new ArrayList<>();
        long elementsPerStep = 0;
        long bytesPerCheckpoint = 0;
        for (SafetensorsEntry t : selected) {
            table.add(new TensorInfo(t.name(), t.shape(), t.dtype().safetensorsName()));
            elementsPerStep += t.numel();
            bytesPerCheckpoint += t.byteSize();
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("tool", "casino deltas");
        provenance.put("checkpoints", String.join(",", series.stream().map(c -> c.path().toString()).toList()));
        provenance.put("steps", String.join(",", series.stream().map(c -> Integer.toString(c.step())).toList()));
        provenance.put("include", String.join(",", options.selection().include()));
        provenance.put("exclude", String.join(",", options.selection().exclude()));
        provenance.put("tolerance", Double.toString(options.tolerance()));
        provenance.put("basis", options.basis().label());
        if (options.basis() == DeltaBasis.START) {
            provenance.put("origin", series.getFirst().path().toString());
        }

        int read = (int) Math.min(options.readElements(), Math.max(1, maxElements(selected)));
        float[] current = new float[read];
        DeltaStreamOptions streamOptions = DeltaStreamOptions.DEFAULTS.withTolerance(options.tolerance())
                .withBatching(options.batching()).withBasis(options.basis());
        List<DeltaStep> steps;
        progress.begin("deltas", elementsPerStep * (series.size() - 1));
        try (BufferAllocator allocator = RlcasinoArrowFile.boundedAllocator(options.batching().allocationLimit());
             DeltaStreamWriter writer = DeltaStreamWriter.create(out, TensorTable.of(table), provenance, streamOptions,
                     allocator)) {
            SafetensorsCheckpoint before = SafetensorsCheckpoint.open(series.getFirst().path());
            try {
                for (int s = 1; s < series.size(); s++) {
                    CheckpointRef ref = series.get(s);
                    SafetensorsCheckpoint after = SafetensorsCheckpoint.open(ref.path());
                    try {
                        writer.beginStep(ref.step(), ref.path().toString());
                        for (int t = 0; t < selected.size(); t++) {
                            String name = selected.get(t).name();
                            long size = selected.get(t).numel();
                            for (long offset = 0; offset < size; offset += read) {
                                int count = (int) Math.min(read, size - offset);
                                after.readFloatDifference(name, before, offset, current, 0, count);
                                writer.writeChunk(ref.step(), t, offset, current, 0, count);
                                progress.advance(count);
                            }
                        }
                    } catch (RuntimeException | IOException e) {
                        after.close();
                        throw e;
                    }
                    if (options.basis() == DeltaBasis.STEP) {
                        before.close();
                        before = after;  // the next delta is against this checkpoint
                    } else {
                        after.close();   // every delta is against the first checkpoint
                    }
                }
            } finally {
                before.close();
            }
            steps = writer.finish();
        } finally {
            progress.end();
        }
        return new Result(steps, selected.size(), elementsPerStep, 2L * bytesPerCheckpoint * (series.size() - 1));
    }

    private static long maxElements(List<SafetensorsEntry> tensors) {
        long max = 0;
        for (SafetensorsEntry t : tensors) {
            max = Math.max(max, t.numel());
        }
        return max;
    }

    /**
     * The tensors of the first checkpoint that {@code selection} picks, after checking that every
     * other checkpoint holds exactly those with the same shapes and dtypes.
     *
     * @throws IllegalArgumentException listing the differences (up to 20) if they do not, with a hint to
     *                                  select the shared tensors with --include/--exclude
     */
    public static List<SafetensorsEntry> sharedTensors(List<CheckpointRef> series, TensorSelection selection) throws IOException {
        return sharedTensors(series, selection, "Use --include/--exclude to compare only the tensors they share.");
    }

    /**
     * As {@link #sharedTensors(List, TensorSelection)}, with {@code remedy} (what the user can do
     * about differences, for the command at hand) as the message's last line.
     */
    public static List<SafetensorsEntry> sharedTensors(List<CheckpointRef> series, TensorSelection selection, String remedy)
            throws IOException {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no checkpoints given");
        }
        List<SafetensorsEntry> selected;
        try (SafetensorsCheckpoint first = SafetensorsCheckpoint.open(series.getFirst().path())) {
            List<String> names = first.tensors().stream().map(SafetensorsEntry::name).toList();
            List<String> chosen = selection.apply(names);
            selected = new ArrayList<>();
            for (String name : chosen) {
                selected.add(first.tensor(name));
            }
        }
        checkSameTensors(series, selected, selection, remedy);
        return selected;
    }

    /** Every checkpoint must hold the selected tensors with the first one's shapes and dtypes, and no others matching the selection. */
    private static void checkSameTensors(List<CheckpointRef> series, List<SafetensorsEntry> selected, TensorSelection selection,
                                         String remedy) throws IOException {
        List<String> differences = new ArrayList<>();
        java.util.Set<String> selectedNames = new java.util.HashSet<>();
        for (SafetensorsEntry t : selected) {
            selectedNames.add(t.name());
        }
        CheckpointRef reference = series.getFirst();
        for (CheckpointRef ref : series.subList(1, series.size())) {
            try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(ref.path())) {
                for (SafetensorsEntry t : selected) {
                    if (!c.contains(t.name())) {
                        differences.add(ref.path() + ": no tensor '" + t.name() + "'");
                        continue;
                    }
                    SafetensorsEntry other = c.tensor(t.name());
                    if (!java.util.Arrays.equals(other.shape(), t.shape())) {
                        differences.add(ref.path() + ": '" + t.name() + "' has shape "
                                + java.util.Arrays.toString(other.shape()) + ", " + reference.path() + " "
                                + java.util.Arrays.toString(t.shape()));
                    }
                    if (other.dtype() != t.dtype()) {
                        differences.add(ref.path() + ": '" + t.name() + "' is " + other.dtype() + ", "
                                + reference.path() + " " + t.dtype());
                    }
                }
                for (SafetensorsEntry other : c.tensors()) {
                    if (selection.selects(other.name()) && !selectedNames.contains(other.name())) {
                        differences.add(ref.path() + ": extra tensor '" + other.name() + "' not in " + reference.path());
                    }
                }
            }
        }
        if (!differences.isEmpty()) {
            int shown = Math.min(differences.size(), 20);
            throw new IllegalArgumentException("the checkpoints do not hold the same tensors (" + differences.size()
                    + " difference" + (differences.size() == 1 ? "" : "s") + "):\n  "
                    + String.join("\n  ", differences.subList(0, shown))
                    + (shown < differences.size() ? "\n  …" : "")
                    + "\n" + remedy);
        }
    }
}
