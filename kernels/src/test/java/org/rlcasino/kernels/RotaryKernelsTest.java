package org.rlcasino.kernels;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * RoPE in the rotate-half layout on the key heads of fused QKV rows: against a double oracle of
 * the rotation, leaving the other columns untouched; the backward is the transpose (so
 * {@code <rotate(x), dy> = <x, rotateBackward(dy)>}) and undoes the forward.
 */
class RotaryKernelsTest {
    private static final int N = 6;
    private static final int HEADS = 3;
    private static final int D = 8;
    private static final int STRIDE = 3 * HEADS * D + 5;
    private static final int START = HEADS * D + 2;

    @Test
    void rotatesTheKeyHeadsByTheirPositionsAndNothingElse() {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = KernelRuns.gaussian(r, N * STRIDE, 1);
        int[] positions = {0, 1, 2, 5, 9, 3};
        float[][] t = RotaryKernels.tables(16, D, 10000);
        int[] dims = RotaryKernels.dims(N, STRIDE, START, HEADS, D);
        int pairs = N * HEADS * D / 2;
        Object[] out = KernelRuns.runEverywhere("rope", new Object[] {x.clone(), t[0], t[1], positions},
                a -> KernelCall.builder("test.rope", Kernel.ROTARY_FORWARD).state((float[]) a[0]).constant((float[]) a[1])
                        .constant((float[]) a[2]).input((int[]) a[3]).constant(dims).over(pairs));
        float[] expected = x.clone();
        for (int i = 0; i < N; i++) {
            for (int h = 0; h < HEADS; h++) {
                for (int j = 0; j < D / 2; j++) {
                    int at = i * STRIDE + START + h * D + j;
                    double angle = positions[i] * Math.pow(10000, -2.0 * j / D);
                    double x1 = x[at];
                    double x2 = x[at + D / 2];
                    expected[at] = (float) (x1 * Math.cos(angle) - x2 * Math.sin(angle));
                    expected[at + D / 2] = (float) (x2 * Math.cos(angle) + x1 * Math.sin(angle));
                }
            }
        }
        float[] y = (float[]) out[0];
        assertClose("rotated", y, expected, 1e-6, 1e-5);
        // position 0 is the identity
        for (int c = 0; c < HEADS * D; c++) {
            assertThat(y[START + c]).isEqualTo(x[START + c]);
        }

        float[] dy = KernelRuns.gaussian(r, N * STRIDE, 1);
        Object[] back = KernelRuns.runEverywhere("rope backward", new Object[] {dy.clone(), t[0], t[1], positions},
                a -> KernelCall.builder("test.rope_backward", Kernel.ROTARY_BACKWARD).state((float[]) a[0])
                        .constant((float[]) a[1]).constant((float[]) a[2]).input((int[]) a[3]).constant(dims).over(pairs));
        float[] dx = (float[]) back[0];
        double lhs = 0;
        double rhs = 0;
        for (int e = 0; e < x.length; e++) {
            lhs += (double) y[e] * dy[e];
            rhs += (double) x[e] * dx[e];
        }
        assertThat(lhs).isCloseTo(rhs, org.assertj.core.data.Offset.offset(1e-4 * Math.abs(lhs) + 1e-4));
        Object[] undone = KernelRuns.runEverywhere("rope undo", new Object[] {y.clone(), t[0], t[1], positions},
                a -> KernelCall.builder("test.rope_backward", Kernel.ROTARY_BACKWARD).state((float[]) a[0])
                        .constant((float[]) a[1]).constant((float[]) a[2]).input((int[]) a[3]).constant(dims).over(pairs));
        assertClose("backward undoes forward", (float[]) undone[0], x, 1e-5, 1e-5);
    }

    @Test
    void headsThatDoNotFitOrOddHeadSizesAreRefused() {
        assertThatThrownBy(() -> RotaryKernels.dims(2, 10, 4, 1, 7)).hasMessageContaining("even");
        assertThatThrownBy(() -> RotaryKernels.dims(2, 10, 4, 2, 4)).hasMessageContaining("do not fit");
    }
}
