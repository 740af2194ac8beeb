package org.rlcasino.kernels;

/**
 * Causal multi-head self-attention of GPT-2 (llm.c's {@code attention_forward/backward}), on the
 * fused projection {@code qkv} of shape (B, T, 3C): per row, C query channels, then C key
 * channels, then C value channels, head h owning channels {@code [h·hs, (h+1)·hs)} of each
 * ({@code hs = C/NH}). With {@code scale = 1/√hs}:
 * <pre>
 *   score[t][s] = scale·(q_t · k_s)  for s ≤ t
 *   att[t][s]   = softmax_s(score[t][·])   (0 for s > t)
 *   out_t       = Σ_{s≤t} att[t][s]·v_s
 * </pre>
 * {@code dims}: {@code [D_B] B, [D_T] T, [D_C] C, [D_NH] NH}. Dot products run over the head's
 * channels in ascending order and every sum over positions runs in ascending order; each
 * iteration writes only its own outputs, so results do not depend on chunking.
 */
public final class AttentionKernels {
    public static final int D_B = 0;
    public static final int D_T = 1;
    public static final int D_C = 2;
    public static final int D_NH = 3;
    public static final int DIMS_LENGTH = 4;

    private AttentionKernels() {}

    /** A {@code dims} array for the kernels ({@code t} is maxT for {@link #attentionDecode}). */
    public static int[] dims(int b, int t, int c, int nh) {
        return new int[] {b, t, c, nh};
    }

