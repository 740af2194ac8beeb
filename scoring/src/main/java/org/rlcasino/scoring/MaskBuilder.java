package org.rlcasino.scoring;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.MaskBlocks;
import org.rlcasino.io.arrow.MaskFileInfo;
import org.rlcasino.io.arrow.MaskFileWriter;
import org.rlcasino.io.arrow.MaskSummary;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.SelectionKernels;

/**
 * Builds a mask file from scores, streaming: the scores are read in a few passes, never held
 * whole, never sorted. See {@link Method} for the definitions. Every score must be finite: the
 * first pass refuses NaN and ±∞ (an {@link IllegalArgumentException} naming the source, the
 * tensor and the element's flat index).
 *
 * <p><b>Tie share.</b> Every build records the number of kept entries whose score equals the
 * cut, {@link Report#tiedAtCut()}, and how many of those score exactly zero,
 * {@link Report#tiedZeros()} (also in the mask file's footer). The cut is the threshold: the
 * smallest score the selection kept. "Equal" means equal in the selection's order, the float's
 * bit pattern order, in which −0.0 lies just below +0.0. Per builder: global top-k — one cut for
 * all tensors (at least the cut entry itself is counted); per-tensor top-k — each tensor's own
 * cut; the floor — the cut of the global part (see {@link Method#EXACT}); block — the block
 * scores: the entries of the kept blocks whose block score equals the smallest kept block score;
 * sampled — the raw (un-noised) scores: kept entries whose raw score equals the smallest raw
 * score kept (the noised threshold itself never ties); random — 0 (its order has no ties to break).
 */
public final class MaskBuilder {

    /** The builders. */
    public enum Method {
        /**
         * Exact global top-k: keeps exactly k = ⌊(1−ρ)·N⌋ entries over all tensors, ties broken
         * by (score desc, tensor index asc, element index asc). With a floor F > 0 (the reference
         * code's rule): every tensor t first reserves its ⌊F·n_t⌋ best entries (same tie order),
         * then the remaining k − Σ_t ⌊F·n_t⌋ slots go to the best of all other entries globally,
         * so exactly k are kept; a floor that reserves more than k is refused. The threshold (the
         * cut) is then the smallest score the global part kept; reserved entries below it are not
         * ties. If the reservations use the whole budget, the cuts are the tensors' own.
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
        /** Block mask: whole r×c blocks (1×rc for 1-D tensors) by global exact top-k of block scores. */
        BLOCK("block"),
        /**
         * The paper's Algorithm 1: per tensor, ε_t = max(‖s_t‖∞·10⁻¹⁰, 10⁻¹²) and the noised score
         * s + ε_t·z, z ~ N(0, 1) from (seed, tensor, index), computed and compared in float32; the
         * samples are the noised scores at the first min(cap, n_t) positions of a seeded random
         * permutation of the tensor's indices (without replacement); τ = the smallest of the
         * ⌊(1−ρ)·S⌋ largest of all S samples; every entry with noised score ≥ τ is kept. If the
         * achieved sparsity misses the target by more than {@link MaskOptions#FALLBACK_ERROR}, the
         * mask is per-tensor top-k instead (recorded). Because the sum is rounded to float32, the
         * noise moves a score s only where ε_t·|z| exceeds half its ulp (about 6·10⁻⁸·s), i.e. for
         * s below about 2·10⁻³·|z|·‖s_t‖∞, and then by a few ulps: ties among zeros are broken, a
         * tied group of equal larger scores at τ stays tied and is kept whole, as in the paper.
         * Differences from the reference code: the random streams (permutation, z) are ours, so a
         * seed does not reproduce the reference's mask; ε_t is computed in double and rounded to
         * float32. Memory: the S float samples, plus O(cap) for the tensor being sampled.
         */
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
     * @param tiedAtCut       kept entries whose score equals the cut (see the class Javadoc), in [0, kept]
     * @param tiedZeros       how many of those score exactly zero, in [0, tiedAtCut]
     */
    public record Report(String method, double targetSparsity, OptionalDouble threshold, double achievedSparsity,
                         Map<String, Double> keptFractions, long kept, long total, String note, long tiedAtCut, long tiedZeros) {
        public Report {
            if (tiedAtCut < 0 || tiedAtCut > kept) {
                throw new IllegalArgumentException("tiedAtCut must be in [0, " + kept + "] (kept), got " + tiedAtCut);
            }
            if (tiedZeros < 0 || tiedZeros > tiedAtCut) {
                throw new IllegalArgumentException("tiedZeros must be in [0, " + tiedAtCut + "] (tiedAtCut), got " + tiedZeros);
            }
        }

        /** Achieved minus target sparsity. */
        public double error() {
            return achievedSparsity - targetSparsity;
        }

        /** tiedAtCut / kept: the share of the mask whose entries tie with the cut (0 for an empty mask). */
        public double tieShare() {
            return kept == 0 ? 0.0 : (double) tiedAtCut / kept;
        }
    }

