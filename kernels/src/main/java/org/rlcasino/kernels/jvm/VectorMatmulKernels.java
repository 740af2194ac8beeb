package org.rlcasino.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.rlcasino.kernels.MatmulKernels;

import static org.rlcasino.kernels.MatmulKernels.D_A;
import static org.rlcasino.kernels.MatmulKernels.D_B;
import static org.rlcasino.kernels.MatmulKernels.D_BIAS;
import static org.rlcasino.kernels.MatmulKernels.D_FLAGS;
import static org.rlcasino.kernels.MatmulKernels.D_K;
import static org.rlcasino.kernels.MatmulKernels.D_M;
import static org.rlcasino.kernels.MatmulKernels.D_N;
import static org.rlcasino.kernels.MatmulKernels.D_OUT;
import static org.rlcasino.kernels.MatmulKernels.F_ACCUMULATE;
import static org.rlcasino.kernels.MatmulKernels.F_BIAS;

/**
 * JVM-only fast paths of {@link MatmulKernels}, written with the Vector API: register-tiled
 * (4 output rows × 2 vectors of output columns) and vectorised across output columns, so that
 * each output element still gets its own accumulator that starts at {@code 0f} and receives
 * {@code acc + x·y} for the inner index in ascending order — a separate multiply and add per
 * step, never a fused multiply-add. Each element therefore sees exactly the IEEE operations of
 * the reference kernel in the same order, and the result is bit-identical for any range split
 * (and so for any thread count). Signatures equal the reference kernels', so either binds to a
 * backend launch ({@code KernelCall.jvmFastPath}); the TornadoVM backend never uses this class.
 *
 * <p>All three products reduce to one micro-kernel and one blocking, GotoBLAS's order: the left
 * operand of a block of 128 output rows is packed step-major into 4-row tiles (for TN, whose left
 * operands are columns of a, that copy reads rows of a, avoiding a column walk at a stride of K
 * floats); the right operand's columns {@code [j0, j0+W)} (W = 2 vectors) are packed into a
 * contiguous, zero-padded panel {@code panel[s·W + c]} (for NT that copy is a transpose, which is
 * what makes NT vectorisable over j), and every row tile of the block runs over it. The reduction
 * runs in blocks of 512 steps (so a panel stays in L2, as the vocabulary-sized reductions of a tied
 * head's input gradient need); between blocks each accumulator is stored and reloaded, which keeps
 * the order and the operations of the reference. A range that starts or ends inside an output row
 * is handled by the same code with a column sub-range; missing rows of the last 4-row tile repeat
 * the last real row and are not stored.
 * Panels live in a per-thread scratch array, so calls are thread-safe and allocation-free once
 * warm.
 */
