package org.rlcasino.kernels;

/**
 * Causal grouped-query self-attention (Llama, Mistral, Qwen, Gemma) on separate query, key and
 * value projections: {@code q} (B·T, NH·D), {@code k} and {@code v} (B·T, NKV·D), query head h
 * reading key/value head {@code g = h / (NH/NKV)}; the head size D is independent of the model
 * width. With {@code scale = scale[0]} (1/√D, or Gemma's 1/√query_pre_attn_scalar) and an optional
 * sliding window W (key s is visible to query t when {@code s ≤ t} and {@code t − s < W}; W = 0:
 * no window):
 * <pre>
 *   score[t][s] = scale·(q_{t,h} · k_{s,g})      for visible s
 *   att[t][s]   = softmax_s(score[t][·])          (0 where not visible)
 *   out_{t,h}   = Σ_s att[t][s]·v_{s,g}
 * </pre>
 * {@code dims}: {@code [D_B] B, [D_T] T, [D_NH] NH, [D_NKV] NKV, [D_HEAD] D, [D_WINDOW] W}. Dot
 * products run over the head's channels in ascending order and sums over positions (and, for key
 * and value gradients, over the group's query heads, then positions) in ascending order; each
 * iteration writes only its own outputs, so results do not depend on chunking.
 */
public final class GroupedAttentionKernels {
    public static final int D_B = 0;
    public static final int D_T = 1;
    public static final int D_NH = 2;
    public static final int D_NKV = 3;
    public static final int D_HEAD = 4;
    public static final int D_WINDOW = 5;
    public static final int DIMS_LENGTH = 6;

    private GroupedAttentionKernels() {}