    private final ScoreSource source;
    private final Backend backend;
    private final BufferAllocator allocator;
    private final Progress progress;
    private final TensorTable tensors;
    /** Whether a whole pass of the current build has checked that every score is finite. */
    private boolean checked;

    public MaskBuilder(ScoreSource source, Backend backend, BufferAllocator allocator, Progress progress) {
        this.source = source;
        this.backend = backend;
        this.allocator = allocator;
        this.progress = progress == null ? Progress.NONE : progress;
        this.tensors = source.tensors();
    }

    /** k = ⌊(1−ρ)·n⌋, in exact decimal arithmetic on ρ's shortest representation (ρ = 0.975, n = 1000 gives 25). */
    public static long keepCount(double sparsity, long n) {
        return BigDecimal.ONE.subtract(BigDecimal.valueOf(sparsity)).multiply(BigDecimal.valueOf(n))
                .setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** The floor's reservation ⌊F·n⌋, in exact decimal arithmetic on F's shortest representation (F = 0.0025, n = 1000 gives 2). */
    public static long floorCount(double floor, long n) {
        return BigDecimal.valueOf(floor).multiply(BigDecimal.valueOf(n)).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** Builds the mask described by {@code options} into {@code out}. */
    public Report build(MaskOptions options, Path out, Map<String, String> provenance) throws IOException {
        if (tensors.totalElements() == 0) {
            throw new IllegalArgumentException("the scores hold no entries: nothing to select");
        }
        checked = false;
        return switch (options.builder()) {
            case EXACT -> topK(source, options, out, provenance, Method.EXACT.label(), true);
            case PER_TENSOR -> perTensor(options, out, provenance, Method.PER_TENSOR.label(), Map.of(), "");
            case RANDOM -> {
                Report r = topK(ScoreSource.random(tensors, options.seed(), ScoreSource.DEFAULT_CAPACITY), options, out, provenance,
                        Method.RANDOM.label(), false);
                // the cut of the hash scores means nothing to a reader of the report
                yield new Report(r.method(), r.targetSparsity(), OptionalDouble.empty(), r.achievedSparsity(), r.keptFractions(),
                        r.kept(), r.total(), r.note(), r.tiedAtCut(), r.tiedZeros());
            }
            case BLOCK -> block(options, out, provenance);
            case SAMPLED -> sampled(options, out, provenance);
        };
    }

    /** One pass over {@code s} shown as {@code phase}; the first whole pass over the scores also checks they are finite. */
    private ScoreSource tracked(ScoreSource s, String phase) {
        long total = tensors.totalElements();
        return new ScoreSource() {
            @Override
            public TensorTable tensors() {
                return s.tensors();
            }

            @Override
            public void forEachBatch(BatchVisitor visitor) throws IOException {
                boolean check = s == source && !checked;
                progress.begin(phase, total);
                try {
                    s.forEachBatch((t, off, v, n) -> {
                        if (check) {
                            requireFinite(t, off, v, n);
                        }
                        visitor.batch(t, off, v, n);
                        progress.advance(n);
                    });
                } finally {
                    progress.end();
                }
                checked |= check;
            }
        };
    }

    private void requireFinite(int t, long off, float[] v, int n) {
        // max |v| is NaN or ∞ iff some value is not finite: a max reduction the JIT vectorises
        float max = 0f;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs(v[i]));
        }
        if (max <= Float.MAX_VALUE) {
            return;
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(source.description() + ": tensor " + tensors.get(t).name() + " element " + (off + i)
                        + " (flat index) is " + v[i] + "; mask builders need finite scores: fix the scorer or its input and score again");
            }
        }
    }