    /**
     * Forward: writes {@code att} (B, NH, T, T) (probabilities, zeros above the diagonal) and
     * {@code out} (B, T, C) (heads side by side) from {@code qkv} (B, T, 3C).
     * Iterations: the B·NH·T (batch, head, query position) triples, in that nesting.
     */
    public static void attentionForward(float[] out, float[] att, float[] qkv, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int tt = dims[D_T];
            int c = dims[D_C];
            int nh = dims[D_NH];
            int hs = c / nh;
            int t = e % tt;
            int bh = e / tt;
            int h = bh % nh;
            int b = bh / nh;
            float scale = 1f / (float) Math.sqrt(hs);
            int q = (b * tt + t) * 3 * c + h * hs;
            int row = e * tt;
            attend(out, (b * tt + t) * c + h * hs, att, row, qkv, q, qkv, b * tt * 3 * c + c + h * hs, qkv,
                    b * tt * 3 * c + 2 * c + h * hs, 3 * c, t, hs, scale);
            for (int s = t + 1; s < tt; s++) {
                att[row + s] = 0f;
            }
        }
    }

    /**
     * One query attending over positions {@code [0, t]} of its head: the scores {@code scale·(q·k_s)}, their
     * softmax into {@code att[row + s]}, and {@code out[o + i] = Σ_s att[row + s]·v_s[i]} accumulated in place
     * (s ascending per channel, so v is read row by row); key s at {@code k0 + s·stride} of {@code k}, value s at
     * {@code v0 + s·stride} of {@code v}. The one body of the forward and the decoding step, so a decoding step
     * equals a full forward bit for bit.
     */
    static void attend(float[] out, int o, float[] att, int row, float[] q, int qAt, float[] k, int k0, float[] v, int v0,
                       int stride, int t, int hs, float scale) {
        float max = -Float.MAX_VALUE;
        for (int s = 0; s <= t; s++) {
            int kAt = k0 + s * stride;
            float dot = 0f;
            for (int i = 0; i < hs; i++) {
                dot = dot + q[qAt + i] * k[kAt + i];
            }
            float score = dot * scale;
            att[row + s] = score;
            if (score > max) {
                max = score;
            }
        }
        float sum = 0f;
        for (int s = 0; s <= t; s++) {
            float p = (float) Math.exp(att[row + s] - max);
            att[row + s] = p;
            sum = sum + p;
        }
        float inv = 1f / sum;
        for (int s = 0; s <= t; s++) {
            att[row + s] = att[row + s] * inv;
        }
        for (int i = 0; i < hs; i++) {
            out[o + i] = 0f;
        }
        for (int s = 0; s <= t; s++) {
            float p = att[row + s];
            int vAt = v0 + s * stride;
            for (int i = 0; i < hs; i++) {
                out[o + i] = out[o + i] + p * v[vAt + i];
            }
        }
    }

    /**
     * Backward, query side: from {@code dout} (B, T, C), writes the score gradients
     * {@code datt[t][s] = att[t][s]·(dp_s − Σ_{s'} att[t][s']·dp_{s'})} with
     * {@code dp_s = dout_t · v_s} (B, NH, T, T; zeros above the diagonal) and the query gradient
     * {@code dq_t = scale·Σ_{s≤t} datt[t][s]·k_s} into the query channels of {@code dqkv} (B, T, 3C).
     * Iterations: the B·NH·T (batch, head, query position) triples.
     */
    public static void attentionBackwardQuery(float[] dqkv, float[] datt, float[] dout, float[] qkv, float[] att,
                                              int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int tt = dims[D_T];
            int c = dims[D_C];
            int nh = dims[D_NH];
            int hs = c / nh;
            int t = e % tt;
            int bh = e / tt;
            int h = bh % nh;
            int b = bh / nh;
            float scale = 1f / (float) Math.sqrt(hs);
            int row = e * tt;
            int d = (b * tt + t) * c + h * hs;
            float dot = 0f;
            for (int s = 0; s <= t; s++) {
                int v = (b * tt + s) * 3 * c + 2 * c + h * hs;
                float dp = 0f;
                for (int i = 0; i < hs; i++) {
                    dp = dp + dout[d + i] * qkv[v + i];
                }
                datt[row + s] = dp;
                dot = dot + att[row + s] * dp;
            }
            for (int s = 0; s <= t; s++) {
                datt[row + s] = att[row + s] * (datt[row + s] - dot);
            }
            for (int s = t + 1; s < tt; s++) {
                datt[row + s] = 0f;
            }
            int q = (b * tt + t) * 3 * c + h * hs;
            for (int i = 0; i < hs; i++) {
                dqkv[q + i] = 0f;
            }
            for (int s = 0; s <= t; s++) {
                float ds = datt[row + s];
                int k = (b * tt + s) * 3 * c + c + h * hs;
                for (int i = 0; i < hs; i++) {
                    dqkv[q + i] = dqkv[q + i] + ds * qkv[k + i];
                }
            }
            for (int i = 0; i < hs; i++) {
                dqkv[q + i] = dqkv[q + i] * scale;
            }
        }
    }

    /**
     * Backward, key/value side (after {@link #attentionBackwardQuery}): for key position s,
     * {@code dk_s = scale·Σ_{t≥s} datt[t][s]·q_t} and {@code dv_s = Σ_{t≥s} att[t][s]·dout_t},
     * t ascending, written into the key and value channels of {@code dqkv} (B, T, 3C).
     * Iterations: the B·NH·T (batch, head, key position) triples.
     */
    public static void attentionBackwardKeyValue(float[] dqkv, float[] dout, float[] qkv, float[] att, float[] datt,
                                                 int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int tt = dims[D_T];
            int c = dims[D_C];
            int nh = dims[D_NH];
            int hs = c / nh;
            int s = e % tt;
            int bh = e / tt;
            int h = bh % nh;
            int b = bh / nh;
            float scale = 1f / (float) Math.sqrt(hs);
            int head = bh * tt * tt;
            int k = (b * tt + s) * 3 * c + c + h * hs;
            for (int i = 0; i < hs; i++) {
                dqkv[k + i] = 0f;
                dqkv[k + c + i] = 0f;
            }
            // accumulated in place, t ascending per channel, so q_t and dout_t are read row by row
            for (int t = s; t < tt; t++) {
                int a = head + t * tt + s;
                float ds = datt[a];
                float p = att[a];
                int q = (b * tt + t) * 3 * c + h * hs;
                int d = (b * tt + t) * c + h * hs;
                for (int i = 0; i < hs; i++) {
                    dqkv[k + i] = dqkv[k + i] + ds * qkv[q + i];
                    dqkv[k + c + i] = dqkv[k + c + i] + p * dout[d + i];
                }
            }
            for (int i = 0; i < hs; i++) {
                dqkv[k + i] = dqkv[k + i] * scale;
            }
        }
    }

    /**
     * One decoding step with a KV cache: row b's new position is {@code positions[b]}; its key
     * and value (from {@code qkv}, (B, 3C)) are stored into {@code kCache}/{@code vCache}
     * (B, maxT, C) at that position, then its query attends over cached positions
     * {@code 0..positions[b]} exactly as {@link #attentionForward} does (same operation order, so
     * the results are bit-identical to a full forward). Writes {@code out} (B, C) and the
     * probabilities into {@code att} (B, NH, maxT). {@code dims[D_T]} is maxT.
     * Iterations: the B·NH (row, head) pairs.
     */
    public static void attentionDecode(float[] out, float[] att, float[] kCache, float[] vCache, float[] qkv,
                                       int[] positions, int[] dims, int offset, int count) {
        for (@Parallel int x = 0; x < count; x++) {
            int e = offset + x;
            int maxT = dims[D_T];
            int c = dims[D_C];
            int nh = dims[D_NH];
            int hs = c / nh;
            int h = e % nh;
            int b = e / nh;
            int t = positions[b];
            float scale = 1f / (float) Math.sqrt(hs);
            int q = b * 3 * c + h * hs;
            int cached = (b * maxT + t) * c + h * hs;
            for (int i = 0; i < hs; i++) {
                kCache[cached + i] = qkv[q + c + i];
                vCache[cached + i] = qkv[q + 2 * c + i];
            }
            attend(out, b * c + h * hs, att, e * maxT, qkv, q, kCache, b * maxT * c + h * hs, vCache, b * maxT * c + h * hs, c, t, hs,
                    scale);
        }
    }
}
