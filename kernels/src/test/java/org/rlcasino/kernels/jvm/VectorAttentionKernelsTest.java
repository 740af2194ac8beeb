package org.rlcasino.kernels.jvm;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rlcasino.kernels.AttentionKernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/**
 * The Vector API attention fast paths against the reference kernels, bit for bit, for every range
 * split tried (whole range, single iterations, and odd chunks that cut heads apart).
 */
class VectorAttentionKernelsTest {
    private static final int[] CHUNKS = {1, 3, 7, 64, Integer.MAX_VALUE};

    static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * scale);
        }
        return x;
    }

    /** Runs {@code kernel} over [0, range) in chunks of {@code chunk}. */
    interface Range {
        void run(int offset, int count);
    }

    static void split(int range, int chunk, Range kernel) {
        for (int o = 0; o < range; o += chunk) {
            kernel.run(o, (int) Math.min(chunk, (long) range - o));
        }
    }

    @ParameterizedTest(name = "B={0} T={1} C={2} NH={3}")
    @CsvSource({
            "2, 5, 32, 2",     // hs 16: one AVX-512 vector, two AVX2 vectors; T shorter than a vector
            "1, 17, 64, 1",    // hs 64; T crosses a vector boundary
            "2, 33, 128, 2",   // hs 64
            "1, 9, 256, 2",    // hs 128: two groups of four vectors with AVX-512
            "2, 6, 12, 2",     // hs 6: not a whole vector, the fast paths fall back to the reference
    })
    void allThreeKernelsMatchTheReferenceBitForBit(int b, int t, int c, int nh) {
        SplittableRandom rnd = new SplittableRandom(31L * b + 7L * t + c + nh);
        int[] dims = AttentionKernels.dims(b, t, c, nh);
        int range = b * nh * t;
        float[] qkv = gaussian(rnd, b * t * 3 * c, 1.5);
        float[] dout = gaussian(rnd, b * t * c, 1.0);

        float[] refOut = new float[b * t * c];
        float[] refAtt = gaussian(rnd, b * nh * t * t, 1.0); // garbage the kernels must overwrite
        AttentionKernels.attentionForward(refOut, refAtt, qkv, dims, 0, range);
        float[] refDqkv = gaussian(rnd, qkv.length, 1.0);
        float[] refDatt = gaussian(rnd, refAtt.length, 1.0);
        float[] garbageDqkv = refDqkv.clone();
        float[] garbageDatt = refDatt.clone();
        AttentionKernels.attentionBackwardQuery(refDqkv, refDatt, dout, qkv, refAtt, dims, 0, range);
        AttentionKernels.attentionBackwardKeyValue(refDqkv, dout, qkv, refAtt, refDatt, dims, 0, range);

        for (int chunk : CHUNKS) {
            String what = "B=" + b + " T=" + t + " C=" + c + " NH=" + nh + " chunk " + chunk;
            float[] out = new float[refOut.length];
            float[] att = garbageDatt.clone();
            split(range, chunk, (o, n) -> VectorAttentionKernels.attentionForward(out, att, qkv, dims, o, n));
            assertBitIdentical(what + " forward out", out, refOut);
            assertBitIdentical(what + " forward att", att, refAtt);

            float[] dqkv = garbageDqkv.clone();
            float[] datt = garbageDatt.clone();
            split(range, chunk, (o, n) -> VectorAttentionKernels.attentionBackwardQuery(dqkv, datt, dout, qkv, att, dims, o, n));
            split(range, chunk, (o, n) -> VectorAttentionKernels.attentionBackwardKeyValue(dqkv, dout, qkv, att, datt, dims, o, n));
            assertBitIdentical(what + " datt", datt, refDatt);
            assertBitIdentical(what + " dqkv", dqkv, refDqkv);
        }
        assertThat(VectorAttentionKernels.supports(dims)).isEqualTo((c / nh) % VectorMatmulKernels.lanes() == 0);
    }
}
