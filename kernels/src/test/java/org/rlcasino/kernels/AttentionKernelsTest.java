package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * Causal attention kernels against a double oracle: the forward from its definition, the backward
 * (query side, then key/value side) against central differences of the double forward, and the
 * KV-cache decode step against the full forward bit for bit.
 */
class AttentionKernelsTest {
    private static final int B = 2;
    private static final int T = 6;
    private static final int C = 8;
    private static final int NH = 2;
    private static final int HS = C / NH;

    /** out (B, T, C) of the double forward. */
    private static double[] forward(double[] qkv, double[] att) {
        double[] out = new double[B * T * C];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= t; u++) {
                        double dot = 0;
                        for (int i = 0; i < HS; i++) {
                            dot += qkv[(b * T + t) * 3 * C + h * HS + i] * qkv[(b * T + u) * 3 * C + C + h * HS + i];
                        }
                        s[u] = dot / Math.sqrt(HS);
                        max = Math.max(max, s[u]);
                    }
                    double sum = 0;
                    for (int u = 0; u <= t; u++) {
                        s[u] = Math.exp(s[u] - max);
                        sum += s[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        double p = s[u] / sum;
                        if (att != null) {
                            att[((b * NH + h) * T + t) * T + u] = p;
                        }
                        for (int i = 0; i < HS; i++) {
                            out[(b * T + t) * C + h * HS + i] += p * qkv[(b * T + u) * 3 * C + 2 * C + h * HS + i];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    private static Object[] runForward(float[] qkv) {
        return KernelRuns.runEverywhere("attention", new Object[] {new float[B * T * C], new float[B * NH * T * T], qkv},
                a -> KernelCall.builder("test.attention", Kernel.ATTENTION_FORWARD).output((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).constant(AttentionKernels.dims(B, T, C, NH))
                        .over(B * NH * T));
    }

    @Test
    void forwardIsCausalSoftmaxAttention() {
        float[] qkv = KernelRuns.gaussian(new SplittableRandom(1), B * T * 3 * C, 1.5);
        Object[] out = runForward(qkv);
        double[] att = new double[B * NH * T * T];
        double[] expected = forward(toDouble(qkv), att);
        assertClose("out", (float[]) out[0], toFloat(expected), 1e-6, 1e-5);
        assertClose("att", (float[]) out[1], toFloat(att), 1e-6, 1e-5); // zeros above the diagonal
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(2);
        float[] qkv = KernelRuns.gaussian(r, B * T * 3 * C, 1.2);
        float[] dout = KernelRuns.gaussian(r, B * T * C, 1);
        Object[] fwd = runForward(qkv);
        float[] att = (float[]) fwd[1];
        Object[] q = KernelRuns.runEverywhere("attention dq",
                new Object[] {new float[B * T * 3 * C], new float[B * NH * T * T], dout, qkv, att},
                a -> KernelCall.builder("test.attention_dq", Kernel.ATTENTION_BACKWARD_QUERY).output((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .constant(AttentionKernels.dims(B, T, C, NH)).over(B * NH * T));
        float[] datt = (float[]) q[1];
        Object[] kv = KernelRuns.runEverywhere("attention dkv",
                new Object[] {((float[]) q[0]).clone(), dout, qkv, att, datt},
                a -> KernelCall.builder("test.attention_dkv", Kernel.ATTENTION_BACKWARD_KEY_VALUE).output((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .constant(AttentionKernels.dims(B, T, C, NH)).over(B * NH * T));
        float[] dqkv = (float[]) kv[0];
        double[] x = toDouble(qkv);
        double h = 1e-5;
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double saved = x[i];
            x[i] = saved + h;
            double plus = dot(forward(x, null), dout);
            x[i] = saved - h;
            double minus = dot(forward(x, null), dout);
            x[i] = saved;
            expected[i] = (float) ((plus - minus) / (2 * h));
        }
        assertClose("dqkv", dqkv, expected, 2e-5, 1e-4);
    }

    @Test
    void decodeStepsEqualTheFullForwardBitForBit() {
        float[] qkv = KernelRuns.gaussian(new SplittableRandom(3), B * T * 3 * C, 1.5);
        float[] full = (float[]) runForward(qkv)[0];
        int maxT = T + 2;
        float[] kCache = new float[B * maxT * C];
        float[] vCache = new float[B * maxT * C];
        float[] decoded = new float[B * T * C];
        for (int t = 0; t < T; t++) {
            float[] step = new float[B * 3 * C];
            for (int b = 0; b < B; b++) {
                System.arraycopy(qkv, (b * T + t) * 3 * C, step, b * 3 * C, 3 * C);
            }
            int[] positions = {t, t};
            Object[] out = KernelRuns.runEverywhere("attention decode",
                    new Object[] {new float[B * C], new float[B * NH * maxT], kCache, vCache, step, positions},
                    a -> KernelCall.builder("test.attention_decode", Kernel.ATTENTION_DECODE).output((float[]) a[0])
                            .output((float[]) a[1]).state((float[]) a[2]).state((float[]) a[3]).input((float[]) a[4])
                            .input((int[]) a[5]).constant(AttentionKernels.dims(B, maxT, C, NH)).over(B * NH));
            kCache = (float[]) out[2];
            vCache = (float[]) out[3];
            for (int b = 0; b < B; b++) {
                System.arraycopy((float[]) out[0], b * C, decoded, (b * T + t) * C, C);
            }
        }
        assertBitIdentical("decoded vs full", decoded, full);
    }

    private static double dot(double[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