    /**
     * Radix select over {@code s}, each of its three passes shown as "{@code phase} i/3"; with
     * {@code reserved}, over the entries those selections (one per tensor) do not take.
     */
    private RadixSelect.Selection[] select(ScoreSource s, int[] poolOf, long[] take, String phase, RadixSelect.Selection[] reserved)
            throws IOException {
        return RadixSelect.select(new ScoreSource() {
            private int pass;

            @Override
            public TensorTable tensors() {
                return s.tensors();
            }

            @Override
            public void forEachBatch(BatchVisitor visitor) throws IOException {
                ScoreSource one = tracked(s, phase + " " + ++pass + "/3");
                (reserved == null ? one : withoutReserved(one, reserved)).forEachBatch(visitor);
            }
        }, backend, poolOf, take, null);
    }

    /**
     * The entries of {@code s} that the per-tensor selections {@code reserved} do not take, in
     * stream order. The batches are compacted, so their offsets no longer address elements: only
     * the order matters, to the radix select and to the decider replayed over the same entries.
     */
    private static ScoreSource withoutReserved(ScoreSource s, RadixSelect.Selection[] reserved) {
        return new ScoreSource() {
            @Override
            public TensorTable tensors() {
                return s.tensors();
            }

            @Override
            public void forEachBatch(BatchVisitor visitor) throws IOException {
                RadixSelect.Decider[] d = deciders(reserved);
                float[][] buffer = new float[1][];
                s.forEachBatch((t, off, v, n) -> {
                    if (buffer[0] == null || buffer[0].length < n) {
                        buffer[0] = new float[Math.max(n, v.length)];
                    }
                    float[] rest = buffer[0];
                    int m = 0;
                    for (int i = 0; i < n; i++) {
                        if (!d[t].keep(SelectionKernels.key(v[i]))) {
                            rest[m++] = v[i];
                        }
                    }
                    if (m > 0) {
                        visitor.batch(t, off, rest, m);
                    }
                });
            }
        };
    }

    private static RadixSelect.Decider[] deciders(RadixSelect.Selection[] selections) {
        RadixSelect.Decider[] d = new RadixSelect.Decider[selections.length];
        for (int t = 0; t < d.length; t++) {
            d[t] = selections[t].decider();
        }
        return d;
    }

    /**
     * Global exact top-k of {@code s}, with the reserve floor of {@code o} (see {@link Method#EXACT});
     * {@code countTies}: count the ties at the cut (false for the random baseline: reported as 0).
     */
    private Report topK(ScoreSource s, MaskOptions o, Path out, Map<String, String> provenance, String method, boolean countTies)
            throws IOException {
        int nt = tensors.size();
        long total = tensors.totalElements();
        long k = keepCount(o.sparsity(), total);
        RadixSelect.Selection[] floors = null;
        long reserved = 0;
        if (o.floor() > 0) {
            int[] poolOf = new int[nt];
            long[] take = new long[nt];
            for (int t = 0; t < nt; t++) {
                poolOf[t] = t;
                take[t] = floorCount(o.floor(), tensors.get(t).size());
                reserved += take[t];
            }
            if (reserved > k) {
                throw new IllegalArgumentException("--floor " + o.floor() + " reserves " + reserved + " entries (the sum over the " + nt
                        + " tensors of floor(" + o.floor() + " * n_t)) but sparsity " + percent(o.sparsity()) + "% keeps only k = " + k
                        + " of " + total + ": lower --floor or the sparsity");
            }
            floors = select(s, poolOf, take, "floor", null);
        }
        RadixSelect.Selection global = k - reserved == 0 ? new RadixSelect.Selection(0, 0, 0, 0)
                : select(s, new int[nt], new long[] {k - reserved}, "select", floors)[0];
        Map<String, String> params = new LinkedHashMap<>();
        params.put("k", Long.toString(k));
        params.put("tie_break", "score desc, tensor asc, index asc");
        if (method.equals(Method.RANDOM.label())) {
            params.put("seed", Long.toString(o.seed()));
        }
        if (o.floor() > 0) {
            params.put("floor", Double.toString(o.floor()));
            params.put("floor_rule", "reserve floor(F * n_t) per tensor inside k");
            params.put("floor_reserved", Long.toString(reserved));
        }
        Cuts cuts = new Cuts(nt);
        if (global.take() > 0) {
            cuts.setAll(global.thresholdKey());
        } else if (floors != null) {
            cuts.set(floors);
        }
        OptionalDouble threshold = global.take() == 0 ? OptionalDouble.empty() : OptionalDouble.of(global.threshold());
        return emit(s, out, MaskFileInfo.of(method, o.sparsity(), threshold, params), provenance, global.decider(),
                floors == null ? null : deciders(floors), countTies ? cuts : new Cuts(nt), "");
    }

