package org.rlcasino.tornado;

/**
 * Kernels that do nothing but name arrays: TornadoVM allocates a device buffer for an array only
 * when a task of the graph takes it, so the graph that sends every resident array to the device
 * ({@link ResidentPrograms}) runs these over all of them. Eight arrays per task; unused slots get a
 * one-element pad.
 */
final class ResidencyKernels {
    static final int ARRAYS_PER_TASK = 8;

    private ResidencyKernels() {}

    public static void touchFloats(float[] a0, float[] a1, float[] a2, float[] a3, float[] a4, float[] a5, float[] a6,
                            float[] a7) {
        // names the arrays only
    }

    public static void touchInts(int[] a0, int[] a1, int[] a2, int[] a3, int[] a4, int[] a5, int[] a6, int[] a7) {
        // names the arrays only
    }
}
