package org.rlcasino.scoring;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelLaunch;
import org.rlcasino.kernels.SelectionKernels;

/**
 * Exact top-k selection in streaming passes: radix select over the order keys of the scores
 * ({@link SelectionKernels#key}), three passes of 11, 11 and 10 bits from the top, each pass one
 * digit histogram of the keys that still share the selected prefix, computed by the
 * {@link Kernel#DIGIT_HISTOGRAM_PARTIALS} kernel and folded on the host. Several independent
 * pools can be selected in the same passes (per-tensor top-k: one pool per tensor). Memory:
 * the kernel's partials and one {@code long[2048]} histogram per pool; scores are never sorted.
 *
 * <p>The result of a pool is its threshold key T, the count of keys above T and the number of
 * ties (keys equal to T) to take: the selection is every key {@code > T} plus the first
 * {@code ties} keys {@code == T} in stream (tensor, index) order.
 */
public final class RadixSelect {
    /** Scores per histogram partial. */
    public static final int BLOCK_SIZE = 16384;
    private static final int[] SHIFTS = {21, 10, 0};
    private static final int[] BITS = {11, 11, 10};
    private static final int RADIX = 2048;

    /** The selection of one pool; {@code take == 0} selects nothing. */
    public record Selection(long take, int thresholdKey, long above, long ties) {
        /** The threshold as a float score. */
        public float threshold() {
            return SelectionKernels.value(thresholdKey);
        }

        /** Streaming decision: call for every key of the pool in stream order. */
        public Decider decider() {
            return new Decider(this);
        }
    }

    /** Decides membership key by key, taking the first {@code ties} keys equal to the threshold. */
    public static final class Decider {
        private final boolean none;
        private final int threshold;
        private long tiesLeft;

        Decider(Selection s) {
            this.none = s.take == 0;
            this.threshold = s.thresholdKey ^ 0x80000000;
            this.tiesLeft = s.ties;
        }

        public boolean keep(int key) {
            if (none) {
                return false;
            }
            int signed = key ^ 0x80000000;
            if (signed > threshold) {
                return true;
            }
            if (signed == threshold && tiesLeft > 0) {
                tiesLeft--;
                return true;
            }
            return false;
        }
    }

    private RadixSelect() {}

    /**
     * Selects, for every pool p, the {@code take[p]} largest scores of the tensors t with
     * {@code poolOf[t] == p} ({@code -1}: in no pool).
     *
     * @param progress called once per pass with the pass number, may be null
     */
    public static Selection[] select(ScoreSource source, Backend backend, int[] poolOf, long[] take,
                                     java.util.function.IntConsumer progress) throws IOException {
        int pools = take.length;
        long[] need = take.clone();
        int[] prefix = new int[pools];
        long[] above = new long[pools];
        long[][] hist = new long[pools][];
        int[] params = new int[SelectionKernels.PARAMS_LENGTH];
        Map<Integer, Launch> launches = new HashMap<>();
        int[][] keyBuffer = new int[1][];
        for (int pass = 0; pass < SHIFTS.length; pass++) {
            if (progress != null) {
                progress.accept(pass);
            }
            final int shift = SHIFTS[pass];
            final int mask = (1 << BITS[pass]) - 1;
            final boolean check = pass > 0;
            final int bits = BITS[pass];
            for (int p = 0; p < pools; p++) {
                hist[p] = need[p] > 0 ? new long[RADIX] : null;
            }
            source.forEachBatch((tensor, offset, values, n) -> {
                int p = poolOf[tensor];
                if (p < 0 || hist[p] == null) {
                    return;
                }
                if (keyBuffer[0] == null || keyBuffer[0].length < n) {
                    keyBuffer[0] = new int[Math.max(n, values.length)];
                    launches.clear();
                }
                int[] keys = keyBuffer[0];
                toKeys(values, keys, n);
                int blocks = (n + BLOCK_SIZE - 1) / BLOCK_SIZE;
                Launch launch = launches.get(blocks);
                if (launch == null) {
                    int[] partials = new int[blocks * RADIX];
                    KernelCall call = KernelCall.builder("scoring.digit_histogram", Kernel.DIGIT_HISTOGRAM_PARTIALS)
                            .output(partials).input(keys).input(params).size(RADIX).size(BLOCK_SIZE).over(blocks);
                    launch = new Launch(backend.prepare(call), partials);
                    launches.put(blocks, launch);
                }
                params[SelectionKernels.P_N] = n;
                params[SelectionKernels.P_SHIFT] = shift;
                params[SelectionKernels.P_MASK] = mask;
                params[SelectionKernels.P_PREFIX_SHIFT] = check ? shift + bits : 0;
                params[SelectionKernels.P_PREFIX] = prefix[p];
                params[SelectionKernels.P_CHECK_PREFIX] = check ? 1 : 0;
                params[SelectionKernels.P_PREFIX_MASK] = check ? (1 << (32 - shift - bits)) - 1 : -1;
                launch.launch.launch();
                long[] h = hist[p];
                int[] partials = launch.partials;
                for (int b = 0; b < blocks; b++) {
                    int base = b * RADIX;
                    for (int d = 0; d <= mask; d++) {
                        h[d] += partials[base + d];
                    }
                }
            });
            for (int p = 0; p < pools; p++) {
                if (hist[p] == null) {
                    continue;
                }
                long[] h = hist[p];
                long acc = 0;
                int d = mask;
                while (d > 0 && acc + h[d] < need[p]) {
                    acc += h[d];
                    d--;
                }
                if (acc + h[d] < need[p]) {
                    throw new IllegalArgumentException("selection of " + take[p] + " scores from a pool that holds fewer");
                }
                need[p] -= acc;
                above[p] += acc;
                prefix[p] = (prefix[p] << BITS[pass]) | d;
            }
        }
        Selection[] out = new Selection[pools];
        for (int p = 0; p < pools; p++) {
            out[p] = new Selection(take[p], take[p] == 0 ? 0 : prefix[p], take[p] == 0 ? 0 : above[p],
                    take[p] == 0 ? 0 : need[p]);
        }
        return out;
    }

    private record Launch(KernelLaunch launch, int[] partials) {}

    /** {@code keys[i] = key(values[i])} for {@code i < n}. */
    static void toKeys(float[] values, int[] keys, int n) {
        for (int i = 0; i < n; i++) {
            keys[i] = SelectionKernels.key(values[i]);
        }
    }
}