    private static String percent(double fraction) {
        return BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros().toPlainString();
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
        RadixSelect.Selection[] sel = select(source, poolOf, take, "select", null);
        Map<String, String> params = new LinkedHashMap<>(extra);
        params.put("pool", "per-tensor");
        Cuts cuts = new Cuts(nt);
        cuts.set(sel);
        return emit(source, out, MaskFileInfo.of(method, o.sparsity(), OptionalDouble.empty(), params), provenance, null,
                deciders(sel), cuts, note);
    }

    /** The cut (an order key) of each tensor's kept entries, if it has one: entries with that key count as tied. */
    private static final class Cuts {
        final int[] key;
        final boolean[] present;

        Cuts(int tensors) {
            key = new int[tensors];
            present = new boolean[tensors];
        }

        void setAll(int k) {
            Arrays.fill(key, k);
            Arrays.fill(present, true);
        }

        /** Each tensor's cut is its own selection's threshold (none if it takes nothing). */
        void set(RadixSelect.Selection[] perTensor) {
            for (int t = 0; t < key.length; t++) {
                key[t] = perTensor[t].thresholdKey();
                present[t] = perTensor[t].take() > 0;
            }
        }
    }

    /**
     * Final pass: writes every entry that the tensor's decider keeps, or else {@code global} keeps
     * ({@code global} sees only the entries the tensor deciders leave, in stream order), and
     * counts the kept entries at the tensor's cut.
     */
    private Report emit(ScoreSource s, Path out, MaskFileInfo info, Map<String, String> provenance,
                        RadixSelect.Decider global, RadixSelect.Decider[] perTensor, Cuts cuts, String note) throws IOException {
        try (MaskFileWriter w = MaskFileWriter.create(out, tensors, info, provenance, Batching.DEFAULTS, allocator)) {
            int[][] idx = new int[1][];
            long[] ties = new long[2];
            tracked(s, "write").forEachBatch((t, off, values, n) -> {
                if (idx[0] == null || idx[0].length < n) {
                    idx[0] = new int[Math.max(n, values.length)];
                }
                int[] buf = idx[0];
                RadixSelect.Decider local = perTensor == null ? null : perTensor[t];
                boolean counting = cuts.present[t];
                int cut = cuts.key[t];
                int m = 0;
                for (int i = 0; i < n; i++) {
                    int key = SelectionKernels.key(values[i]);
                    boolean keep = local != null && local.keep(key);
                    if (!keep && global != null) {
                        keep = global.keep(key);
                    }
                    if (keep) {
                        buf[m++] = (int) (off + i);
                        if (counting && key == cut) {
                            ties[0]++;
                            ties[1] += values[i] == 0f ? 1 : 0;
                        }
                    }
                }
                if (m > 0) {
                    w.writeIndices(tensors.get(t).name(), buf, 0, m);
                }
            });
            w.recordTies(ties[0], ties[1]);
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
                tensors.totalElements(), note, summary.tiedAtCut().orElse(0), summary.tiedZeros().orElse(0));
    }

    // ---------------------------------------------------------------- sampled (Algorithm 1)

    /** ε_t = max(‖s_t‖∞·1e-10, 1e-12), computed in double and rounded to float32. */
    static float noiseScale(float maxAbs) {
        return (float) Math.max(maxAbs * 1e-10, 1e-12);
    }

    /** The noised score of Algorithm 1 in float32: s + ε_t·z, z ~ N(0, 1) from (seed, tensor, index) rounded to float32. */
    static float noised(float score, float eps, long seed, int tensor, long index) {
        return score + eps * (float) Hash.gaussian(seed, tensor, index);
    }

    /** The generator of tensor {@code tensor}'s sample permutation. */
    static SplittableRandom sampleRandom(long seed, int tensor) {
        return new SplittableRandom(Hash.mix(seed ^ 0x9e3779b97f4a7c15L, tensor, 0));
    }

