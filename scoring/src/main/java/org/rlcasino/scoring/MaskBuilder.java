package org.rlcasino.scoring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.MaskBlockShape;
import org.rlcasino.io.arrow.MaskBlocks;
import org.rlcasino.io.arrow.MaskFileInfo;
import org.rlcasino.io.arrow.MaskFileWriter;
import org.rlcasino.io.arrow.MaskSummary;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.tasks.Backend;

/**
 * Builds a mask file from scores, streaming: the scores are read in a few passes, never held
 * whole, never sorted. See {@link Method} for the definitions.
 */
public final class MaskBuilder {

    /** The builders. */
    public enum Method {
        /**
         * Exact global top-k: keeps exactly k = ⌊(1−ρ)·N⌋ entries over all tensors, ties broken
         * by (score desc, tensor index asc, element index asc). With a floor f > 0, every tensor
         * also keeps its ⌈f·n_t⌉ best entries (same tie order), so a little more than k may be kept.
         */
        EXACT("global-topk"),
        /** Per-tensor top-k: tensor t keeps exactly ⌊(1−ρ)·n_t⌋ of its entries (local pool). */
        PER_TENSOR("per-tensor-topk"),
        /**
         * Random baseline: exactly k = ⌊(1−ρ)·N⌋ entries over all tensors, a uniformly random
         * k-subset given the seed (top-k of seeded per-entry hash scores; the scores file only
         * supplies the tensor table).
         */
        RANDOM("random"),
        /** Block mask: whole b×b blocks (1×b² for 1-D tensors) by global exact top-k of block scores. */
        BLOCK("block"),
        /** The paper's Algorithm 1: sampled global threshold with tie-break noise, per-tensor fallback. */
        SAMPLED("sampled-global-threshold");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        /** The method name written to the mask file. */
        public String label() {
            return label;
        }
    }

    /**
     * What was built.
     *
     * @param method          method name as written to the file
     * @param targetSparsity  ρ
     * @param threshold       the score cut, if the builder has one
     * @param achievedSparsity 1 − kept/N
     * @param keptFractions   tensor → kept/n_t
     * @param kept            entries kept
     * @param total           N
     * @param note            e.g. that the sampled builder fell back; empty if nothing to say
     */
    public record Report(String method, double targetSparsity, OptionalDouble threshold, double achievedSparsity,
                         Map<String, Double> keptFractions, long kept, long total, String note) {
        /** Achieved minus target sparsity. */
        public double error() {
            return achievedSparsity - targetSparsity;
        }
    }

    private final ScoreSource source;
    private final Backend backend;
    private final BufferAllocator allocator;
    private final MaskProgress progress;
    private final TensorTable tensors;

    public MaskBuilder(ScoreSource source, Backend backend, BufferAllocator allocator, MaskProgress progress) {
        this.source = source;
        this.backend = backend;
        this.allocator = allocator;
        this.progress = progress == null ? MaskProgress.NONE : progress;
        this.tensors = source.tensors();
    }

    /** k = ⌊(1−ρ)·n⌋, in exact decimal arithmetic on ρ's shortest representation (ρ = 0.975, n = 1000 gives 25). */
    public static long keepCount(double sparsity, long n) {
        return java.math.BigDecimal.ONE.subtract(java.math.BigDecimal.valueOf(sparsity))
                .multiply(java.math.BigDecimal.valueOf(n)).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
    }

    /** Builds the mask described by {@code options} into {@code out}. */
    public Report build(MaskOptions options, Path out, Map<String, String> provenance) throws IOException {
        if (tensors.totalElements() == 0) {
            throw new IllegalArgumentException("the scores hold no entries: nothing to select");
        }
        return switch (options.builder()) {
            case EXACT -> exact(options, out, provenance);
            case PER_TENSOR -> perTensor(options, out, provenance, Method.PER_TENSOR.label(), Map.of(), "");
            case RANDOM -> random(options, out, provenance);
            case BLOCK -> block(options, out, provenance);
            case SAMPLED -> sampled(options, out, provenance);
        };
    }

    private ScoreSource tracked(ScoreSource s, String phase) {
        long total = tensors.totalElements();
        return new ScoreSource() {
            @Override
            public TensorTable tensors() {
                return s.tensors();
            }

            @Override
            public void forEachBatch(BatchVisitor visitor) throws IOException {
                progress.begin(phase, total);
                try {
                    s.forEachBatch((t, off, v, n) -> {
                        visitor.batch(t, off, v, n);
                        progress.advance(n);
                    });
                } finally {
                    progress.end();
                }
            }
        };
    }

