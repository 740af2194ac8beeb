package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/** GELU (tanh approximation) and the residual sum against double oracles (Math.tanh); any split gives the same bits. */
class ActivationKernelsTest {
    private static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    private static float[] inputs(int n) {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = KernelRuns.gaussian(r, n, 3);
        x[0] = 0f;
        x[1] = 40f;   // exp(2u) overflows to infinity: tanh must be exactly 1
        x[2] = -40f;  // exp(2u) underflows to 0: tanh must be exactly -1
        x[3] = 1e-4f;
        return x;
    }

    @Test
    void geluForwardMatchesTheTanhApproximation() {
        int n = 1001;
        float[] x = inputs(n);
        Object[] out = KernelRuns.runEverywhere("gelu", new Object[] {new float[n], x},
                a -> KernelCall.builder("test.gelu", Kernel.GELU_FORWARD).output((float[]) a[0]).input((float[]) a[1]).over(n));
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = (float) gelu(x[i]);
        }
        assertClose("gelu", (float[]) out[0], expected, 1e-6, 1e-5);
        assertThat(((float[]) out[0])[1]).isEqualTo(40f);
        assertThat(((float[]) out[0])[2]).isEqualTo(-0f);
    }

    @Test
    void geluBackwardIsTheDerivative() {
        int n = 1001;
        float[] x = inputs(n);
        float[] dy = KernelRuns.gaussian(new SplittableRandom(4), n, 1);
        Object[] out = KernelRuns.runEverywhere("gelu backward", new Object[] {new float[n], x, dy},
                a -> KernelCall.builder("test.gelu_backward", Kernel.GELU_BACKWARD).output((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).over(n));
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            double h = 1e-4;
            expected[i] = (float) (dy[i] * (gelu(x[i] + h) - gelu(x[i] - h)) / (2 * h));
        }
        assertClose("gelu backward", (float[]) out[0], expected, 1e-5, 1e-4);
        // the in-place form, as the model runs it: bit-identical, for any split
        Object[] inPlace = KernelRuns.runEverywhere("gelu backward in place", new Object[] {dy.clone(), x},
                a -> KernelCall.builder("test.gelu_backward_in_place", Kernel.GELU_BACKWARD_IN_PLACE).state((float[]) a[0])
                        .input((float[]) a[1]).over(n));
        assertBitIdentical("gelu backward in place", (float[]) inPlace[0], (float[]) out[0]);
        // the aliased out-of-place call is refused where it is built
        float[] alias = dy.clone();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KernelCall.builder("test.gelu_backward", Kernel.GELU_BACKWARD)
                        .output(alias).input(x).input(alias).over(n)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("arguments 0 (OUTPUT) and 2 (INPUT) of GELU_BACKWARD are the same array")
                .hasMessageContaining("in-place form");
    }

    @Test
    void zeroClearsEveryElement() {
        int n = 1001;
        float[] x = inputs(n);
        x[5] = Float.NaN;
        Object[] out = KernelRuns.runEverywhere("zero", new Object[] {x},
                a -> KernelCall.builder("test.zero", Kernel.ZERO).state((float[]) a[0]).over(n));
        assertBitIdentical("zero", (float[]) out[0], new float[n]);
    }

    @Test
    void residualAddSumsElementwise() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 777;
        float[] a = KernelRuns.gaussian(r, n, 1);
        float[] b = KernelRuns.gaussian(r, n, 1);
        Object[] out = KernelRuns.runEverywhere("residual", new Object[] {new float[n], a, b},
                d -> KernelCall.builder("test.residual", Kernel.RESIDUAL_ADD).output((float[]) d[0]).input((float[]) d[1])
                        .input((float[]) d[2]).over(n));
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = a[i] + b[i];
        }
        assertBitIdentical("residual", (float[]) out[0], expected);
        Object[] inPlace = KernelRuns.runEverywhere("residual in place", new Object[] {a.clone(), b},
                d -> KernelCall.builder("test.residual_in_place", Kernel.RESIDUAL_ADD_IN_PLACE).state((float[]) d[0])
                        .input((float[]) d[1]).over(n));
        assertBitIdentical("residual in place", (float[]) inPlace[0], expected);
    }
}
