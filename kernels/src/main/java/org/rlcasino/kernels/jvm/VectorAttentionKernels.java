package org.rlcasino.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.rlcasino.kernels.AttentionKernels;

import static org.rlcasino.kernels.AttentionKernels.D_C;
import static org.rlcasino.kernels.AttentionKernels.D_NH;
import static org.rlcasino.kernels.AttentionKernels.D_T;

/**
 * JVM-only fast paths of the training attention kernels ({@link AttentionKernels#attentionForward},
 * {@link AttentionKernels#attentionBackwardQuery}, {@link AttentionKernels#attentionBackwardKeyValue}),
 * bit-identical to them for any range split: every float the reference computes is computed here
 * by the same IEEE operations in the same order, only several at once.
 * <ul>
 *   <li>Dot products over a head's channels ({@code q_t·k_s}, {@code dout_t·v_s}) run one key
 *   position per lane: the head's keys (or values) are first copied channel-major into a scratch
 *   block {@code kt[i·T + s]}, so that lane s accumulates {@code acc + q[i]·k_s[i]} for i ascending,
 *   as the scalar loop does.</li>
 *   <li>Sums over positions into a head's channels ({@code Σ_s p_s·v_s}, {@code Σ_s ds_s·k_s},
 *   {@code Σ_t ds·q_t}, {@code Σ_t p·dout_t}) run one channel per lane, positions ascending, each
 *   accumulator kept in a register.</li>
 *   <li>exp, the row maximum and the sums over positions stay scalar and in order.</li>
 * </ul>
 * A separate multiply and add, never a fused multiply-add, as the reference kernels. Shapes whose
 * head size is not a whole number of vectors use the reference kernels (bit-identical by
 * definition). The TornadoVM backend never uses this class.
 */