    /** Radix select over {@code s}, each of its three passes shown as "{@code phase} i/3". */
    private RadixSelect.Selection[] select(ScoreSource s, int[] poolOf, long[] take, String phase) throws IOException {
        return RadixSelect.select(new ScoreSource() {
            private int pass;

            @Override
            public TensorTable tensors() {
                return s.tensors();
            }

            @Override
            public void forEachBatch(BatchVisitor visitor) throws IOException {
                tracked(s, phase + " " + ++pass + "/3").forEachBatch(visitor);
            }
        }, backend, poolOf, take, null);
    }

    private Report exact(MaskOptions o, Path out, Map<String, String> provenance) throws IOException {
        return topK(source, o, out, provenance, Method.EXACT.label(), "");
    }

    private Report random(MaskOptions o, Path out, Map<String, String> provenance) throws IOException {
        ScoreSource random = ScoreSource.random(tensors, o.seed(), ScoreSource.DEFAULT_CAPACITY);
        Report r = topK(random, o.withFloor(0), out, provenance, Method.RANDOM.label(), "");
        return new Report(r.method(), r.targetSparsity(), OptionalDouble.empty(), r.achievedSparsity(), r.keptFractions(),
                r.kept(), r.total(), r.note());
    }

    /** Global exact top-k of {@code s}, with the per-tensor floor of {@code o}. */
    private Report topK(ScoreSource s, MaskOptions o, Path out, Map<String, String> provenance, String method, String note)
            throws IOException {
        int nt = tensors.size();
        long total = tensors.totalElements();
        long k = keepCount(o.sparsity(), total);
        RadixSelect.Selection global = select(s, new int[nt], new long[] {k}, "select")[0];
        RadixSelect.Selection[] floors = null;
        if (o.floor() > 0) {
            int[] poolOf = new int[nt];
            long[] take = new long[nt];
            for (int t = 0; t < nt; t++) {
                poolOf[t] = t;
                take[t] = (long) Math.ceil(o.floor() * tensors.get(t).size());
            }
            floors = select(s, poolOf, take, "floor");
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("k", Long.toString(k));
        params.put("tie_break", "score desc, tensor asc, index asc");
        if (method.equals(Method.RANDOM.label())) {
            params.put("seed", Long.toString(o.seed()));
        }
        if (o.floor() > 0) {
            params.put("floor", Double.toString(o.floor()));
        }
        OptionalDouble threshold = k == 0 ? OptionalDouble.empty() : OptionalDouble.of(global.threshold());
        RadixSelect.Decider g = global.decider();
        RadixSelect.Decider[] f = null;
        if (floors != null) {
            f = new RadixSelect.Decider[nt];
            for (int t = 0; t < nt; t++) {
                f[t] = floors[t].decider();
            }
        }
        return emit(s, out, MaskFileInfo.of(method, o.sparsity(), threshold, params), provenance, g, f, note);
    }

    private Report perTensor(MaskOptions o, Path out, Map<String, String> provenance, String method,
                             Map<String, String> extra, String note) throws IOException {
        int nt = tensors.size();
        int[] poolOf = new int[nt];
        long[] take = new long[nt];
        for (int t = 0; t < nt; t++) {
            poolOf[t] = t;
            take[t] = keepCount(o.sparsity(), tensors.get(t).size());
        }
        RadixSelect.Selection[] sel = select(source, poolOf, take, "select");
        RadixSelect.Decider[] d = new RadixSelect.Decider[nt];
        for (int t = 0; t < nt; t++) {
            d[t] = sel[t].decider();
        }
        Map<String, String> params = new LinkedHashMap<>(extra);
        params.put("pool", "per-tensor");
        return emit(source, out, MaskFileInfo.of(method, o.sparsity(), OptionalDouble.empty(), params), provenance, null, d,
                note);
    }

    /** Final pass: writes every entry that {@code global} or the tensor's decider keeps. */
    private Report emit(ScoreSource s, Path out, MaskFileInfo info, Map<String, String> provenance,
                        RadixSelect.Decider global, RadixSelect.Decider[] perTensor, String note) throws IOException {
        try (MaskFileWriter w = MaskFileWriter.create(out, tensors, info, provenance, Batching.DEFAULTS, allocator)) {
            int[][] idx = new int[1][];
            tracked(s, "write").forEachBatch((t, off, values, n) -> {
                if (idx[0] == null || idx[0].length < n) {
                    idx[0] = new int[Math.max(n, values.length)];
                }
                int[] buf = idx[0];
                RadixSelect.Decider local = perTensor == null ? null : perTensor[t];
                int m = 0;
                for (int i = 0; i < n; i++) {
                    int bits = Float.floatToRawIntBits(values[i]);
                    int key = bits ^ ((bits >> 31) & 0x7fffffff) ^ 0x80000000;
                    boolean keep = global != null && global.keep(key);
                    keep |= local != null && local.keep(key);
                    if (keep) {
                        buf[m++] = (int) (off + i);
                    }
                }
                if (m > 0) {
                    w.writeIndices(tensors.get(t).name(), buf, 0, m);
                }
            });
            return report(info, w.finish(), note);
        }
    }

    private Report report(MaskFileInfo info, MaskSummary summary, String note) {
        Map<String, Double> fractions = new LinkedHashMap<>();
        long kept = 0;
        for (TensorInfo t : tensors.tensors()) {
            long c = summary.kept().getOrDefault(t.name(), 0L);
            kept += c;
            fractions.put(t.name(), t.size() == 0 ? 0.0 : (double) c / t.size());
        }
        return new Report(info.method(), info.targetSparsity(), info.threshold(), summary.achievedSparsity(), fractions, kept,
                tensors.totalElements(), note);
    }

    // ---------------------------------------------------------------- sampled (Algorithm 1)

    /** ε_t = max(‖s_t‖∞·1e-10, 1e-12). */
    static double noiseScale(double maxAbs) {
        return Math.max(maxAbs * 1e-10, 1e-12);
    }

    /** The noised score of Algorithm 1: s + ε_t·z, z ~ N(0, 1) from (seed, tensor, index). */
    static double noised(float score, double eps, long seed, int tensor, long index) {
        return score + eps * Hash.gaussian(seed, tensor, index);
    }

    /** Sample positions of a tensor of {@code n} entries: all of them if n ≤ cap, else cap uniform draws (sorted). */
    static long[] samplePositions(long n, int cap, long seed, int tensor) {
        if (n <= cap) {
            long[] all = new long[(int) n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        SplittableRandom r = new SplittableRandom(Hash.mix(seed ^ 0x9e3779b97f4a7c15L, tensor, 0));
        long[] p = new long[cap];
        for (int i = 0; i < cap; i++) {
            p[i] = r.nextLong(n);
        }
        Arrays.sort(p);
        return p;
    }

    private Report sampled(MaskOptions o, Path out, Map<String, String> provenance) throws IOException {
        int nt = tensors.size();
        double[] maxAbs = new double[nt];
        tracked(source, "max").forEachBatch((t, off, v, n) -> {
            double m = maxAbs[t];
            for (int i = 0; i < n; i++) {
                m = Math.max(m, Math.abs(v[i]));
            }
            maxAbs[t] = m;
        });
        double[] eps = new double[nt];
        for (int t = 0; t < nt; t++) {
            eps[t] = noiseScale(maxAbs[t]);
        }
        long seed = o.seed();
        List<double[]> pooled = new ArrayList<>();
        long[][] positions = new long[nt][];
        int[] cursor = new int[nt];
        double[][] values = new double[nt][];
        tracked(source, "sample").forEachBatch((t, off, v, n) -> {
            if (positions[t] == null) {
                positions[t] = samplePositions(tensors.get(t).size(), o.samples(), seed, t);
                values[t] = new double[positions[t].length];
            }
            long[] p = positions[t];
            int c = cursor[t];
            while (c < p.length && p[c] < off + n) {
                long j = p[c];
                values[t][c] = noised(v[(int) (j - off)], eps[t], seed, t, j);
                c++;
            }
            cursor[t] = c;
            if (c == p.length) {
                pooled.add(values[t]);
                values[t] = null;
                positions[t] = new long[0];
            }
        });
        int sampleCount = 0;
        for (double[] a : pooled) {
            sampleCount += a.length;
        }
        double[] all = new double[sampleCount];
        int at = 0;
        for (double[] a : pooled) {
            System.arraycopy(a, 0, all, at, a.length);
            at += a.length;
        }
        pooled.clear();
        Arrays.sort(all);
        long ks = keepCount(o.sparsity(), sampleCount);
        double tau = ks == 0 ? Double.POSITIVE_INFINITY : all[sampleCount - (int) ks];
        all = null;
        long[] keptCount = new long[1];
        tracked(source, "count").forEachBatch((t, off, v, n) -> {
            long c = 0;
            for (int i = 0; i < n; i++) {
                if (noised(v[i], eps[t], seed, t, off + i) >= tau) {
                    c++;
                }
            }
            keptCount[0] += c;
        });
        long total = tensors.totalElements();
        double achieved = 1 - (double) keptCount[0] / total;
        Map<String, String> params = new LinkedHashMap<>();
        params.put("seed", Long.toString(seed));
        params.put("samples_per_tensor", Integer.toString(o.samples()));
        params.put("samples", Integer.toString(sampleCount));
        params.put("sample_threshold", Double.toString(tau));
        params.put("sampled_achieved_sparsity", Double.toString(achieved));
        if (Math.abs(achieved - o.sparsity()) > MaskOptions.FALLBACK_ERROR) {
            params.put("fallback", "per-tensor-topk");
            String note = String.format(java.util.Locale.ROOT,
                    "sampled threshold %.6g gave sparsity %.4f%%, more than %.0f points off the target: fell back to per-tensor top-k",
                    tau, achieved * 100, MaskOptions.FALLBACK_ERROR * 100);
            return perTensor(o, out, provenance, Method.SAMPLED.label(), params, note);
        }
        MaskFileInfo info = MaskFileInfo.of(Method.SAMPLED.label(), o.sparsity(),
                Double.isFinite(tau) ? OptionalDouble.of(tau) : OptionalDouble.empty(), params);
        try (MaskFileWriter w = MaskFileWriter.create(out, tensors, info, provenance, Batching.DEFAULTS, allocator)) {
            int[][] idx = new int[1][];
            tracked(source, "write").forEachBatch((t, off, v, n) -> {
                if (idx[0] == null || idx[0].length < n) {
                    idx[0] = new int[Math.max(n, v.length)];
                }
                int[] buf = idx[0];
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (noised(v[i], eps[t], seed, t, off + i) >= tau) {
                        buf[m++] = (int) (off + i);
                    }
                }
                if (m > 0) {
                    w.writeIndices(tensors.get(t).name(), buf, 0, m);
                }
            });
            return report(info, w.finish(), "");
        }
    }

    // ---------------------------------------------------------------- block masks

    /** Block shape of {@code t}: b×b for tensors of 2 or more dimensions (matrix view), 1×b² for 1-D ones. */
    static MaskBlockShape blockShape(TensorInfo t, int b) {
        return t.shape().length >= 2 ? new MaskBlockShape(b, b) : new MaskBlockShape(1, b * b);
    }

    private Report block(MaskOptions o, Path out, Map<String, String> provenance) throws IOException {
        int nt = tensors.size();
        MaskBlockShape[] shapes = new MaskBlockShape[nt];
        int[] gridCols = new int[nt];
        int[] gridRows = new int[nt];
        float[][] blockScores = new float[nt][];
        long blockTotal = 0;
        for (int t = 0; t < nt; t++) {
            TensorInfo ti = tensors.get(t);
            shapes[t] = blockShape(ti, o.block());
            gridRows[t] = (int) ((ti.matrixRows() + shapes[t].rows() - 1) / shapes[t].rows());
            gridCols[t] = (int) ((ti.matrixColumns() + shapes[t].columns() - 1) / shapes[t].columns());
            long blocks = (long) gridRows[t] * gridCols[t];
            if (blocks > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("tensor " + ti.name() + " has too many blocks: " + blocks);
            }
            blockScores[t] = new float[(int) blocks];
            if (o.blockMax()) {
                Arrays.fill(blockScores[t], Float.NEGATIVE_INFINITY);
            }
            blockTotal += blocks;
        }
        boolean max = o.blockMax();
        double[][] sums = max ? null : new double[nt][];
        tracked(source, "blocks").forEachBatch((t, off, v, n) -> {
            long cols = tensors.get(t).matrixColumns();
            int br = shapes[t].rows();
            int bc = shapes[t].columns();
            int gc = gridCols[t];
            float[] bs = blockScores[t];
            if (!max && sums[t] == null) {
                sums[t] = new double[bs.length];
            }
            long row = off / cols;
            long col = off % cols;
            for (int i = 0; i < n; i++) {
                int b = (int) (row / br) * gc + (int) (col / bc);
                if (max) {
                    bs[b] = Math.max(bs[b], v[i]);
                } else {
                    sums[t][b] += v[i];
                }
                if (++col == cols) {
                    col = 0;
                    row++;
                }
            }
            if (!max && off + n == tensors.get(t).size()) {
                for (int b = 0; b < bs.length; b++) {
                    bs[b] = (float) sums[t][b];
                }
                sums[t] = null;
            }
        });
        long kb = keepCount(o.sparsity(), blockTotal);
        ScoreSource blockSource = arraySource(blockScores);
        RadixSelect.Selection sel = RadixSelect.select(blockSource, backend, new int[nt], new long[] {kb}, null)[0];
        RadixSelect.Decider d = sel.decider();
        Map<String, MaskBlockShape> shapeMap = new LinkedHashMap<>();
        for (int t = 0; t < nt; t++) {
            shapeMap.put(tensors.get(t).name(), shapes[t]);
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("block", Integer.toString(o.block()));
        params.put("block_score", max ? "max" : "sum");
        params.put("blocks_kept", Long.toString(kb));
        params.put("blocks", Long.toString(blockTotal));
        MaskFileInfo info = MaskFileInfo.of(Method.BLOCK.label(), o.sparsity(),
                kb == 0 ? OptionalDouble.empty() : OptionalDouble.of(sel.threshold()), params).withBlockShapes(shapeMap);
        try (MaskFileWriter w = MaskFileWriter.create(out, tensors, info, provenance, Batching.DEFAULTS, allocator)) {
            int[] buf = new int[1 << 16];
            for (int t = 0; t < nt; t++) {
                TensorInfo ti = tensors.get(t);
                float[] bs = blockScores[t];
                boolean[] keep = new boolean[bs.length];
                for (int b = 0; b < bs.length; b++) {
                    keep[b] = d.keep(org.rlcasino.tasks.SelectionKernels.key(bs[b]));
                }
                blockScores[t] = null;
                writeBlockTensor(w, ti, shapes[t], gridRows[t], gridCols[t], keep, buf);
            }
            return report(info, w.finish(), "");
        }
    }

    private static void writeBlockTensor(MaskFileWriter w, TensorInfo ti, MaskBlockShape shape, int gridRows, int gridCols,
                                         boolean[] keep, int[] buf) throws IOException {
        long rows = ti.matrixRows();
        long cols = ti.matrixColumns();
        int br = shape.rows();
        int bc = shape.columns();
        int[] rowPointers = new int[gridRows + 1];
        int active = 0;
        for (int b = 0; b < keep.length; b++) {
            if (keep[b]) {
                active++;
            }
        }
        int[] blockColumns = new int[active];
        int[] entryPointers = new int[active + 1];
        int a = 0;
        for (int r = 0; r < gridRows; r++) {
            int h = (int) Math.min(br, rows - (long) r * br);
            for (int c = 0; c < gridCols; c++) {
                if (keep[r * gridCols + c]) {
                    int wdt = (int) Math.min(bc, cols - (long) c * bc);
                    blockColumns[a] = c;
                    entryPointers[a + 1] = entryPointers[a] + h * wdt;
                    a++;
                }
            }
            rowPointers[r + 1] = a;
        }
        w.writeBlocks(ti.name(), MaskBlocks.of(shape, rowPointers, blockColumns, entryPointers));
        int m = 0;
        for (int r = 0; r < gridRows; r++) {
            int first = rowPointers[r];
            int last = rowPointers[r + 1];
            if (first == last) {
                continue;
            }
            long rowEnd = Math.min(rows, (long) (r + 1) * br);
            for (long row = (long) r * br; row < rowEnd; row++) {
                for (int b = first; b < last; b++) {
                    long c0 = (long) blockColumns[b] * bc;
                    long c1 = Math.min(cols, c0 + bc);
                    for (long c = c0; c < c1; c++) {
                        if (m == buf.length) {
                            w.writeIndices(ti.name(), buf, 0, m);
                            m = 0;
                        }
                        buf[m++] = (int) (row * cols + c);
                    }
                }
            }
        }
        if (m > 0) {
            w.writeIndices(ti.name(), buf, 0, m);
        }
    }

    /** In-memory per-tensor arrays as a score source (one batch per tensor). */
    static ScoreSource arraySource(float[][] arrays) {
        return new ScoreSource() {
            @Override
            public TensorTable tensors() {
                throw new UnsupportedOperationException("array source has no tensor table");
            }

            @Override
            public void forEachBatch(BatchVisitor visitor) throws IOException {
                for (int t = 0; t < arrays.length; t++) {
                    if (arrays[t] != null && arrays[t].length > 0) {
                        visitor.batch(t, 0, arrays[t], arrays[t].length);
                    }
                }
            }
        };
    }
}
