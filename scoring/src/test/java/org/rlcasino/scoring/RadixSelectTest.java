package org.rlcasino.scoring;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.SelectionKernels;

import static org.assertj.core.api.Assertions.assertThat;

/** Radix select against a full sort, several pools at once, on the JVM backend with different thread counts. */
class RadixSelectTest {

    /** The k-th largest key of {@code x} (1-based) and how many keys lie strictly above it. */
    static long[] oracle(float[] x, long k) {
        int[] keys = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            keys[i] = SelectionKernels.key(x[i]) ^ 0x80000000;
        }
        Arrays.sort(keys);
        int t = keys[x.length - (int) k];
        long above = Arrays.stream(keys).filter(v -> v > t).count();
        return new long[] {t ^ 0x80000000, above};
    }

    @Test
    void everyPoolGetsItsExactThresholdAboveCountAndTies() throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        for (int threads : new int[] {1, 2, 3}) {
            try (JvmBackend backend = new JvmBackend(threads, 1)) {
                for (int c = 0; c < 30; c++) {
                    int pools = 1 + r.nextInt(3);
                    float[][] arrays = new float[pools][];
                    int[] poolOf = new int[pools];
                    long[] take = new long[pools];
                    for (int p = 0; p < pools; p++) {
                        int n = 1 + r.nextInt(50_000);
                        arrays[p] = new float[n];
                        int mode = r.nextInt(3);
                        for (int i = 0; i < n; i++) {
                            arrays[p][i] = mode == 0 ? (float) r.nextGaussian() : mode == 1 ? r.nextInt(4) : 7f;
                        }
                        poolOf[p] = p;
                        take[p] = r.nextInt(5) == 0 ? (r.nextBoolean() ? 0 : n) : 1 + r.nextInt(n);
                    }
                    RadixSelect.Selection[] sel = RadixSelect.select(MaskBuilder.arraySource(arrays), backend, poolOf, take, null);
                    for (int p = 0; p < pools; p++) {
                        if (take[p] == 0) {
                            assertThat(sel[p].take()).isZero();
                            continue;
                        }
                        long[] o = oracle(arrays[p], take[p]);
                        assertThat(sel[p].thresholdKey()).as("case %d pool %d", c, p).isEqualTo((int) o[0]);
                        assertThat(sel[p].above()).isEqualTo(o[1]);
                        assertThat(sel[p].above() + sel[p].ties()).isEqualTo(take[p]);
                        RadixSelect.Decider d = sel[p].decider();
                        long kept = 0;
                        for (float v : arrays[p]) {
                            kept += d.keep(SelectionKernels.key(v)) ? 1 : 0;
                        }
                        assertThat(kept).isEqualTo(take[p]);
                    }
                }
            }
        }
    }
}
