package org.rlcasino.scoring.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;

/**
 * Compares two mask files tensor by tensor by merging their sorted index lists as they stream
 * ({@link MaskFileReader#nextChunk()}): memory is one index chunk of each file plus one
 * {@link TensorOverlap} per tensor, whatever the mask size. Both masks must cover the same
 * tensors, in the same order, with the same shapes (dtypes may differ).
 */
public final class MaskComparison {


    /**
     * The comparison of masks {@code a} and {@code b}.
     *
     * @param a       name of mask A (its file)
     * @param b       name of mask B
     * @param tensors one overlap per tensor, in table order (tensors empty in both masks included)
     */
    public record Result(String a, String b, List<TensorOverlap> tensors) {
        public Result {
            tensors = List.copyOf(tensors);
        }

        /** The counts summed over tensors; its {@link MaskOverlap#jaccard()} is the aggregate Σ|A∩B| / Σ|A∪B|. */
        public MaskOverlap total() {
            MaskOverlap total = MaskOverlap.EMPTY;
            for (TensorOverlap t : tensors) {
                total = total.plus(t.overlap());
            }
            return total;
        }

        /**
         * Mean of the per-tensor Jaccard indices over the tensors where A or B keeps something
         * (tensors empty in both carry no information); NaN if there are none.
         */
        public double meanTensorJaccard() {
            double sum = 0;
            int count = 0;
            for (TensorOverlap t : tensors) {
                if (t.overlap().union() > 0) {
                    sum += t.overlap().jaccard();
                    count++;
                }
            }
            return count == 0 ? Double.NaN : sum / count;
        }

        /** Tensors where A or B keeps something: the tensors {@link #meanTensorJaccard()} averages over. */
        public int nonEmptyTensors() {
            return (int) tensors.stream().filter(t -> t.overlap().union() > 0).count();
        }
    }

    private MaskComparison() {}

    /** Opens both files and compares them; {@link IllegalArgumentException} if either is not a valid mask file or they cover different tensors. */
    public static Result compare(Path a, Path b, BufferAllocator allocator, Progress progress) throws IOException {
        try (MaskFileReader readerA = MaskFileReader.open(a, allocator);
             MaskFileReader readerB = MaskFileReader.open(b, allocator)) {
            return compare(a.toString(), readerA, b.toString(), readerB, progress);
        }
    }

    /** Compares two freshly opened readers, reading both to the end. */
    public static Result compare(String nameA, MaskFileReader a, String nameB, MaskFileReader b, Progress progress) throws IOException {
        TensorTable table = a.tensors();
        requireSameTensors(nameA, table, nameB, b.tensors());
        long total = 0;
        for (long kept : a.summary().kept().values()) {
            total += kept;
        }
        for (long kept : b.summary().kept().values()) {
            total += kept;
        }
        progress.begin("compare", total);
        try {
            Cursor ca = new Cursor(a, progress);
            Cursor cb = new Cursor(b, progress);
            List<TensorOverlap> tensors = new ArrayList<>(table.size());
            for (int t = 0; t < table.size(); t++) {
                tensors.add(new TensorOverlap(table.get(t), merge(t, table.get(t).size(), ca, cb)));
            }
            if (ca.onTensor() >= 0 || cb.onTensor() >= 0) {
                throw new IllegalStateException("mask rows left after the last tensor");
            }
            return new Result(nameA, nameB, tensors);
        } finally {
            progress.end();
        }
    }

