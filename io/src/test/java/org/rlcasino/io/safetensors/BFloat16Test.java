package org.rlcasino.io.safetensors;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BFloat16Test {
    /** float32 bits and the bfloat16 they round to, worked out by hand (the PyTorch fixture agrees). */
    private static final int[][] ROUNDINGS = {
            {0x3F80_0000, 0x3F80}, // 1.0, exact
            {0x3F80_8000, 0x3F80}, // 1 + 2^-8: halfway between 0x3F80 and 0x3F81, ties to even
            {0x3F81_8000, 0x3F82}, // halfway between 0x3F81 and 0x3F82, ties to even
            {0x3F80_8001, 0x3F81}, // just above halfway
            {0x3F80_7FFF, 0x3F80}, // just below halfway
            {0xBF80_8000, 0xBF80}, // negative tie
            {0x3EAA_AAAB, 0x3EAB}, // 1/3
            {0x7F7F_7FFF, 0x7F7F}, // below the last tie: the largest finite bfloat16
            {0x7F7F_8000, 0x7F80}, // tie above 0x7F7F (odd): up, to infinity
            {0x7F7F_FFFF, 0x7F80}, // Float.MAX_VALUE overflows to infinity
            {0xFF7F_FFFF, 0xFF80}, // and -MAX_VALUE to -infinity
            {0x0000_8000, 0x0000}, // subnormal tie to even (0)
            {0x0001_8000, 0x0002}, // subnormal tie to even (2)
            {0x0000_0001, 0x0000}, // the smallest subnormal float underflows to 0
            {0x007F_FFFF, 0x0080}, // the largest subnormal rounds up to the smallest normal
            {0x8000_0001, 0x8000}, // to -0
            {0x0000_0000, 0x0000},
            {0x8000_0000, 0x8000}, // -0 keeps its sign
            {0x7F80_0000, 0x7F80}, // +inf
            {0xFF80_0000, 0xFF80}, // -inf
    };

    @Test
    void roundsToNearestEvenAsWorkedOutByHand() {
        for (int[] c : ROUNDINGS) {
            assertThat(BFloat16.fromFloat(Float.intBitsToFloat(c[0])) & 0xFFFF)
                    .as("0x%08X", c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void nanStaysNanWithItsSignAndBecomesQuiet() {
        assertThat(BFloat16.fromFloat(Float.intBitsToFloat(0x7FC0_0000)) & 0xFFFF).isEqualTo(0x7FC0);
        assertThat(BFloat16.fromFloat(Float.intBitsToFloat(0xFFC0_0000)) & 0xFFFF).isEqualTo(0xFFC0);
        // A payload only in the low bits: plain truncation would give infinity, rounding could carry into the sign.
        assertThat(BFloat16.fromFloat(Float.intBitsToFloat(0x7F80_0001)) & 0xFFFF).isEqualTo(0x7FC0);
        assertThat(BFloat16.fromFloat(Float.intBitsToFloat(0x7FFF_FFFF)) & 0xFFFF).isEqualTo(0x7FFF);
        assertThat(BFloat16.fromFloat(Float.intBitsToFloat(0xFF80_8000)) & 0xFFFF).isEqualTo(0xFFC0);
        for (int bits : new int[] {0x7F80_0001, 0x7FBF_FFFF, 0xFF80_0001, 0x7FC0_0000, 0xFFFF_FFFF}) {
            assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(bits)))).isNaN();
        }
    }

    @Test
    void widensExactlyAndNarrowsEveryBfloat16BackToItself() {
        for (int b = 0; b < 1 << 16; b++) {
            float f = BFloat16.toFloat((short) b);
            assertThat(Float.floatToRawIntBits(f)).isEqualTo(b << 16);
            if (!Float.isNaN(f)) {
                assertThat(BFloat16.fromFloat(f) & 0xFFFF).isEqualTo(b);
            }
        }
    }

    @Test
    void agreesWithRoundingDoneInDoubleOnRandomFloats() {
        Random random = new Random(11);
        for (int trial = 0; trial < 200_000; trial++) {
            float x = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(x)) {
                continue;
            }
            assertThat(BFloat16.fromFloat(x) & 0xFFFF).as("%a", x).isEqualTo(nearestBfloat16(x));
        }
    }

    /** The nearest bfloat16 by comparing distances in double; beyond the largest finite one, 2^128 stands for infinity. */
    private static int nearestBfloat16(float x) {
        int bits = Float.floatToRawIntBits(x);
        int down = bits >>> 16;
        if ((bits & 0xFFFF) == 0 || Float.isInfinite(x)) {
            return down;
        }
        int up = down + 1;
        double lo = Math.abs((double) Float.intBitsToFloat(down << 16));
        double hi = (up & 0x7FFF) == 0x7F80 ? 0x1p128 : Math.abs((double) Float.intBitsToFloat(up << 16));
        double ax = Math.abs((double) x);
        if (ax - lo < hi - ax) {
            return down;
        }
        if (ax - lo > hi - ax) {
            return up;
        }
        return (down & 1) == 0 ? down : up;
    }
}
