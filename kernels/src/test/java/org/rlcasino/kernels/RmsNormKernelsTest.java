package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * RMSNorm kernels (both forms: {@code w} and Gemma's {@code 1 + w}) against a double oracle of the
 * forward, and the backward against central differences of that oracle. Tolerance 1e-5 / 1e-4
 * (float32 sums over C = 24 channels or N = 13 rows); every result the same for any split.
 */
class RmsNormKernelsTest {
    private static final int N = 13;
    private static final int C = 24;
    private static final int W = 7;
    private static final int SIZE = W + C + 3;
    private static final float EPS = 1e-6f;

    private static double[] forwardRow(float[] x, int row, float[] params, boolean plusOne, double[] rstd) {
        double sq = 0;
        for (int c = 0; c < C; c++) {
            sq += (double) x[row * C + c] * x[row * C + c];
        }
        double s = 1 / Math.sqrt(sq / C + EPS);
        double[] y = new double[C];
        for (int c = 0; c < C; c++) {
            y[c] = x[row * C + c] * s * (plusOne ? 1 + params[W + c] : params[W + c]);
        }
        rstd[0] = s;
        return y;
    }

    private static double loss(float[] x, float[] params, float[] dy, boolean plusOne) {
        double l = 0;
        double[] s = new double[1];
        for (int i = 0; i < N; i++) {
            double[] y = forwardRow(x, i, params, plusOne, s);
            for (int c = 0; c < C; c++) {
                l += dy[i * C + c] * y[c];
            }
        }
        return l;
    }

    @ParameterizedTest(name = "plusOne={0}")
    @ValueSource(booleans = {false, true})
    void forwardAndBackwardMatchTheOracleAndItsFiniteDifferences(boolean plusOne) {
        SplittableRandom r = new SplittableRandom(plusOne ? 3 : 4);
        float[] x = KernelRuns.gaussian(r, N * C, 1.5);
        float[] p = KernelRuns.gaussian(r, SIZE, 0.5);
        float[] dy = KernelRuns.gaussian(r, N * C, 1);
        float[] eps = {EPS};
        int flags = plusOne ? RmsNormKernels.F_PLUS_ONE : 0;
        int[] dims = RmsNormKernels.dims(N, C, W, flags);

        Object[] fwd = KernelRuns.runEverywhere("rmsnorm", new Object[] {new float[N * C], new float[N], x, p, eps},
                a -> KernelCall.builder("test.rmsnorm", Kernel.RMS_NORM_FORWARD).output((float[]) a[0]).output((float[]) a[1])
                        .input((float[]) a[2]).input((float[]) a[3]).constant((float[]) a[4]).constant(dims).over(N));
        float[] y = new float[N * C];
        float[] rstd = new float[N];
        double[] s = new double[1];
        for (int i = 0; i < N; i++) {
            double[] row = forwardRow(x, i, p, plusOne, s);
            for (int c = 0; c < C; c++) {
                y[i * C + c] = (float) row[c];
            }
            rstd[i] = (float) s[0];
        }
        assertClose("y", (float[]) fwd[0], y, 1e-5, 1e-5);
        assertClose("rstd", (float[]) fwd[1], rstd, 1e-5, 1e-5);

        double h = 1e-3;
        float[] dxExpected = new float[N * C];
        for (int e = 0; e < x.length; e++) {
            float saved = x[e];
            x[e] = (float) (saved + h);
            double plus = loss(x, p, dy, plusOne);
            x[e] = (float) (saved - h);
            double minus = loss(x, p, dy, plusOne);
            x[e] = saved;
            dxExpected[e] = (float) ((plus - minus) / ((double) (float) (saved + h) - (float) (saved - h)));
        }
        float[] dwExpected = new float[SIZE];
        for (int c = 0; c < C; c++) {
            float saved = p[W + c];
            p[W + c] = (float) (saved + h);
            double plus = loss(x, p, dy, plusOne);
            p[W + c] = (float) (saved - h);
            double minus = loss(x, p, dy, plusOne);
            p[W + c] = saved;
            dwExpected[W + c] = (float) ((plus - minus) / ((double) (float) (saved + h) - (float) (saved - h)));
        }
        float[] rs = (float[]) fwd[1];
        Object[] dx = KernelRuns.runEverywhere("rmsnorm dx", new Object[] {new float[N * C], dy, x, rs, p},
                a -> KernelCall.builder("test.rmsnorm_dx", Kernel.RMS_NORM_BACKWARD_INPUT).output((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .constant(dims).over(N));
        assertClose("dx", (float[]) dx[0], dxExpected, 1e-4, 1e-3);
        // accumulate: adds onto what dx holds
        float[] base = KernelRuns.gaussian(r, N * C, 1);
        int[] accDims = RmsNormKernels.dims(N, C, W, flags | RmsNormKernels.F_ACCUMULATE);
        Object[] acc = KernelRuns.runEverywhere("rmsnorm dx+", new Object[] {base.clone(), dy, x, rs, p},
                a -> KernelCall.builder("test.rmsnorm_dx", Kernel.RMS_NORM_BACKWARD_INPUT).state((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .constant(accDims).over(N));
        float[] sum = new float[N * C];
        for (int e = 0; e < sum.length; e++) {
            sum[e] = base[e] + ((float[]) dx[0])[e];
        }
        assertClose("dx accumulated", (float[]) acc[0], sum, 1e-6, 1e-6);
        Object[] dw = KernelRuns.runEverywhere("rmsnorm dw", new Object[] {new float[SIZE], dy, x, rs},
                a -> KernelCall.builder("test.rmsnorm_dw", Kernel.RMS_NORM_BACKWARD_PARAMS).state((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).constant(dims).over(C));
        assertClose("dw", (float[]) dw[0], dwExpected, 1e-4, 1e-3);
    }
}