    /**
     * Sample positions of a tensor of {@code n} entries, sorted: the first min(cap, n) entries of
     * a random permutation of [0, n) by Fisher–Yates (step i swaps slot i with slot
     * i + {@link #sampleRandom}.nextLong(n − i)), so without replacement; all of [0, n) if n ≤ cap.
     * The permutation is virtual: only displaced slots are stored, in an open-addressing table of
     * at most 4·cap longs per key and value array, so memory is O(cap), not O(n).
     */
    static long[] samplePositions(long n, int cap, long seed, int tensor) {
        if (n <= cap) {
            long[] all = new long[(int) n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        int size = 4;
        while (size < 2L * cap) {
            size <<= 1;
        }
        long[] slots = new long[size]; // slot index + 1, 0 = empty
        long[] values = new long[size];
        SplittableRandom r = sampleRandom(seed, tensor);
        long[] p = new long[cap];
        for (int i = 0; i < cap; i++) {
            long j = i + r.nextLong(n - i);
            int hi = find(slots, i);
            long ai = slots[hi] == 0 ? i : values[hi];
            int hj = find(slots, j);
            p[i] = slots[hj] == 0 ? j : values[hj];
            // a[j] = a[i]; slot i is never read again (later steps draw from [i + 1, n))
            slots[hj] = j + 1;
            values[hj] = ai;
        }
        Arrays.sort(p);
        return p;
    }

    /** The table slot of {@code index}: where it is stored, or the empty slot where it would go (linear probing). */
    private static int find(long[] slots, long index) {
        int m = slots.length - 1;
        int h = (int) Hash.mix(index) & m;
        while (slots[h] != 0 && slots[h] != index + 1) {
            h = (h + 1) & m;
        }
        return h;
    }

    private Report sampled(MaskOptions o, Path out, Map<String, String> provenance) throws IOException {
        int nt = tensors.size();
        float[] maxAbs = new float[nt];
        tracked(source, "max").forEachBatch((t, off, v, n) -> {
            float m = maxAbs[t];
            for (int i = 0; i < n; i++) {
                m = Math.max(m, Math.abs(v[i]));
            }
            maxAbs[t] = m;
        });
        float[] eps = new float[nt];
        long sampleTotal = 0;
        for (int t = 0; t < nt; t++) {
            eps[t] = noiseScale(maxAbs[t]);
            sampleTotal += Math.min(o.samples(), tensors.get(t).size());
        }
        if (sampleTotal > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the sampled builder would pool " + sampleTotal + " samples, more than an array holds: "
                    + "lower --samples");
        }
        long seed = o.seed();
        float[] all = new float[(int) sampleTotal];
        int[] filled = new int[1];
        long[][] positions = new long[nt][];
        int[] cursor = new int[nt];
        tracked(source, "sample").forEachBatch((t, off, v, n) -> {
            if (positions[t] == null) {
                positions[t] = samplePositions(tensors.get(t).size(), o.samples(), seed, t);
            }
            long[] p = positions[t];
            int c = cursor[t];
            while (c < p.length && p[c] < off + n) {
                long j = p[c];
                all[filled[0]++] = noised(v[(int) (j - off)], eps[t], seed, t, j);
                c++;
            }
            cursor[t] = c;
            if (c == p.length) {
                positions[t] = new long[0];
            }
        });
        int sampleCount = filled[0];
        Arrays.sort(all, 0, sampleCount);
        long ks = keepCount(o.sparsity(), sampleCount);
        float tau = ks == 0 ? Float.POSITIVE_INFINITY : all[sampleCount - (int) ks];
        // count pass: the kept entries, and the smallest raw kept score (order key) with its ties
        long[] counts = new long[3]; // kept, tied at the raw cut, of those zeros
        int[] rawCut = {-1};
        tracked(source, "count").forEachBatch((t, off, v, n) -> {
            for (int i = 0; i < n; i++) {
                if (noised(v[i], eps[t], seed, t, off + i) >= tau) {
                    counts[0]++;
                    int key = SelectionKernels.key(v[i]);
                    int cmp = Integer.compareUnsigned(key, rawCut[0]);
                    if (cmp < 0) {
                        rawCut[0] = key;
                        counts[1] = 0;
                        counts[2] = 0;
                    }
                    if (cmp <= 0) {
                        counts[1]++;
                        counts[2] += v[i] == 0f ? 1 : 0;
                    }
                }
            }
        });
        long total = tensors.totalElements();
        double achieved = 1 - (double) counts[0] / total;
        Map<String, String> params = new LinkedHashMap<>();
        params.put("seed", Long.toString(seed));
        params.put("samples_per_tensor", Integer.toString(o.samples()));
        params.put("samples", Integer.toString(sampleCount));
        params.put("sampling", "first min(cap, n_t) of a seeded random permutation (without replacement)");
        params.put("noise", "float32");
        params.put("sample_threshold", Float.toString(tau));
        params.put("sampled_achieved_sparsity", Double.toString(achieved));
        if (Math.abs(achieved - o.sparsity()) > MaskOptions.FALLBACK_ERROR) {
            params.put("fallback", "per-tensor-topk");
            String note = String.format(java.util.Locale.ROOT,
                    "sampled threshold %.6g gave sparsity %.4f%%, more than %.0f points off the target: fell back to per-tensor top-k",
                    tau, achieved * 100, MaskOptions.FALLBACK_ERROR * 100);
            return perTensor(o, out, provenance, Method.SAMPLED.label(), params, note);
        }
        MaskFileInfo info = MaskFileInfo.of(Method.SAMPLED.label(), o.sparsity(),
                Float.isFinite(tau) ? OptionalDouble.of(tau) : OptionalDouble.empty(), params);
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
            w.recordTies(counts[1], counts[2]);
            return report(info, w.finish(), "");
        }
    }