public final class VectorMatmulKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    /** Output columns per tile: two vectors. */
    private static final int W = 2 * LANES;
    /** Output rows per tile. */
    private static final int R = 4;
    /** Output rows whose left operand is packed together (32 tiles: the "A block" of a GEMM). */
    private static final int ROW_BLOCK = 32 * R;
    /** Reduction steps per block: a packed panel (KC·W floats, 64 KiB with AVX-512) stays in L2. */
    private static final int KC = 512;
    /** Column panels per slab of a blocked reduction (bounds the partial sums kept between blocks). */
    private static final int SLAB_PANELS = 64;

    /** Per-thread scratch: the packed operands, a tile's worth of accumulators, partial sums. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] panel = new float[0];
        float[] left = new float[0];
        float[] partial = new float[0];
        final float[] tile = new float[R * W];

        float[] left(int floats) {
            if (left.length < floats) {
                left = new float[Math.max(floats, left.length * 2)];
            }
            return left;
        }

        float[] panel(int floats) {
            if (panel.length < floats) {
                panel = new float[Math.max(floats, panel.length * 2)];
            }
            return panel;
        }

        /** Zeroed partial sums for {@code floats} accumulators. */
        float[] partial(int floats) {
            if (partial.length < floats) {
                partial = new float[Math.max(floats, partial.length * 2)];
            } else {
                java.util.Arrays.fill(partial, 0, floats, 0f);
            }
            return partial;
        }
    }

    /** How the right operand is packed into a panel. */
    private static final int PACK_ROWS = 0;
    private static final int PACK_TRANSPOSED = 1;

    private VectorMatmulKernels() {}

    /** Lanes per vector on this machine (8 with AVX2, 16 with AVX-512). */
    public static int lanes() {
        return LANES;
    }

    /**
     * A {@code KernelCall} grain (iterations per JVM chunk) for {@link #matmulNN} or
     * {@link #matmulNT} with an (m × n) output, or for {@link #matmulTN} with a (k × n) output
     * (pass k as {@code rows}): whole rows, about a eighth of them (several chunks per thread), in
     * whole 4-row tiles, at most 128 — each chunk packs the right operand's panels once for all its
     * rows, so longer chunks amortise that copy. Any grain gives the same result.
     */
    public static int grain(int rows, int n) {
        int r = (rows + 7) / 8;
        r = (r + R - 1) / R * R;
        r = Math.max(1, Math.min(Math.min(r, ROW_BLOCK), rows));
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (long) r * n));
    }

    /** Same contract as {@link MatmulKernels#matmulNN}. */
    public static void matmulNN(float[] out, float[] a, float[] b, float[] bias, int[] dims, int offset, int count) {
        int kk = dims[D_K];
        int n = dims[D_N];
        // element (i, j): a rows step 1, row stride K; panel from b rows (K, N)
        range(out, a, b, bias, dims, offset, count, n, kk, dims[D_A], kk, 1, PACK_ROWS, n);
    }

    /** Same contract as {@link MatmulKernels#matmulNT}. */
    public static void matmulNT(float[] out, float[] a, float[] b, float[] bias, int[] dims, int offset, int count) {
        int kk = dims[D_K];
        int n = dims[D_N];
        // element (i, j): a rows step 1, row stride K; panel = transposed rows of b (N, K)
        range(out, a, b, bias, dims, offset, count, n, kk, dims[D_A], kk, 1, PACK_TRANSPOSED, kk);
    }

    /** Same contract as {@link MatmulKernels#matmulTN}. */
    public static void matmulTN(float[] out, float[] a, float[] b, float[] bias, int[] dims, int offset, int count) {
        int m = dims[D_M];
        int kk = dims[D_K];
        int n = dims[D_N];
        // element (k, j), reduction over i: a columns (row stride 1, step K); panel from b rows (M, N)
        range(out, a, b, bias, dims, offset, count, n, m, dims[D_A], 1, kk, PACK_ROWS, n);
    }

    /**
     * Splits the element range into a partial first row, whole rows and a partial last row, each
     * computed as a block of rows × a column range.
     *
     * @param n          output columns
     * @param steps      reduction length
     * @param aBase      offset of a
     * @param aRowStride distance in a between consecutive output rows' operands
     * @param aStep      distance in a between consecutive reduction steps
     * @param pack       {@link #PACK_ROWS} (b[s·bStride + j]) or {@link #PACK_TRANSPOSED} (b[j·bStride + s])
     */
    private static void range(float[] out, float[] a, float[] b, float[] bias, int[] dims, int offset, int count,
                              int n, int steps, int aBase, int aRowStride, int aStep, int pack, int bStride) {
        if (count <= 0 || n == 0) {
            return;
        }
        Scratch scratch = SCRATCH.get();
        int end = offset + count;
        int row = offset / n;
        int col = offset - row * n;
        int lastRow = end / n;
        int lastCol = end - lastRow * n;
        if (row == lastRow) {
            block(out, a, b, bias, dims, row, row + 1, col, lastCol, steps, aBase, aRowStride, aStep, pack, bStride,
                    scratch);
            return;
        }
        if (col > 0) {
            block(out, a, b, bias, dims, row, row + 1, col, n, steps, aBase, aRowStride, aStep, pack, bStride, scratch);
            row++;
        }
        if (lastRow > row) {
            block(out, a, b, bias, dims, row, lastRow, 0, n, steps, aBase, aRowStride, aStep, pack, bStride, scratch);
        }
        if (lastCol > 0) {
            block(out, a, b, bias, dims, lastRow, lastRow + 1, 0, lastCol, steps, aBase, aRowStride, aStep, pack,
                    bStride, scratch);
        }
    }

    /**
     * Output rows {@code [r0, r1)} × columns {@code [c0, c1)}, blocked as a GEMM: rows in blocks of
     * {@link #ROW_BLOCK} whose left operand is packed once per reduction block; the reduction in
     * blocks of {@link #KC} steps; within those, one W-column panel of the right operand packed at a
     * time and run against every row tile. When the reduction spans several blocks, each element's
     * accumulator is stored between blocks (columns in slabs of {@link #SLAB_PANELS} panels) and
     * reloaded for the next, so it still sees {@code acc + x·y} for every step in ascending order:
     * exactly the reference's operations.
     */
    private static void block(float[] out, float[] a, float[] b, float[] bias, int[] dims, int r0, int r1, int c0,
                              int c1, int steps, int aBase, int aRowStride, int aStep, int pack, int bStride,
                              Scratch scratch) {
        int n = dims[D_N];
        int flags = dims[D_FLAGS];
        int outBase = dims[D_OUT];
        int biasBase = dims[D_BIAS];
        int bBase = dims[D_B];
        int panelCount = (c1 - c0 + W - 1) / W;
        int kBlocks = Math.max(1, (steps + KC - 1) / KC);
        int slabPanels = kBlocks == 1 ? panelCount : Math.min(panelCount, SLAB_PANELS);
        for (int g0 = r0; g0 < r1; g0 += ROW_BLOCK) {
            int g1 = Math.min(r1, g0 + ROW_BLOCK);
            int tiles = (g1 - g0 + R - 1) / R;
            for (int p0 = 0; p0 < panelCount; p0 += slabPanels) {
                int p1 = Math.min(panelCount, p0 + slabPanels);
                float[] partial = kBlocks == 1 ? null : scratch.partial(tiles * (p1 - p0) * R * W);
                for (int kb = 0; kb < kBlocks; kb++) {
                    int k0 = kb * KC;
                    int ks = Math.min(KC, steps - k0);
                    boolean last = kb == kBlocks - 1;
                    float[] left = scratch.left(tiles * R * ks);
                    packLeft(left, a, aBase + k0 * aStep, aRowStride, aStep, g0, g1, ks);
                    float[] panel = scratch.panel(ks * W);
                    int panelBase = bBase + (pack == PACK_ROWS ? k0 * bStride : k0);
                    for (int p = p0; p < p1; p++) {
                        int j0 = c0 + p * W;
                        int width = Math.min(W, c1 - j0);
                        packPanel(panel, 0, b, panelBase, j0, width, bStride, ks, pack);
                        for (int t = 0; t < tiles; t++) {
                            int i = g0 + t * R;
                            int rows = Math.min(R, g1 - i);
                            float[] acc = scratch.tile;
                            int accAt = 0;
                            if (partial == null) {
                                tile(acc, 0, false, panel, 0, left, t * ks * R, ks);
                            } else {
                                acc = partial;
                                accAt = ((t * (p1 - p0)) + (p - p0)) * R * W;
                                tile(acc, accAt, kb > 0, panel, 0, left, t * ks * R, ks);
                            }
                            if (last) {
                                if (width == W && flags == 0) {
                                    storePlain(out, acc, accAt, outBase + i * n + j0, n, rows);
                                } else {
                                    storeGeneral(out, acc, accAt, bias, flags, outBase + i * n + j0, biasBase + j0, n, rows,
                                            width);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Packs columns {@code [j0, j0+width)} of the right operand into {@code panels[at …]}. */
    private static void packPanel(float[] panels, int at, float[] b, int bBase, int j0, int width, int bStride,
                                  int steps, int pack) {
        if (pack == PACK_ROWS) {
            packRows(panels, at, b, bBase + j0, bStride, steps, width);
        } else {
            packTransposed(panels, at, b, bBase + j0 * bStride, bStride, steps, width);
        }
    }

    /**
     * {@code left[t·steps·R + s·R + r] = a[base + (g0 + t·R + r)·rowStride + s·step]} for the rows
     * {@code [g0, g1)}; a missing row of the last tile repeats the group's last row.
     */
    private static void packLeft(float[] left, float[] a, int base, int rowStride, int step, int g0, int g1,
                                 int steps) {
        if (rowStride == 1) {
            // TN: a group's operands are consecutive within each step (a row of a); read them in order,
            // since walking one column of a at a stride of K floats thrashes the caches when K·4 is a
            // multiple of 4 KiB
            int rows = g1 - g0;
            for (int s = 0; s < steps; s++) {
                int src = base + g0 + s * step;
                for (int x = 0; x < rows; x++) {
                    left[(x / R) * steps * R + s * R + (x % R)] = a[src + x];
                }
                for (int x = rows; x % R != 0; x++) {
                    left[(x / R) * steps * R + s * R + (x % R)] = a[src + rows - 1];
                }
            }
            return;
        }
        for (int i = g0, t = 0; i < g1; i += R, t++) {
            int dst = t * steps * R;
            for (int r = 0; r < R; r++) {
                int src = base + Math.min(i + r, g1 - 1) * rowStride;
                for (int s = 0; s < steps; s++) {
                    left[dst + s * R + r] = a[src + s * step];
                }
            }
        }
    }

    /** {@code panel[s·W + c] = b[base + s·stride + c]} for c < width, zero beyond. */
    private static void packRows(float[] panel, int at, float[] b, int base, int stride, int steps, int width) {
        if (width == W) {
            for (int s = 0; s < steps; s++) {
                int src = base + s * stride;
                FloatVector.fromArray(F, b, src).intoArray(panel, at + s * W);
                FloatVector.fromArray(F, b, src + LANES).intoArray(panel, at + s * W + LANES);
            }
            return;
        }
        for (int s = 0; s < steps; s++) {
            int src = base + s * stride;
            int dst = at + s * W;
            for (int c = 0; c < width; c++) {
                panel[dst + c] = b[src + c];
            }
            for (int c = width; c < W; c++) {
                panel[dst + c] = 0f;
            }
        }
    }

    /** {@code panel[s·W + c] = b[base + c·stride + s]} for c < width, zero beyond (a transpose). */
    private static void packTransposed(float[] panel, int at, float[] b, int base, int stride, int steps,
                                       int width) {
        for (int c = 0; c < width; c++) {
            int src = base + c * stride;
            for (int s = 0; s < steps; s++) {
                panel[at + s * W + c] = b[src + s];
            }
        }
        for (int c = width; c < W; c++) {
            for (int s = 0; s < steps; s++) {
                panel[at + s * W + c] = 0f;
            }
        }
    }

    /**
     * The micro-kernel: 4 rows × 2 vectors of accumulators, each {@code acc = acc + x·y} in
     * ascending step order, written to {@code tile[at + r·W + c]}; the accumulators start at 0, or
     * at the values {@code tile} holds there when {@code resume} (the sums of earlier reduction
     * blocks). {@code left[leftAt + s·R + r]} holds row r's operand of step s.
     */
    private static void tile(float[] tile, int at, boolean resume, float[] panel, int panelAt, float[] left, int leftAt,
                             int steps) {
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        if (resume) {
            c00 = FloatVector.fromArray(F, tile, at);
            c01 = FloatVector.fromArray(F, tile, at + LANES);
            c10 = FloatVector.fromArray(F, tile, at + W);
            c11 = FloatVector.fromArray(F, tile, at + W + LANES);
            c20 = FloatVector.fromArray(F, tile, at + 2 * W);
            c21 = FloatVector.fromArray(F, tile, at + 2 * W + LANES);
            c30 = FloatVector.fromArray(F, tile, at + 3 * W);
            c31 = FloatVector.fromArray(F, tile, at + 3 * W + LANES);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(F);
        }
        for (int s = 0; s < steps; s++) {
            int p = panelAt + s * W;
            int q = leftAt + s * R;
            FloatVector b0 = FloatVector.fromArray(F, panel, p);
            FloatVector b1 = FloatVector.fromArray(F, panel, p + LANES);
            FloatVector x0 = FloatVector.broadcast(F, left[q]);
            c00 = c00.add(x0.mul(b0));
            c01 = c01.add(x0.mul(b1));
            FloatVector x1 = FloatVector.broadcast(F, left[q + 1]);
            c10 = c10.add(x1.mul(b0));
            c11 = c11.add(x1.mul(b1));
            FloatVector x2 = FloatVector.broadcast(F, left[q + 2]);
            c20 = c20.add(x2.mul(b0));
            c21 = c21.add(x2.mul(b1));
            FloatVector x3 = FloatVector.broadcast(F, left[q + 3]);
            c30 = c30.add(x3.mul(b0));
            c31 = c31.add(x3.mul(b1));
        }
        c00.intoArray(tile, at);
        c01.intoArray(tile, at + LANES);
        c10.intoArray(tile, at + W);
        c11.intoArray(tile, at + W + LANES);
        c20.intoArray(tile, at + 2 * W);
        c21.intoArray(tile, at + 2 * W + LANES);
        c30.intoArray(tile, at + 3 * W);
        c31.intoArray(tile, at + 3 * W + LANES);
    }

    /** Full-width tile at {@code tile[at …]}, no bias, overwrite. */
    private static void storePlain(float[] out, float[] tile, int at, int o, int n, int rows) {
        for (int r = 0; r < rows; r++) {
            int dst = o + r * n;
            FloatVector.fromArray(F, tile, at + r * W).intoArray(out, dst);
            FloatVector.fromArray(F, tile, at + r * W + LANES).intoArray(out, dst + LANES);
        }
    }

    /** Bias then overwrite-or-accumulate, element by element, exactly as {@link MatmulKernels#store}. */
    private static void storeGeneral(float[] out, float[] tile, int at, float[] bias, int flags, int o, int biasAt, int n,
                                     int rows, int width) {
        boolean withBias = (flags & F_BIAS) != 0;
        boolean accumulate = (flags & F_ACCUMULATE) != 0;
        for (int r = 0; r < rows; r++) {
            int dst = o + r * n;
            for (int c = 0; c < width; c++) {
                float v = tile[at + r * W + c];
                if (withBias) {
                    v = v + bias[biasAt + c];
                }
                if (accumulate) {
                    out[dst + c] = out[dst + c] + v;
                } else {
                    out[dst + c] = v;
                }
            }
        }
    }

    /** Same contract as {@link MatmulKernels#columnSum}: vectors of columns, rows in ascending order. */
    public static void columnSum(float[] out, float[] a, int[] dims, int offset, int count) {
        int m = dims[D_M];
        int n = dims[D_N];
        int aBase = dims[D_A];
        int outBase = dims[D_OUT];
        boolean accumulate = (dims[D_FLAGS] & F_ACCUMULATE) != 0;
        int j = offset;
        int end = offset + count;
        for (; j + 4 * LANES <= end; j += 4 * LANES) {
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            int at = aBase + j;
            for (int i = 0; i < m; i++, at += n) {
                s0 = s0.add(FloatVector.fromArray(F, a, at));
                s1 = s1.add(FloatVector.fromArray(F, a, at + LANES));
                s2 = s2.add(FloatVector.fromArray(F, a, at + 2 * LANES));
                s3 = s3.add(FloatVector.fromArray(F, a, at + 3 * LANES));
            }
            int o = outBase + j;
            if (accumulate) {
                s0 = FloatVector.fromArray(F, out, o).add(s0);
                s1 = FloatVector.fromArray(F, out, o + LANES).add(s1);
                s2 = FloatVector.fromArray(F, out, o + 2 * LANES).add(s2);
                s3 = FloatVector.fromArray(F, out, o + 3 * LANES).add(s3);
            }
            s0.intoArray(out, o);
            s1.intoArray(out, o + LANES);
            s2.intoArray(out, o + 2 * LANES);
            s3.intoArray(out, o + 3 * LANES);
        }
        if (j < end) {
            MatmulKernels.columnSum(out, a, dims, j, end - j);
        }
    }
}