public final class VectorAttentionKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    /** Channel vectors accumulated together in registers (a head's channels run in groups of these). */
    private static final int GROUP_VECTORS = 4;

    /** Per-thread scratch: a head's keys or values, channel-major. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private VectorAttentionKernels() {}

    /** Whether the fast paths handle this shape (else they run the reference kernels). */
    public static boolean supports(int[] dims) {
        int hs = dims[D_C] / dims[D_NH];
        return hs % LANES == 0;
    }

    static float[] scratch(int floats) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < floats) {
            holder[0] = new float[Math.max(floats, holder[0].length * 2)];
        }
        return holder[0];
    }

    /**
     * {@code kt[i·T + s] = qkv[(b·T + s)·3C + part·C + h·hs + i]} for head {@code bh = b·NH + h}:
     * its keys ({@code part} 1) or values ({@code part} 2), channel-major, for the positions up to
     * the last query of that head a chunk ending before iteration {@code end} reaches.
     */
    private static void transposeHead(float[] kt, float[] qkv, int bh, int part, int end, int tt, int c, int nh) {
        int hs = c / nh;
        int h = bh % nh;
        int b = bh / nh;
        int upTo = Math.min(end - 1, (bh + 1) * tt - 1) % tt + 1;
        for (int s = 0; s < upTo; s++) {
            int src = (b * tt + s) * 3 * c + part * c + h * hs;
            for (int i = 0; i < hs; i++) {
                kt[i * tt + s] = qkv[src + i];
            }
        }
    }

    /**
     * {@code out[row + s] = (Σ_i x[xAt + i]·kt[i·T + s]) · scale} for s in {@code [0, upTo)}, each
     * sum from 0 with i ascending (the reference's dot products, one position per lane). With
     * {@code scale} 1 the product is exact, so it also serves dot products the reference does not
     * scale.
     */
    static void dots(float[] out, int row, float[] x, int xAt, float[] kt, int tt, int hs, int upTo,
                             float scale, boolean scaled) {
        for (int s0 = 0; s0 < upTo; s0 += LANES) {
            VectorMask<Float> m = F.indexInRange(s0, upTo);
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0; i < hs; i++) {
                FloatVector k = FloatVector.fromArray(F, kt, i * tt + s0, m);
                acc = acc.add(k.mul(x[xAt + i]));
            }
            if (scaled) {
                acc = acc.mul(scale);
            }
            acc.intoArray(out, row + s0, m);
        }
    }

    /** Same contract as {@link AttentionKernels#attentionForward}. */
    public static void attentionForward(float[] out, float[] att, float[] qkv, int[] dims, int offset, int count) {
        if (!supports(dims)) {
            AttentionKernels.attentionForward(out, att, qkv, dims, offset, count);
            return;
        }
        int tt = dims[D_T];
        int c = dims[D_C];
        int nh = dims[D_NH];
        int hs = c / nh;
        float scale = 1f / (float) Math.sqrt(hs);
        float[] kt = scratch(hs * tt);
        int loaded = -1;
        for (int e = offset; e < offset + count; e++) {
            int t = e % tt;
            int bh = e / tt;
            int h = bh % nh;
            int b = bh / nh;
            if (bh != loaded) {
                transposeHead(kt, qkv, bh, 1, offset + count, tt, c, nh);
                loaded = bh;
            }
            int q = (b * tt + t) * 3 * c + h * hs;
            int row = e * tt;
            dots(att, row, qkv, q, kt, tt, hs, t + 1, scale, true);
            float max = -Float.MAX_VALUE;
            for (int s = 0; s <= t; s++) {
                if (att[row + s] > max) {
                    max = att[row + s];
                }
            }
            float sum = 0f;
            for (int s = 0; s <= t; s++) {
                float p = (float) Math.exp(att[row + s] - max);
                att[row + s] = p;
                sum = sum + p;
            }
            float inv = 1f / sum;
            scaleRow(att, row, t + 1, inv);
            for (int s = t + 1; s < tt; s++) {
                att[row + s] = 0f;
            }
            int o = (b * tt + t) * c + h * hs;
            weightedSum(out, o, att, row, 1, qkv, (b * tt) * 3 * c + 2 * c + h * hs, 3 * c, 0, t + 1, hs, 1f, false);
        }
    }

    /** {@code x[at + s] = x[at + s]·factor} for s in {@code [0, n)}. */
    static void scaleRow(float[] x, int at, int n, float factor) {
        for (int s0 = 0; s0 < n; s0 += LANES) {
            VectorMask<Float> m = F.indexInRange(s0, n);
            FloatVector.fromArray(F, x, at + s0, m).mul(factor).intoArray(x, at + s0, m);
        }
    }

    /**
     * {@code dst[d + i] = Σ_{s=from}^{to−1} w[wAt + s·wStride]·src[srcAt + s·srcStride + i]} for the
     * hs channels i, each from 0 with s ascending ({@code acc + w·x}), then times {@code scale} when
     * {@code scaled}: the reference's accumulations over positions, one channel per lane.
     */
    static void weightedSum(float[] dst, int d, float[] w, int wAt, int wStride, float[] src, int srcAt,
                                    int srcStride, int from, int to, int hs, float scale, boolean scaled) {
        for (int g = 0; g < hs; g += GROUP_VECTORS * LANES) {
            int vectors = Math.min(GROUP_VECTORS, (hs - g) / LANES);
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (int s = from; s < to; s++) {
                float p = w[wAt + s * wStride];
                int x = srcAt + s * srcStride + g;
                a0 = a0.add(FloatVector.fromArray(F, src, x).mul(p));
                if (vectors > 1) {
                    a1 = a1.add(FloatVector.fromArray(F, src, x + LANES).mul(p));
                }
                if (vectors > 2) {
                    a2 = a2.add(FloatVector.fromArray(F, src, x + 2 * LANES).mul(p));
                }
                if (vectors > 3) {
                    a3 = a3.add(FloatVector.fromArray(F, src, x + 3 * LANES).mul(p));
                }
            }
            if (scaled) {
                a0 = a0.mul(scale);
                a1 = a1.mul(scale);
                a2 = a2.mul(scale);
                a3 = a3.mul(scale);
            }
            int o = d + g;
            a0.intoArray(dst, o);
            if (vectors > 1) {
                a1.intoArray(dst, o + LANES);
            }
            if (vectors > 2) {
                a2.intoArray(dst, o + 2 * LANES);
            }
            if (vectors > 3) {
                a3.intoArray(dst, o + 3 * LANES);
            }
        }
    }

    /** Same contract as {@link AttentionKernels#attentionBackwardQuery}. */
    public static void attentionBackwardQuery(float[] dqkv, float[] datt, float[] dout, float[] qkv, float[] att,
                                              int[] dims, int offset, int count) {
        if (!supports(dims)) {
            AttentionKernels.attentionBackwardQuery(dqkv, datt, dout, qkv, att, dims, offset, count);
            return;
        }
        int tt = dims[D_T];
        int c = dims[D_C];
        int nh = dims[D_NH];
        int hs = c / nh;
        float scale = 1f / (float) Math.sqrt(hs);
        float[] vt = scratch(hs * tt);
        int loaded = -1;
        for (int e = offset; e < offset + count; e++) {
            int t = e % tt;
            int bh = e / tt;
            int h = bh % nh;
            int b = bh / nh;
            if (bh != loaded) {
                transposeHead(vt, qkv, bh, 2, offset + count, tt, c, nh);
                loaded = bh;
            }
            int row = e * tt;
            int d = (b * tt + t) * c + h * hs;
            dots(datt, row, dout, d, vt, tt, hs, t + 1, 1f, false);
            float dot = 0f;
            for (int s = 0; s <= t; s++) {
                dot = dot + att[row + s] * datt[row + s];
            }
            for (int s0 = 0; s0 <= t; s0 += LANES) {
                VectorMask<Float> m = F.indexInRange(s0, t + 1);
                FloatVector dp = FloatVector.fromArray(F, datt, row + s0, m);
                FloatVector p = FloatVector.fromArray(F, att, row + s0, m);
                p.mul(dp.sub(dot)).intoArray(datt, row + s0, m);
            }
            for (int s = t + 1; s < tt; s++) {
                datt[row + s] = 0f;
            }
            int q = (b * tt + t) * 3 * c + h * hs;
            weightedSum(dqkv, q, datt, row, 1, qkv, (b * tt) * 3 * c + c + h * hs, 3 * c, 0, t + 1, hs, scale, true);
        }
    }

    /** Same contract as {@link AttentionKernels#attentionBackwardKeyValue}. */
    public static void attentionBackwardKeyValue(float[] dqkv, float[] dout, float[] qkv, float[] att, float[] datt,
                                                 int[] dims, int offset, int count) {
        if (!supports(dims)) {
            AttentionKernels.attentionBackwardKeyValue(dqkv, dout, qkv, att, datt, dims, offset, count);
            return;
        }
        int tt = dims[D_T];
        int c = dims[D_C];
        int nh = dims[D_NH];
        int hs = c / nh;
        float scale = 1f / (float) Math.sqrt(hs);
        for (int e = offset; e < offset + count; e++) {
            int s = e % tt;
            int bh = e / tt;
            int h = bh % nh;
            int b = bh / nh;
            int head = bh * tt * tt;
            int k = (b * tt + s) * 3 * c + c + h * hs;
            // dk_s = scale·Σ_{t≥s} datt[t][s]·q_t ; dv_s = Σ_{t≥s} att[t][s]·dout_t
            weightedSum(dqkv, k, datt, head + s, tt, qkv, (b * tt) * 3 * c + h * hs, 3 * c, s, tt, hs, scale, true);
            weightedSum(dqkv, k + c, att, head + s, tt, dout, (b * tt) * c + h * hs, c, s, tt, hs, 1f, false);
        }
    }
}
