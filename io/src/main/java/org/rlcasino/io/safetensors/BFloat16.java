package org.rlcasino.io.safetensors;

/**
 * bfloat16, the upper half of a float32: 1 sign bit, 8 exponent bits, 7 mantissa bits. Widening
 * to float is exact; narrowing rounds to nearest, ties to even, like PyTorch's
 * {@code tensor.to(torch.bfloat16)}.
 */
public final class BFloat16 {
    private BFloat16() {}

    /** The float with these bfloat16 bits (exact: the bits become the upper half of the float). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /**
     * The bfloat16 nearest to {@code value}, ties to even; values beyond the largest finite
     * bfloat16 (by at least half an ulp) become infinities, subnormals round like normal numbers
     * (bfloat16 has float32's exponent range). A NaN stays a NaN with its sign and the top of its
     * payload, made quiet so that dropping the low payload bits cannot turn it into an infinity.
     * (PyTorch 1.13 writes every NaN as {@code 0xFFFF}; both are NaN.)
     */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        // Adding 0x7FFF rounds halves down and everything above up; adding the kept lowest bit
        // too turns exact halves into ties to even. A carry into the exponent is correct rounding
        // (up to the next binade, or to infinity above the largest finite bfloat16).
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }
}
