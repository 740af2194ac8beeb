package org.rlcasino.kernels;

/**
 * Kernels of exact top-k selection by radix select over the bit patterns of float scores. A score
 * {@code x} maps to the unsigned 32-bit key {@code u(x) = s ^ 0x80000000} with
 * {@code s = bits ^ ((bits >> 31) & 0x7fffffff)}, {@code bits = floatToRawIntBits(x)}: keys
 * compared as unsigned ints order exactly like the floats (−0 just below +0; NaN is not a score).
 * Reductions are per-block partials over blocks of a caller-fixed size, folded on the host.
 *
 * <p>The kernels take the keys, not the floats: TornadoVM 5.2's OpenCL backend does not implement
 * {@code Float.floatToRawIntBits}/{@code floatToIntBits} (compilation fails with "unimplemented" in
 * {@code OCLNodeLIRBuilder}), so the host maps each batch to keys while it reads it (one pass over
 * the batch, auto-vectorised by C2).
 */
public final class SelectionKernels {
    private SelectionKernels() {}

    /** Index of the batch length {@code n} in the {@code params} array of the kernels below. */
    public static final int P_N = 0;
    /** Index of the shift of the digit: {@code digit = (u >>> shift) & mask}. */
    public static final int P_SHIFT = 1;
    /** Index of the digit mask ({@code radix − 1}). */
    public static final int P_MASK = 2;
    /** Index of the prefix shift: a key is a candidate iff {@code ((u >> prefixShift) & prefixMask) == prefix}. */
    public static final int P_PREFIX_SHIFT = 3;
    /** Index of the prefix the candidates share. */
    public static final int P_PREFIX = 4;
    /** Index of the flag: 0 = every key is a candidate (first pass), 1 = check the prefix. */
    public static final int P_CHECK_PREFIX = 5;
    /** Index of the threshold key in {@link #countAbovePartials}'s params. */
    public static final int P_THRESHOLD = 1;
    /** Index of the prefix mask, {@code (1 << (32 − prefixShift)) − 1} (or −1 for a shift of 0). */
    public static final int P_PREFIX_MASK = 6;
    /** Length of the params arrays. */
    public static final int PARAMS_LENGTH = 7;

    /** The unsigned order key of {@code x} (see the class comment), as an int. */
    public static int key(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits ^ ((bits >> 31) & 0x7fffffff) ^ 0x80000000;
    }

    /** The float whose {@link #key} is {@code key}. */
    public static float value(int key) {
        int s = key ^ 0x80000000;
        return Float.intBitsToFloat(s ^ ((s >> 31) & 0x7fffffff));
    }

    /**
     * Per-block digit histograms of the candidate keys: for block {@code b ∈ [offset, offset+count)},
     * {@code partials[b·radix + d] = #{i ∈ [b·blockSize, min((b+1)·blockSize, n)) : candidate(u_i) ∧
     * (u_i >> shift) & mask = d}}, with {@code u_i = keys[i]} and {@code n, shift, mask,
     * prefixShift, prefix, checkPrefix, prefixMask} read from {@code params} (they change between launches).
     * Shifts are arithmetic and masked: TornadoVM's OpenCL backend compiles {@code >>>} on ints as a
     * signed shift, so the kernel does not use it.
     *
     * @param partials one histogram per block, (blocks · radix)
     * @param keys     the batch's order keys {@link #key}(score), (≥ n)
     * @param params   (PARAMS_LENGTH), see the {@code P_*} constants
     * @param radix    digits per histogram, {@code mask + 1} at most
     */
    public static void digitHistogramPartials(int[] partials, int[] keys, int[] params, int radix, int blockSize,
                                              int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int b = offset + k;
            int base = b * radix;
            for (int d = 0; d < radix; d++) {
                partials[base + d] = 0;
            }
            int n = params[0];
            int shift = params[1];
            int mask = params[2];
            int prefixShift = params[3];
            int prefix = params[4];
            int checkPrefix = params[5];
            int prefixMask = params[6];
            int lo = b * blockSize;
            int hi = Math.min(lo + blockSize, n);
            for (int i = lo; i < hi; i++) {
                int u = keys[i];
                if (checkPrefix == 0 || ((u >> prefixShift) & prefixMask) == prefix) {
                    int d = (u >> shift) & mask;
                    partials[base + d] = partials[base + d] + 1;
                }
            }
        }
    }

    /**
     * Per-block counts of the scores strictly above a threshold key: {@code partials[b] = #{i ∈
     * [b·blockSize, min((b+1)·blockSize, n)) : keys[i] >u threshold}} (unsigned comparison), with
     * {@code n = params[P_N]}, {@code threshold = params[P_THRESHOLD]}.
     *
     * @param partials one count per block, (blocks)
     * @param keys     the batch's order keys {@link #key}(score), (≥ n)
     * @param params   (≥ 2)
     */
    public static void countAbovePartials(int[] partials, int[] keys, int[] params, int blockSize, int offset, int count) {
        for (@Parallel int k = 0; k < count; k++) {
            int b = offset + k;
            int n = params[0];
            int threshold = params[1] ^ 0x80000000;
            int lo = b * blockSize;
            int hi = Math.min(lo + blockSize, n);
            int c = 0;
            for (int i = lo; i < hi; i++) {
                if ((keys[i] ^ 0x80000000) > threshold) {
                    c++;
                }
            }
            partials[b] = c;
        }
    }
}
