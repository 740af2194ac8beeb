package org.rlcasino.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.rlcasino.kernels.GroupedAttentionKernels;

import static org.rlcasino.kernels.GroupedAttentionKernels.D_HEAD;
import static org.rlcasino.kernels.GroupedAttentionKernels.D_NH;
import static org.rlcasino.kernels.GroupedAttentionKernels.D_NKV;
import static org.rlcasino.kernels.GroupedAttentionKernels.D_T;
import static org.rlcasino.kernels.GroupedAttentionKernels.D_WINDOW;

/**
 * JVM-only fast paths of the grouped-query attention training kernels
 * ({@link GroupedAttentionKernels#groupedAttentionForward},
 * {@link GroupedAttentionKernels#groupedAttentionBackwardQuery},
 * {@link GroupedAttentionKernels#groupedAttentionBackwardKeyValue}), bit-identical to them for any
 * range split, by the scheme of {@link VectorAttentionKernels}: dot products over a head's channels
 * one key position per lane (the key/value head copied channel-major once and shared by the query
 * heads of its group), sums over positions one channel per lane in registers, exp, maxima and
 * position sums scalar and in order, a separate multiply and add. A sliding window only narrows
 * the positions read. Head sizes that are not a whole number of vectors run the reference kernels.
 */
public final class VectorGroupedAttentionKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = VectorAttentionKernels.LANES;

    private VectorGroupedAttentionKernels() {}

    /** Whether the fast paths handle this shape (else they run the reference kernels). */
    public static boolean supports(int[] dims) {
        return dims[D_HEAD] % LANES == 0;
    }

    /**
     * Walks a chunk's (batch, query head, query) iterations and keeps the key/value head each one reads
     * ({@code src}: (B·T, NKV·D)) copied channel-major into scratch, {@code kt[i·T + s]}, for the
     * positions the chunk's queries of that head reach; the query heads of a group share one copy.
     */
    private static final class QueryCursor {
        final int tt;
        final int nh;
        final int nkv;
        final int d;
        final int window;
        final float[] kt;
        private final float[] src;
        private final int end;
        private int loaded = -1;
        private int loadedUpTo;
        int t;
        int h;
        int b;
        int g;
        /** The first key position the query sees. */
        int lo;

        QueryCursor(float[] src, int[] dims, int end) {
            this.tt = dims[D_T];
            this.nh = dims[D_NH];
            this.nkv = dims[D_NKV];
            this.d = dims[D_HEAD];
            this.window = dims[D_WINDOW];
            this.src = src;
            this.end = end;
            this.kt = VectorAttentionKernels.scratch(d * tt);
        }

        /** Moves to iteration {@code e}, copying its key/value head if the scratch does not hold enough of it. */
        void at(int e) {
            t = e % tt;
            int bh = e / tt;
            h = bh % nh;
            b = bh / nh;
            g = h / (nh / nkv);
            int bg = b * nkv + g;
            int upTo = Math.min(end - 1, (bh + 1) * tt - 1) % tt + 1;
            if (bg != loaded || upTo > loadedUpTo) {
                for (int s = 0; s < upTo; s++) {
                    int at = (b * tt + s) * nkv * d + g * d;
                    for (int i = 0; i < d; i++) {
                        kt[i * tt + s] = src[at + i];
                    }
                }
                loaded = bg;
                loadedUpTo = upTo;
            }
            lo = window == 0 ? 0 : Math.max(0, t - window + 1);
        }

        /** Where the query's head starts in a (B·T, NH·D) array. */
        int queryAt() {
            return (b * tt + t) * nh * d + h * d;
        }

        /** Where the key/value head's position 0 starts in a (B·T, NKV·D) array. */
        int headAt() {
            return b * tt * nkv * d + g * d;
        }
    }

    /** Same contract as {@link GroupedAttentionKernels#groupedAttentionForward}. */
    public static void groupedAttentionForward(float[] out, float[] att, float[] q, float[] k, float[] v, float[] scale,
                                               int[] dims, int offset, int count) {
        if (!supports(dims)) {
            GroupedAttentionKernels.groupedAttentionForward(out, att, q, k, v, scale, dims, offset, count);
            return;
        }
        QueryCursor c = new QueryCursor(k, dims, offset + count);
        int tt = c.tt;
        for (int e = offset; e < offset + count; e++) {
            c.at(e);
            int t = c.t;
            int lo = c.lo;
            int row = e * tt;
            VectorAttentionKernels.dots(att, row, q, c.queryAt(), c.kt, tt, c.d, t + 1, scale[0], true);
            float max = -Float.MAX_VALUE;
            for (int s = lo; s <= t; s++) {
                if (att[row + s] > max) {
                    max = att[row + s];
                }
            }
            float sum = 0f;
            for (int s = lo; s <= t; s++) {
                float p = (float) Math.exp(att[row + s] - max);
                att[row + s] = p;
                sum = sum + p;
            }
            zeroOutside(att, row, lo, t, tt);
            VectorAttentionKernels.scaleRow(att, row + lo, t + 1 - lo, 1f / sum);
            VectorAttentionKernels.weightedSum(out, c.queryAt(), att, row, 1, v, c.headAt(), c.nkv * c.d, lo, t + 1, c.d, 1f, false);
        }
    }

    /** {@code x[row + s] = 0} for the positions a query at t does not see: s < lo and s > t. */
    private static void zeroOutside(float[] x, int row, int lo, int t, int tt) {
        for (int s = 0; s < lo; s++) {
            x[row + s] = 0f;
        }
        for (int s = t + 1; s < tt; s++) {
            x[row + s] = 0f;
        }
    }

    /** Same contract as {@link GroupedAttentionKernels#groupedAttentionBackwardQuery}. */
    public static void groupedAttentionBackwardQuery(float[] dq, float[] datt, float[] dout, float[] k, float[] v,
                                                     float[] att, float[] scale, int[] dims, int offset, int count) {
        if (!supports(dims)) {
            GroupedAttentionKernels.groupedAttentionBackwardQuery(dq, datt, dout, k, v, att, scale, dims, offset, count);
            return;
        }
        QueryCursor c = new QueryCursor(v, dims, offset + count);
        int tt = c.tt;
        for (int e = offset; e < offset + count; e++) {
            c.at(e);
            int t = c.t;
            int lo = c.lo;
            int row = e * tt;
            int dAt = c.queryAt();
            VectorAttentionKernels.dots(datt, row, dout, dAt, c.kt, tt, c.d, t + 1, 1f, false);
            float dot = 0f;
            for (int s = lo; s <= t; s++) {
                dot = dot + att[row + s] * datt[row + s];
            }
            for (int s0 = lo; s0 <= t; s0 += LANES) {
                VectorMask<Float> m = F.indexInRange(s0, t + 1);
                FloatVector dp = FloatVector.fromArray(F, datt, row + s0, m);
                FloatVector p = FloatVector.fromArray(F, att, row + s0, m);
                p.mul(dp.sub(dot)).intoArray(datt, row + s0, m);
            }
            zeroOutside(datt, row, lo, t, tt);
            VectorAttentionKernels.weightedSum(dq, dAt, datt, row, 1, k, c.headAt(), c.nkv * c.d, lo, t + 1, c.d, scale[0], true);
        }
    }

    /** Same contract as {@link GroupedAttentionKernels#groupedAttentionBackwardKeyValue}. */
    public static void groupedAttentionBackwardKeyValue(float[] dk, float[] dv, float[] dout, float[] q, float[] att,
                                                        float[] datt, float[] scale, int[] dims, int offset, int count) {
        if (!supports(dims)) {
            GroupedAttentionKernels.groupedAttentionBackwardKeyValue(dk, dv, dout, q, att, datt, scale, dims, offset, count);
            return;
        }
        int tt = dims[D_T];
        int nh = dims[D_NH];
        int nkv = dims[D_NKV];
        int d = dims[D_HEAD];
        int window = dims[D_WINDOW];
        int group = nh / nkv;
        for (int e = offset; e < offset + count; e++) {
            int s = e % tt;
            int bg = e / tt;
            int g = bg % nkv;
            int b = bg / nkv;
            int at = (b * tt + s) * nkv * d + g * d;
            int hi = window == 0 ? tt - 1 : Math.min(tt - 1, s + window - 1);
            // dk_s = scale·Σ_{h∈g} Σ_t datt_h[t][s]·q_{t,h} ; dv_s = Σ_{h∈g} Σ_t att_h[t][s]·dout_{t,h}
            groupSum(dk, at, datt, q, b, g, group, s, hi, tt, nh, d, scale[0], true);
            groupSum(dv, at, att, dout, b, g, group, s, hi, tt, nh, d, 1f, false);
        }
    }

    /**
     * {@code dst[at + i] = Σ_{h∈g} Σ_{t=s}^{hi} w_h[t][s]·src[(b·T + t)·NH·D + h·D + i]}, heads then positions
     * ascending, each channel's accumulator from 0 (then times {@code scale} when {@code scaled}).
     */
    private static void groupSum(float[] dst, int at, float[] w, float[] src, int b, int g, int group, int s, int hi, int tt,
                                 int nh, int d, float scale, boolean scaled) {
        for (int i0 = 0; i0 < d; i0 += LANES) {
            FloatVector acc = FloatVector.zero(F);
            for (int hh = 0; hh < group; hh++) {
                int h = g * group + hh;
                int head = (b * nh + h) * tt * tt;
                for (int t = s; t <= hi; t++) {
                    float p = w[head + t * tt + s];
                    acc = acc.add(FloatVector.fromArray(F, src, (b * tt + t) * nh * d + h * d + i0).mul(p));
                }
            }
            if (scaled) {
                acc = acc.mul(scale);
            }
            acc.intoArray(dst, at + i0);
        }
    }
}