    // ---------------------------------------------------------------- block masks

    /** Block shape of {@code t}: {@code b} for tensors of 2 or more dimensions (matrix view), 1 × rows·columns for 1-D ones. */
    static BlockShape blockShape(TensorInfo t, BlockShape b) {
        return t.shape().length >= 2 ? b : new BlockShape(1, b.rows() * b.columns());
    }

    private Report block(MaskOptions o, Path out, Map<String, String> provenance) throws IOException {
        int nt = tensors.size();
        BlockShape[] shapes = new BlockShape[nt];
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
        Map<String, BlockShape> shapeMap = new LinkedHashMap<>();
        for (int t = 0; t < nt; t++) {
            shapeMap.put(tensors.get(t).name(), shapes[t]);
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("block", o.block().toString());
        params.put("block_score", max ? "max" : "sum");
        params.put("blocks_kept", Long.toString(kb));
        params.put("blocks", Long.toString(blockTotal));
        MaskFileInfo info = MaskFileInfo.of(Method.BLOCK.label(), o.sparsity(),
                kb == 0 ? OptionalDouble.empty() : OptionalDouble.of(sel.threshold()), params).withBlockShapes(shapeMap);
        // ties: the entries of the kept blocks whose block score equals the cut (the block threshold)
        int cut = sel.thresholdKey();
        long tied = 0;
        long tiedZeros = 0;
        try (MaskFileWriter w = MaskFileWriter.create(out, tensors, info, provenance, Batching.DEFAULTS, allocator)) {
            int[] buf = new int[1 << 16];
            for (int t = 0; t < nt; t++) {
                TensorInfo ti = tensors.get(t);
                float[] bs = blockScores[t];
                boolean[] keep = new boolean[bs.length];
                for (int b = 0; b < bs.length; b++) {
                    int key = SelectionKernels.key(bs[b]);
                    keep[b] = d.keep(key);
                    if (keep[b] && key == cut) {
                        int r = b / gridCols[t];
                        int c = b % gridCols[t];
                        long entries = Math.min(shapes[t].rows(), ti.matrixRows() - (long) r * shapes[t].rows())
                                * Math.min(shapes[t].columns(), ti.matrixColumns() - (long) c * shapes[t].columns());
                        tied += entries;
                        tiedZeros += bs[b] == 0f ? entries : 0;
                    }
                }
                blockScores[t] = null;
                writeBlockTensor(w, ti, shapes[t], gridRows[t], gridCols[t], keep, buf);
            }
            w.recordTies(tied, tiedZeros);
            return report(info, w.finish(), "");
        }
    }

    private static void writeBlockTensor(MaskFileWriter w, TensorInfo ti, BlockShape shape, int gridRows, int gridCols,
                                         boolean[] keep, int[] buf) throws IOException {
        long rows = ti.matrixRows();
        long cols = ti.matrixColumns();
        int br = shape.rows();
        int bc = shape.columns();
        MaskBlocks blocks = MaskBlocks.ofKeptBlocks(shape, rows, cols, keep);
        int[] rowPointers = blocks.blockRowPointers();
        int[] blockColumns = blocks.blockColumns();
        w.writeBlocks(ti.name(), blocks);
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
