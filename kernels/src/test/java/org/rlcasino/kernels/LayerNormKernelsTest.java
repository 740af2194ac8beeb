package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * LayerNorm kernels against double oracles: the forward from its definition, the backward from
 * the analytic formula checked here against central differences of the double forward.
 * Tolerance 1e-5 (float32 sums over C = 24 channels or N = 13 rows).
 */
class LayerNormKernelsTest {
    private static final int N = 13;
    private static final int C = 24;
    private static final int W = 5;
    private static final int B = W + C + 3;
    private static final int SIZE = B + C + 2;

    private static double[] forwardRow(float[] x, int row, float[] params, double[] stats) {
        double mean = 0;
        for (int c = 0; c < C; c++) {
            mean += x[row * C + c];
        }
        mean /= C;
        double var = 0;
        for (int c = 0; c < C; c++) {
            var += (x[row * C + c] - mean) * (x[row * C + c] - mean);
        }
        var /= C;
        double rstd = 1 / Math.sqrt(var + 1e-5);
        double[] y = new double[C];
        for (int c = 0; c < C; c++) {
            y[c] = (x[row * C + c] - mean) * rstd * params[W + c] + params[B + c];
        }
        stats[0] = mean;
        stats[1] = rstd;
        return y;
    }

    private static float[] params(SplittableRandom r) {
        float[] p = KernelRuns.gaussian(r, SIZE, 0.5);
        for (int c = 0; c < C; c++) {
            p[W + c] += 1;
        }
        return p;
    }

    @Test
    void forwardNormalisesEachRowAndStoresMeanAndRstd() {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = KernelRuns.gaussian(r, N * C, 2);
        for (int i = 0; i < x.length; i++) {
            x[i] += 3;
        }
        float[] p = params(r);
        Object[] out = KernelRuns.runEverywhere("layernorm", new Object[] {new float[N * C], new float[N], new float[N], x, p},
                a -> KernelCall.builder("test.layernorm", Kernel.LAYER_NORM_FORWARD).output((float[]) a[0])
                        .output((float[]) a[1]).output((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .constant(LayerNormKernels.dims(N, C, W, B, 0)).over(N));
        float[] y = new float[N * C];
        float[] mean = new float[N];
        float[] rstd = new float[N];
        double[] stats = new double[2];
        for (int i = 0; i < N; i++) {
            double[] row = forwardRow(x, i, p, stats);
            for (int c = 0; c < C; c++) {
                y[i * C + c] = (float) row[c];
            }
            mean[i] = (float) stats[0];
            rstd[i] = (float) stats[1];
        }
        assertClose("y", (float[]) out[0], y, 1e-5, 1e-5);
        assertClose("mean", (float[]) out[1], mean, 1e-5, 1e-5);
        assertClose("rstd", (float[]) out[2], rstd, 1e-5, 1e-5);
    }

    @Test
    void backwardMatchesFiniteDifferencesOfTheForward() {
        SplittableRandom r = new SplittableRandom(2);
        float[] x = KernelRuns.gaussian(r, N * C, 1.5);
        float[] p = params(r);
        float[] dy = KernelRuns.gaussian(r, N * C, 1);
        float[] mean = new float[N];
        float[] rstd = new float[N];
        double[] stats = new double[2];
        for (int i = 0; i < N; i++) {
            forwardRow(x, i, p, stats);
            mean[i] = (float) stats[0];
            rstd[i] = (float) stats[1];
        }
        // oracle: d/dx and d/dparams of L = Σ dy·y by central differences in double
        double h = 1e-3;
        float[] dxExpected = new float[N * C];
        float[] dpExpected = new float[SIZE];
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < C; c++) {
                float saved = x[i * C + c];
                x[i * C + c] = (float) (saved + h);
                double plus = rowLoss(x, i, p, dy);
                x[i * C + c] = (float) (saved - h);
                double minus = rowLoss(x, i, p, dy);
                x[i * C + c] = saved;
                dxExpected[i * C + c] = (float) ((plus - minus) / ((double) (float) (saved + h) - (float) (saved - h)));
            }
        }
        for (int c = 0; c < C; c++) {
            double dw = 0;
            double db = 0;
            for (int i = 0; i < N; i++) {
                dw += dy[i * C + c] * (x[i * C + c] - (double) mean[i]) * rstd[i];
                db += dy[i * C + c];
            }
            dpExpected[W + c] = (float) dw;
            dpExpected[B + c] = (float) db;
        }
        float[] dxStart = KernelRuns.gaussian(r, N * C, 1);
        Object[] accumulated = KernelRuns.runEverywhere("layernorm dx", new Object[] {dxStart, dy, x, mean, rstd, p},
                a -> KernelCall.builder("test.layernorm_dx", Kernel.LAYER_NORM_BACKWARD_INPUT).state((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .input((float[]) a[5]).constant(LayerNormKernels.dims(N, C, W, B, LayerNormKernels.F_ACCUMULATE))
                        .over(N));
        Object[] written = KernelRuns.runEverywhere("layernorm dx", new Object[] {dxStart, dy, x, mean, rstd, p},
                a -> KernelCall.builder("test.layernorm_dx", Kernel.LAYER_NORM_BACKWARD_INPUT).output((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .input((float[]) a[5]).constant(LayerNormKernels.dims(N, C, W, B, 0)).over(N));
        assertClose("dx", (float[]) written[0], dxExpected, 2e-3, 2e-3);
        float[] sum = new float[N * C];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = dxStart[i] + ((float[]) written[0])[i];
        }
        assertClose("dx accumulated", (float[]) accumulated[0], sum, 1e-6, 1e-6);
        float[] grads = new float[SIZE];
        Object[] params = KernelRuns.runEverywhere("layernorm dw", new Object[] {grads, dy, x, mean, rstd},
                a -> KernelCall.builder("test.layernorm_dw", Kernel.LAYER_NORM_BACKWARD_PARAMS).state((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .constant(LayerNormKernels.dims(N, C, W, B, 0)).over(C));
        assertClose("dparams", (float[]) params[0], dpExpected, 1e-5, 1e-5);
        // and the analytic dw agrees with finite differences of the weight
        for (int c = 0; c < C; c += 5) {
            float saved = p[W + c];
            p[W + c] = saved + 1e-2f;
            double plus = 0;
            for (int i = 0; i < N; i++) {
                plus += rowLoss(x, i, p, dy);
            }
            p[W + c] = saved - 1e-2f;
            double minus = 0;
            for (int i = 0; i < N; i++) {
                minus += rowLoss(x, i, p, dy);
            }
            p[W + c] = saved;
            double fd = (plus - minus) / ((double) (saved + 1e-2f) - (saved - 1e-2f));
            assertClose("dw[" + c + "] vs finite difference", new float[] {((float[]) params[0])[W + c]},
                    new float[] {(float) fd}, 1e-3, 1e-3);
        }
    }

    private static double rowLoss(float[] x, int row, float[] p, float[] dy) {
        double[] y = forwardRow(x, row, p, new double[2]);
        double s = 0;
        for (int c = 0; c < C; c++) {
            s += dy[row * C + c] * y[c];
        }
        return s;
    }
}