    /** Counts |A|, |B| and |A∩B| of tensor {@code t} by a two-pointer merge of the ascending index lists. */
    private static MaskOverlap merge(int t, long size, Cursor a, Cursor b) throws IOException {
        long countA = 0;
        long countB = 0;
        long intersection = 0;
        while (a.onTensor() == t && b.onTensor() == t) {
            // Merge the two current chunks as far as both go; the one that runs out is refilled.
            int[] x = a.chunk;
            int[] y = b.chunk;
            int i = a.position;
            int j = b.position;
            int m = a.length;
            int n = b.length;
            int startI = i;
            int startJ = j;
            long common = 0;
            while (i < m && j < n) {
                int u = x[i];
                int v = y[j];
                if (u == v) {
                    common++;
                    i++;
                    j++;
                } else if (u < v) {
                    i++;
                } else {
                    j++;
                }
            }
            intersection += common;
            countA += i - startI;
            countB += j - startJ;
            a.position = i;
            b.position = j;
            a.refillIfDone();
            b.refillIfDone();
        }
        countA += a.drain(t);
        countB += b.drain(t);
        return new MaskOverlap(size, countA, countB, intersection);
    }

    /** One reader's position: the current chunk copied out, and how far it has been merged. */
    private static final class Cursor {
        private final MaskFileReader reader;
        private final Progress progress;
        private final int[] chunk;
        private int length;
        private int position;
        /** Tensor of the current chunk, or -1 after the last. */
        private int tensor;

        Cursor(MaskFileReader reader, Progress progress) throws IOException {
            this.reader = reader;
            this.progress = progress;
            this.chunk = new int[reader.batching().chunkElements()];
            load();
        }

        int onTensor() {
            return tensor;
        }

        private void load() throws IOException {
            if (reader.nextChunk()) {
                length = reader.length();
                reader.readIndices(chunk, 0);
                tensor = reader.tensorIndex();
            } else {
                length = 0;
                tensor = -1;
            }
            position = 0;
        }

        void refillIfDone() throws IOException {
            if (position == length && tensor >= 0) {
                progress.advance(length);
                load();
            }
        }

        /** Skips the rest of tensor {@code t}'s indices; returns how many there were. */
        long drain(int t) throws IOException {
            long count = 0;
            while (tensor == t) {
                count += length - position;
                position = length;
                refillIfDone();
            }
            return count;
        }
    }

    /**
     * Throws {@link IllegalArgumentException} listing the differences unless both tables name the
     * same tensors in the same order with the same shapes.
     */
    public static void requireSameTensors(String nameA, TensorTable a, String nameB, TensorTable b) {
        List<String> problems = new ArrayList<>();
        List<String> onlyA = new ArrayList<>();
        List<String> onlyB = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        for (TensorInfo t : a.tensors()) {
            int j = b.indexOf(t.name());
            if (j < 0) {
                onlyA.add(t.name());
            } else if (!Arrays.equals(t.shape(), b.get(j).shape())) {
                shapes.add(t.name() + " " + Arrays.toString(t.shape()) + " vs " + Arrays.toString(b.get(j).shape()));
            }
        }
        for (TensorInfo t : b.tensors()) {
            if (a.indexOf(t.name()) < 0) {
                onlyB.add(t.name());
            }
        }
        if (!onlyA.isEmpty()) {
            problems.add(onlyA.size() + " tensor(s) only in " + nameA + ": " + list(onlyA));
        }
        if (!onlyB.isEmpty()) {
            problems.add(onlyB.size() + " tensor(s) only in " + nameB + ": " + list(onlyB));
        }
        if (!shapes.isEmpty()) {
            problems.add(shapes.size() + " shape(s) differ: " + list(shapes));
        }
        if (problems.isEmpty() && !a.names().equals(b.names())) {
            List<String> names = a.names();
            int first = 0;
            while (names.get(first).equals(b.names().get(first))) {
                first++;
            }
            problems.add("the tensors come in a different order (first difference at position " + first + ": " + names.get(first)
                    + " vs " + b.names().get(first) + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("masks " + nameA + " and " + nameB + " cover different tensors: " + String.join("; ", problems));
        }
    }

    private static String list(List<String> items) {
        int shown = 8;
        return items.size() <= shown ? String.join(", ", items)
                : String.join(", ", items.subList(0, shown)) + " … (" + (items.size() - shown) + " more)";
    }
}