    /** A {@code dims} array; {@code window} 0 for plain causal attention. */
    public static int[] dims(int b, int t, int heads, int kvHeads, int headDim, int window) {
        if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("query heads " + heads + " must be a positive multiple of key/value heads " + kvHeads);
        }
        if (window < 0) {
            throw new IllegalArgumentException("sliding window must be >= 0 (0: none), got " + window);
        }
        return new int[] {b, t, heads, kvHeads, headDim, window};
    }

    /** The first key position visible to query position t (the last is t itself). */
    static int firstVisible(int t, int window) {
        return window == 0 ? 0 : Math.max(0, t - window + 1);
    }

    /** The last query position that sees key position s (the first is s itself), of T. */
    static int lastSeeing(int s, int window, int tt) {
        return window == 0 ? tt - 1 : Math.min(tt - 1, s + window - 1);
    }

    /**
     * Forward: writes {@code att} (B, NH, T, T) (probabilities, zeros where not visible) and
     * {@code out} (B·T, NH·D). Iterations: the B·NH·T (batch, head, query) triples.
     */
    public static void groupedAttentionForward(float[] out, float[] att, float[] q, float[] k, float[] v, float[] scale,
                                               int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int tt = dims[D_T];
            int nh = dims[D_NH];
            int nkv = dims[D_NKV];
            int d = dims[D_HEAD];
            int window = dims[D_WINDOW];
            int t = e % tt;
            int bh = e / tt;
            int h = bh % nh;
            int b = bh / nh;
            int g = h / (nh / nkv);
            int row = e * tt;
            int lo = firstVisible(t, window);
            int qAt = (b * tt + t) * nh * d + h * d;
            attend(out, qAt, att, row, q, qAt, k, v, b * tt * nkv * d + g * d, nkv * d, lo, t, d, scale[0]);
            for (int s = 0; s < lo; s++) {
                att[row + s] = 0f;
            }
            for (int s = t + 1; s < tt; s++) {
                att[row + s] = 0f;
            }
        }
    }

    /**
     * One query head attending over key positions {@code [lo, t]} of its key/value head: the scores
     * {@code scale·(q·k_s)} and then their softmax into {@code att[row + s]}, and
     * {@code out[o + i] = Σ_s att[row + s]·v_s[i]}, key/value position s at {@code kv0 + s·kvStride}. The one body
     * of the forward and the decoding step, so a decoding step equals a full forward bit for bit.
     */
    static void attend(float[] out, int o, float[] att, int row, float[] q, int qAt, float[] k, float[] v, int kv0, int kvStride,
                       int lo, int t, int d, float scale) {
        float max = -Float.MAX_VALUE;
        for (int s = lo; s <= t; s++) {
            int kAt = kv0 + s * kvStride;
            float dot = 0f;
            for (int i = 0; i < d; i++) {
                dot = dot + q[qAt + i] * k[kAt + i];
            }
            float score = dot * scale;
            att[row + s] = score;
            if (score > max) {
                max = score;
            }
        }
        float sum = 0f;
        for (int s = lo; s <= t; s++) {
            float p = (float) Math.exp(att[row + s] - max);
            att[row + s] = p;
            sum = sum + p;
        }
        float inv = 1f / sum;
        for (int i = 0; i < d; i++) {
            out[o + i] = 0f;
        }
        for (int s = lo; s <= t; s++) {
            float p = att[row + s] * inv;
            att[row + s] = p;
            int vAt = kv0 + s * kvStride;
            for (int i = 0; i < d; i++) {
                out[o + i] = out[o + i] + p * v[vAt + i];
            }
        }
    }

    /**
     * Backward, query side: from {@code dout} (B·T, NH·D), the score gradients
     * {@code datt[t][s] = att[t][s]·(dp_s − Σ_{s'} att[t][s']·dp_{s'})}, {@code dp_s = dout_{t,h}·v_{s,g}}
     * (B, NH, T, T; zeros where not visible), and {@code dq_{t,h} = scale·Σ_s datt[t][s]·k_{s,g}}
     * into {@code dq} (B·T, NH·D). Iterations: the B·NH·T (batch, head, query) triples.
     */
    public static void groupedAttentionBackwardQuery(float[] dq, float[] datt, float[] dout, float[] k, float[] v,
                                                     float[] att, float[] scale, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int tt = dims[D_T];
            int nh = dims[D_NH];
            int nkv = dims[D_NKV];
            int d = dims[D_HEAD];
            int window = dims[D_WINDOW];
            int t = e % tt;
            int bh = e / tt;
            int h = bh % nh;
            int b = bh / nh;
            int g = h / (nh / nkv);
            int row = e * tt;
            int dAt = (b * tt + t) * nh * d + h * d;
            int lo = firstVisible(t, window);
            float dot = 0f;
            for (int s = lo; s <= t; s++) {
                int vAt = (b * tt + s) * nkv * d + g * d;
                float dp = 0f;
                for (int i = 0; i < d; i++) {
                    dp = dp + dout[dAt + i] * v[vAt + i];
                }
                datt[row + s] = dp;
                dot = dot + att[row + s] * dp;
            }
            for (int s = lo; s <= t; s++) {
                datt[row + s] = att[row + s] * (datt[row + s] - dot);
            }
            for (int s = 0; s < lo; s++) {
                datt[row + s] = 0f;
            }
            for (int s = t + 1; s < tt; s++) {
                datt[row + s] = 0f;
            }
            for (int i = 0; i < d; i++) {
                dq[dAt + i] = 0f;
            }
            for (int s = lo; s <= t; s++) {
                float ds = datt[row + s];
                int kAt = (b * tt + s) * nkv * d + g * d;
                for (int i = 0; i < d; i++) {
                    dq[dAt + i] = dq[dAt + i] + ds * k[kAt + i];
                }
            }
            for (int i = 0; i < d; i++) {
                dq[dAt + i] = dq[dAt + i] * scale[0];
            }
        }
    }

    /**
     * Backward, key/value side (after the query side): for key/value head g at position s,
     * {@code dk_{s,g} = scale·Σ_{h∈g} Σ_t datt_h[t][s]·q_{t,h}} and
     * {@code dv_{s,g} = Σ_{h∈g} Σ_t att_h[t][s]·dout_{t,h}}, heads then positions ascending, into
     * {@code dk}, {@code dv} (B·T, NKV·D). Iterations: the B·NKV·T (batch, key/value head, key) triples.
     */
    public static void groupedAttentionBackwardKeyValue(float[] dk, float[] dv, float[] dout, float[] q, float[] att,
                                                        float[] datt, float[] scale, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int tt = dims[D_T];
            int nh = dims[D_NH];
            int nkv = dims[D_NKV];
            int d = dims[D_HEAD];
            int window = dims[D_WINDOW];
            int s = e % tt;
            int bg = e / tt;
            int g = bg % nkv;
            int b = bg / nkv;
            int group = nh / nkv;
            int at = (b * tt + s) * nkv * d + g * d;
            for (int i = 0; i < d; i++) {
                dk[at + i] = 0f;
                dv[at + i] = 0f;
            }
            for (int hh = 0; hh < group; hh++) {
                int h = g * group + hh;
                int head = (b * nh + h) * tt * tt;
                int hi = lastSeeing(s, window, tt);
                for (int t = s; t <= hi; t++) {
                    float ds = datt[head + t * tt + s];
                    float p = att[head + t * tt + s];
                    int qAt = (b * tt + t) * nh * d + h * d;
                    for (int i = 0; i < d; i++) {
                        dk[at + i] = dk[at + i] + ds * q[qAt + i];
                        dv[at + i] = dv[at + i] + p * dout[qAt + i];
                    }
                }
            }
            for (int i = 0; i < d; i++) {
                dk[at + i] = dk[at + i] * scale[0];
            }
        }
    }

    /**
     * One decoding step with a KV cache: row b's new position is {@code p = positions[b]}; its key and
     * value ({@code k}, {@code v}: (B, NKV·D)) are stored into {@code kCache}/{@code vCache}
     * (B, maxT, NKV·D) at p, then each query head of the group ({@code q}: (B, NH·D)) attends over
     * the cached positions it sees exactly as {@link #groupedAttentionForward} does (same operation
     * order: the results equal a full forward's bit for bit). Writes {@code out} (B, NH·D) and the
     * probabilities into {@code att} (B, NH, maxT). {@code dims[D_T]} is maxT, {@code dims[D_B]} B.
     * Iterations: the B·NKV (row, key/value head) pairs; each writes its head's cache entries and its
     * group's outputs.
     */
    public static void groupedAttentionDecode(float[] out, float[] att, float[] kCache, float[] vCache, float[] q, float[] k,
                                              float[] v, int[] positions, float[] scale, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int maxT = dims[D_T];
            int nh = dims[D_NH];
            int nkv = dims[D_NKV];
            int d = dims[D_HEAD];
            int window = dims[D_WINDOW];
            int g = e % nkv;
            int b = e / nkv;
            int t = positions[b];
            int cached = (b * maxT + t) * nkv * d + g * d;
            for (int i = 0; i < d; i++) {
                kCache[cached + i] = k[b * nkv * d + g * d + i];
                vCache[cached + i] = v[b * nkv * d + g * d + i];
            }
            int group = nh / nkv;
            int lo = firstVisible(t, window);
            for (int hh = 0; hh < group; hh++) {
                int h = g * group + hh;
                int qAt = b * nh * d + h * d;
                attend(out, qAt, att, (b * nh + h) * maxT, q, qAt, kCache, vCache, b * maxT * nkv * d + g * d, nkv * d, lo, t, d,
                        scale[0]);
            }
        }
    }
}
