package org.rlcasino.kernels;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * SwiGLU and GeGLU on a fused gate/up projection against double oracles, the backward against
 * central differences; the same bits for any split.
 */
class GatedActivationKernelsTest {
    private static final int N = 7;
    private static final int I = 11;

    static double silu(double a) {
        return a / (1 + Math.exp(-a));
    }

    static double gelu(double v) {
        return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
    }

    @ParameterizedTest(name = "swiglu={0}")
    @ValueSource(booleans = {true, false})
    void forwardAndBackwardMatchTheOracle(boolean swiglu) {
        SplittableRandom r = new SplittableRandom(swiglu ? 5 : 6);
        float[] gu = KernelRuns.gaussian(r, N * 2 * I, 2);
        float[] dout = KernelRuns.gaussian(r, N * I, 1);
        int[] dims = GatedActivationKernels.dims(N, I);
        DoubleUnaryOperator act = swiglu ? GatedActivationKernelsTest::silu : GatedActivationKernelsTest::gelu;
        Object[] fwd = KernelRuns.runEverywhere("glu", new Object[] {new float[N * I], gu},
                a -> KernelCall.builder("test.glu", swiglu ? Kernel.SWIGLU_FORWARD : Kernel.GEGLU_FORWARD)
                        .output((float[]) a[0]).input((float[]) a[1]).constant(dims).over(N * I));
        float[] y = new float[N * I];
        float[] dgu = new float[N * 2 * I];
        double h = 1e-3;
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < I; j++) {
                double g = gu[i * 2 * I + j];
                double u = gu[i * 2 * I + I + j];
                y[i * I + j] = (float) (act.applyAsDouble(g) * u);
                double d = dout[i * I + j];
                dgu[i * 2 * I + j] = (float) (d * u * (act.applyAsDouble(g + h) - act.applyAsDouble(g - h)) / (2 * h));
                dgu[i * 2 * I + I + j] = (float) (d * act.applyAsDouble(g));
            }
        }
        assertClose("out", (float[]) fwd[0], y, 1e-5, 1e-5);
        Object[] bwd = KernelRuns.runEverywhere("glu backward", new Object[] {new float[N * 2 * I], dout, gu},
                a -> KernelCall.builder("test.glu_backward", swiglu ? Kernel.SWIGLU_BACKWARD : Kernel.GEGLU_BACKWARD)
                        .output((float[]) a[0]).input((float[]) a[1]).input((float[]) a[2]).constant(dims).over(N * I));
        assertClose("dgu", (float[]) bwd[0], dgu, 1e-4, 1e-4);
    }
}
