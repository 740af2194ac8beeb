package org.rlcasino.scoring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.MaskTensor;
import org.rlcasino.io.arrow.ScoreFileInfo;
import org.rlcasino.io.arrow.ScoreFileWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;

/** Score files from arrays, mask files back to arrays, and brute-force oracles by full sort. */
final class MaskFixtures {
    private MaskFixtures() {}

    static void writeScores(Path file, TensorTable tensors, float[][] scores, BufferAllocator allocator) throws IOException {
        try (ScoreFileWriter w = ScoreFileWriter.create(file, tensors, new ScoreFileInfo("magnitude", Map.of(), List.of(1, 2)),
                Map.of(), new Batching(64, 256), allocator)) {
            for (int t = 0; t < scores.length; t++) {
                for (int off = 0; off < scores[t].length; off += 50) {
                    int n = Math.min(50, scores[t].length - off);
                    w.writeChunk(t, off, scores[t], off, n);
                }
            }
            w.finish();
        }
    }

    static int[][] readMask(Path file, BufferAllocator allocator) throws IOException {
        try (MaskFileReader r = MaskFileReader.open(file, allocator)) {
            List<int[]> out = new ArrayList<>();
            MaskTensor t;
            while ((t = r.nextTensor()) != null) {
                out.add(t.indices());
            }
            return out.toArray(new int[0][]);
        }
    }

    record Entry(float score, int tensor, int index) {}

    static final Comparator<Entry> ORDER = Comparator.comparingInt((Entry e) -> org.rlcasino.kernels.SelectionKernels.key(e.score) ^ 0x80000000)
            .reversed().thenComparingInt(Entry::tensor).thenComparingInt(Entry::index);

    /** The k best entries of the tensors in {@code which}, by (score desc, tensor asc, index asc), as sorted indices per tensor. */
    static int[][] topK(float[][] scores, long k, int... which) {
        List<Entry> all = new ArrayList<>();
        for (int t : which) {
            for (int i = 0; i < scores[t].length; i++) {
                all.add(new Entry(scores[t][i], t, i));
            }
        }
        all.sort(ORDER);
        boolean[][] keep = new boolean[scores.length][];
        for (int t = 0; t < scores.length; t++) {
            keep[t] = new boolean[scores[t].length];
        }
        for (int j = 0; j < k; j++) {
            keep[all.get(j).tensor][all.get(j).index] = true;
        }
        return toIndices(keep);
    }

    static int[][] toIndices(boolean[][] keep) {
        int[][] out = new int[keep.length][];
        for (int t = 0; t < keep.length; t++) {
            int[] idx = new int[keep[t].length];
            int m = 0;
            for (int i = 0; i < keep[t].length; i++) {
                if (keep[t][i]) {
                    idx[m++] = i;
                }
            }
            out[t] = Arrays.copyOf(idx, m);
        }
        return out;
    }

    static int[][] union(int[][] a, int[][] b, float[][] shape) {
        boolean[][] keep = new boolean[shape.length][];
        for (int t = 0; t < shape.length; t++) {
            keep[t] = new boolean[shape[t].length];
            for (int i : a[t]) {
                keep[t][i] = true;
            }
            for (int i : b[t]) {
                keep[t][i] = true;
            }
        }
        return toIndices(keep);
    }

    static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    static long count(int[][] m) {
        long c = 0;
        for (int[] a : m) {
            c += a.length;
        }
        return c;
    }

    static TensorTable table(long[]... shapes) {
        List<TensorInfo> list = new ArrayList<>();
        for (int t = 0; t < shapes.length; t++) {
            list.add(TensorInfo.f32("layer" + t + ".weight", shapes[t]));
        }
        return TensorTable.of(list);
    }
}
