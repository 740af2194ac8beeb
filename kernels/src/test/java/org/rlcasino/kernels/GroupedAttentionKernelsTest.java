package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Grouped-query attention against a double oracle (GQA, sliding windows, a custom scale), its
 * backward against central differences of that oracle, and the GPT-2 kernels when every query head
 * has its own key/value head; the same bits for any split.
 */
class GroupedAttentionKernelsTest {
    static final float SCALE = 0.3f;

    /** Double forward of one (b, h, t): the output head vector. */
    static double[] oracle(float[] q, float[] k, float[] v, int b, int h, int t, int tt, int nh, int nkv, int d, int window,
                           double scale) {
        int g = h / (nh / nkv);
        double[] scores = new double[tt];
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s <= t; s++) {
            if (window == 0 || t - s < window) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += (double) q[(b * tt + t) * nh * d + h * d + i] * k[(b * tt + s) * nkv * d + g * d + i];
                }
                scores[s] = dot * scale;
                max = Math.max(max, scores[s]);
            } else {
                scores[s] = Double.NaN;
            }
        }
        double sum = 0;
        for (int s = 0; s <= t; s++) {
            if (!Double.isNaN(scores[s])) {
                scores[s] = Math.exp(scores[s] - max);
                sum += scores[s];
            }
        }
        double[] out = new double[d];
        for (int s = 0; s <= t; s++) {
            if (!Double.isNaN(scores[s])) {
                for (int i = 0; i < d; i++) {
                    out[i] += scores[s] / sum * v[(b * tt + s) * nkv * d + g * d + i];
                }
            }
        }
        return out;
    }

    static double loss(float[] q, float[] k, float[] v, float[] dout, int bb, int tt, int nh, int nkv, int d, int window) {
        double l = 0;
        for (int b = 0; b < bb; b++) {
            for (int h = 0; h < nh; h++) {
                for (int t = 0; t < tt; t++) {
                    double[] o = oracle(q, k, v, b, h, t, tt, nh, nkv, d, window, SCALE);
                    for (int i = 0; i < d; i++) {
                        l += o[i] * dout[(b * tt + t) * nh * d + h * d + i];
                    }
                }
            }
        }
        return l;
    }

    static float[] finiteDifference(float[] x, java.util.function.DoubleSupplier loss) {
        float[] g = new float[x.length];
        double h = 1e-3;
        for (int e = 0; e < x.length; e++) {
            float saved = x[e];
            x[e] = (float) (saved + h);
            double plus = loss.getAsDouble();
            x[e] = (float) (saved - h);
            double minus = loss.getAsDouble();
            x[e] = saved;
            g[e] = (float) ((plus - minus) / ((double) (float) (saved + h) - (float) (saved - h)));
        }
        return g;
    }

    @ParameterizedTest(name = "B={0} T={1} NH={2} NKV={3} D={4} W={5}")
    @CsvSource({"2, 5, 4, 2, 6, 0", "1, 7, 4, 1, 4, 3", "1, 6, 2, 2, 8, 2"})
    void forwardAndBackwardMatchTheOracleAndItsFiniteDifferences(int bb, int tt, int nh, int nkv, int d, int window) {
        SplittableRandom r = new SplittableRandom(bb * 100 + tt * 10 + window);
        int n = bb * tt;
        float[] q = KernelRuns.gaussian(r, n * nh * d, 1);
        float[] k = KernelRuns.gaussian(r, n * nkv * d, 1);
        float[] v = KernelRuns.gaussian(r, n * nkv * d, 1);
        float[] dout = KernelRuns.gaussian(r, n * nh * d, 1);
        float[] scale = {SCALE};
        int[] dims = GroupedAttentionKernels.dims(bb, tt, nh, nkv, d, window);
        int range = bb * nh * tt;
        Object[] fwd = KernelRuns.runEverywhere("gqa", new Object[] {new float[n * nh * d], new float[bb * nh * tt * tt], q, k, v, scale},
                a -> KernelCall.builder("test.gqa", Kernel.GROUPED_ATTENTION_FORWARD).output((float[]) a[0]).output((float[]) a[1])
                        .input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4]).constant((float[]) a[5])
                        .constant(dims).over(range));
        float[] expected = new float[n * nh * d];
        for (int b = 0; b < bb; b++) {
            for (int h = 0; h < nh; h++) {
                for (int t = 0; t < tt; t++) {
                    double[] o = oracle(q, k, v, b, h, t, tt, nh, nkv, d, window, SCALE);
                    for (int i = 0; i < d; i++) {
                        expected[(b * tt + t) * nh * d + h * d + i] = (float) o[i];
                    }
                }
            }
        }
        assertClose("out", (float[]) fwd[0], expected, 1e-5, 1e-4);
        float[] att = (float[]) fwd[1];
        Object[] dq = KernelRuns.runEverywhere("gqa dq", new Object[] {new float[q.length], new float[att.length], dout, k, v, att, scale},
                a -> KernelCall.builder("test.gqa_dq", Kernel.GROUPED_ATTENTION_BACKWARD_QUERY).output((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .input((float[]) a[5]).constant((float[]) a[6]).constant(dims).over(range));
        float[] datt = (float[]) dq[1];
        Object[] dkv = KernelRuns.runEverywhere("gqa dkv", new Object[] {new float[k.length], new float[v.length], dout, q, att, datt, scale},
                a -> KernelCall.builder("test.gqa_dkv", Kernel.GROUPED_ATTENTION_BACKWARD_KEY_VALUE).output((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .input((float[]) a[5]).constant((float[]) a[6]).constant(dims).over(bb * nkv * tt));
        assertClose("dq", (float[]) dq[0], finiteDifference(q, () -> loss(q, k, v, dout, bb, tt, nh, nkv, d, window)), 1e-3, 1e-3);
        assertClose("dk", (float[]) dkv[0], finiteDifference(k, () -> loss(q, k, v, dout, bb, tt, nh, nkv, d, window)), 1e-3, 1e-3);
        assertClose("dv", (float[]) dkv[1], finiteDifference(v, () -> loss(q, k, v, dout, bb, tt, nh, nkv, d, window)), 1e-3, 1e-3);
    }

    @Test
    void oneKeyValueHeadPerQueryHeadIsGpt2Attention() {
        SplittableRandom r = new SplittableRandom(9);
        int bb = 2;
        int tt = 9;
        int nh = 4;
        int d = 8;
        int c = nh * d;
        int n = bb * tt;
        float[] qkv = KernelRuns.gaussian(r, n * 3 * c, 1);
        float[] q = new float[n * c];
        float[] k = new float[n * c];
        float[] v = new float[n * c];
        for (int i = 0; i < n; i++) {
            System.arraycopy(qkv, i * 3 * c, q, i * c, c);
            System.arraycopy(qkv, i * 3 * c + c, k, i * c, c);
            System.arraycopy(qkv, i * 3 * c + 2 * c, v, i * c, c);
        }
        float[] gptOut = new float[n * c];
        float[] gptAtt = new float[bb * nh * tt * tt];
        AttentionKernels.attentionForward(gptOut, gptAtt, qkv, AttentionKernels.dims(bb, tt, c, nh), 0, bb * nh * tt);
        float[] out = new float[n * c];
        float[] att = new float[bb * nh * tt * tt];
        GroupedAttentionKernels.groupedAttentionForward(out, att, q, k, v, new float[] {1f / (float) Math.sqrt(d)},
                GroupedAttentionKernels.dims(bb, tt, nh, nh, d, 0), 0, bb * nh * tt);
        assertClose("out", out, gptOut, 1e-6, 1e-6);
        assertClose("att", att, gptAtt, 1e-6, 1e-6);
    }

    @ParameterizedTest(name = "NH={0} NKV={1} W={2}")
    @CsvSource({"4, 2, 0", "4, 1, 3", "2, 2, 0"})
    void decodingStepByStepWithACacheGivesTheFullForwardBitForBit(int nh, int nkv, int window) {
        SplittableRandom r = new SplittableRandom(nh * 10 + nkv + window);
        int bb = 2;
        int tt = 7;
        int d = 8;
        int n = bb * tt;
        float[] q = KernelRuns.gaussian(r, n * nh * d, 1);
        float[] k = KernelRuns.gaussian(r, n * nkv * d, 1);
        float[] v = KernelRuns.gaussian(r, n * nkv * d, 1);
        float[] scale = {SCALE};
        float[] full = new float[n * nh * d];
        float[] fullAtt = new float[bb * nh * tt * tt];
        GroupedAttentionKernels.groupedAttentionForward(full, fullAtt, q, k, v, scale,
                GroupedAttentionKernels.dims(bb, tt, nh, nkv, d, window), 0, bb * nh * tt);
        float[] kCache = new float[bb * tt * nkv * d];
        float[] vCache = new float[bb * tt * nkv * d];
        int[] decodeDims = GroupedAttentionKernels.dims(bb, tt, nh, nkv, d, window);
        for (int t = 0; t < tt; t++) {
            float[] qs = new float[bb * nh * d];
            float[] ks = new float[bb * nkv * d];
            float[] vs = new float[bb * nkv * d];
            for (int b = 0; b < bb; b++) {
                System.arraycopy(q, (b * tt + t) * nh * d, qs, b * nh * d, nh * d);
                System.arraycopy(k, (b * tt + t) * nkv * d, ks, b * nkv * d, nkv * d);
                System.arraycopy(v, (b * tt + t) * nkv * d, vs, b * nkv * d, nkv * d);
            }
            int step = t;
            Object[] res = KernelRuns.runEverywhere("decode", new Object[] {new float[bb * nh * d], new float[bb * nh * tt], kCache.clone(),
                            vCache.clone(), qs, ks, vs, new int[] {step, step}, scale},
                    a -> KernelCall.builder("test.decode", Kernel.GROUPED_ATTENTION_DECODE).output((float[]) a[0])
                            .output((float[]) a[1]).state((float[]) a[2]).state((float[]) a[3]).input((float[]) a[4])
                            .input((float[]) a[5]).input((float[]) a[6]).input((int[]) a[7]).constant((float[]) a[8])
                            .constant(decodeDims).over(bb * nkv));
            kCache = (float[]) res[2];
            vCache = (float[]) res[3];
            float[] out = (float[]) res[0];
            for (int b = 0; b < bb; b++) {
                float[] got = java.util.Arrays.copyOfRange(out, b * nh * d, (b + 1) * nh * d);
                float[] want = java.util.Arrays.copyOfRange(full, (b * tt + t) * nh * d, (b * tt + t + 1) * nh * d);
                org.rlcasino.testsupport.NumericAssertions.assertBitIdentical("row " + b + " position " + t, got, want);
            }
        }
    }
}
