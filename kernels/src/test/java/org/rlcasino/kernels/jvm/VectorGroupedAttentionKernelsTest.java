package org.rlcasino.kernels.jvm;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rlcasino.kernels.GroupedAttentionKernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.kernels.jvm.VectorAttentionKernelsTest.gaussian;
import static org.rlcasino.kernels.jvm.VectorAttentionKernelsTest.split;
import static org.rlcasino.testsupport.NumericAssertions.assertBitIdentical;

/**
 * The Vector API grouped-query attention fast paths against the reference kernels, bit for bit, for
 * every range split tried (whole range, single iterations, odd chunks that cut heads and groups apart),
 * with and without a sliding window.
 */
class VectorGroupedAttentionKernelsTest {
    private static final int[] CHUNKS = {1, 3, 7, 64, Integer.MAX_VALUE};

    @ParameterizedTest(name = "B={0} T={1} NH={2} NKV={3} D={4} W={5}")
    @CsvSource({
            "2, 5, 4, 2, 16, 0",     // GQA 2:1, T shorter than a vector
            "1, 17, 4, 1, 64, 0",    // multi-query, T crosses a vector boundary
            "2, 33, 4, 2, 32, 8",    // sliding window 8
            "1, 20, 6, 3, 16, 1",    // window 1: each query sees itself only
            "2, 9, 2, 2, 128, 4",    // no grouping (MHA), head 128
            "1, 7, 4, 2, 6, 0",      // head 6: not a whole vector, the fast paths fall back to the reference
    })
    void allThreeKernelsMatchTheReferenceBitForBit(int b, int t, int nh, int nkv, int d, int window) {
        SplittableRandom rnd = new SplittableRandom(31L * b + 7L * t + 3L * nh + nkv + d + window);
        int[] dims = GroupedAttentionKernels.dims(b, t, nh, nkv, d, window);
        float[] scale = {1f / (float) Math.sqrt(d)};
        float[] q = gaussian(rnd, b * t * nh * d, 1.5);
        float[] k = gaussian(rnd, b * t * nkv * d, 1.5);
        float[] v = gaussian(rnd, b * t * nkv * d, 1.0);
        float[] dout = gaussian(rnd, b * t * nh * d, 1.0);
        int queries = b * nh * t;
        int keys = b * nkv * t;

        float[] refOut = new float[q.length];
        float[] refAtt = gaussian(rnd, b * nh * t * t, 1.0); // garbage the kernels must overwrite
        float[] garbageAtt = refAtt.clone();
        GroupedAttentionKernels.groupedAttentionForward(refOut, refAtt, q, k, v, scale, dims, 0, queries);
        float[] refDq = gaussian(rnd, q.length, 1.0);
        float[] refDatt = garbageAtt.clone();
        float[] refDk = gaussian(rnd, k.length, 1.0);
        float[] refDv = gaussian(rnd, v.length, 1.0);
        float[] garbageDq = refDq.clone();
        float[] garbageDk = refDk.clone();
        float[] garbageDv = refDv.clone();
        GroupedAttentionKernels.groupedAttentionBackwardQuery(refDq, refDatt, dout, k, v, refAtt, scale, dims, 0, queries);
        GroupedAttentionKernels.groupedAttentionBackwardKeyValue(refDk, refDv, dout, q, refAtt, refDatt, scale, dims, 0, keys);

        for (int chunk : CHUNKS) {
            String what = "B=" + b + " T=" + t + " NH=" + nh + " NKV=" + nkv + " D=" + d + " W=" + window + " chunk " + chunk;
            float[] out = new float[q.length];
            float[] att = garbageAtt.clone();
            split(queries, chunk, (o, n) -> VectorGroupedAttentionKernels.groupedAttentionForward(out, att, q, k, v, scale, dims, o, n));
            assertBitIdentical(what + " forward out", out, refOut);
            assertBitIdentical(what + " forward att", att, refAtt);

            float[] dq = garbageDq.clone();
            float[] datt = garbageAtt.clone();
            float[] dk = garbageDk.clone();
            float[] dv = garbageDv.clone();
            split(queries, chunk, (o, n) -> VectorGroupedAttentionKernels.groupedAttentionBackwardQuery(dq, datt, dout, k, v, att,
                    scale, dims, o, n));
            split(keys, chunk, (o, n) -> VectorGroupedAttentionKernels.groupedAttentionBackwardKeyValue(dk, dv, dout, q, att, datt,
                    scale, dims, o, n));
            assertBitIdentical(what + " datt", datt, refDatt);
            assertBitIdentical(what + " dq", dq, refDq);
            assertBitIdentical(what + " dk", dk, refDk);
            assertBitIdentical(what + " dv", dv, refDv);
        }
        assertThat(VectorGroupedAttentionKernels.supports(dims)).isEqualTo(d % VectorMatmulKernels.lanes() == 0);
    }
}
