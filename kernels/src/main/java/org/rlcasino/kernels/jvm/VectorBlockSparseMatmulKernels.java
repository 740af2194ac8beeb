package org.rlcasino.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.rlcasino.kernels.BlockSparseMatmulKernels;

import static org.rlcasino.kernels.BlockSparseMatmulKernels.B_COLS;
import static org.rlcasino.kernels.BlockSparseMatmulKernels.B_COUNT;
import static org.rlcasino.kernels.BlockSparseMatmulKernels.B_FIRST;
import static org.rlcasino.kernels.BlockSparseMatmulKernels.B_ROWS;
import static org.rlcasino.kernels.MatmulKernels.D_A;
import static org.rlcasino.kernels.MatmulKernels.D_B;
import static org.rlcasino.kernels.MatmulKernels.D_FLAGS;
import static org.rlcasino.kernels.MatmulKernels.D_K;
import static org.rlcasino.kernels.MatmulKernels.D_M;
import static org.rlcasino.kernels.MatmulKernels.D_N;
import static org.rlcasino.kernels.MatmulKernels.D_OUT;
import static org.rlcasino.kernels.MatmulKernels.F_ACCUMULATE;

/**
 * JVM-only fast path of {@link BlockSparseMatmulKernels#blockSparseMatmulTN}, written with the
 * Vector API. Each element {@code out[k][j]} gets its own accumulator that starts at {@code 0f} and
 * receives {@code acc + x·y} for i = 0 … M-1 in order (a separate multiply and add, never a fused
 * multiply-add), so the result is bit-identical to the reference kernel for any range split and
 * thread count. Same signature as the reference, so it binds to a launch with
 * {@code KernelCall.jvmFastPath}; the TornadoVM backend never uses it.
 *
 * <p>Since {@code out[k][j] = Σ_i a[i][k]·b[i][j]} is symmetric in (a, k) and (b, j), a block is
 * computed in one of two orientations, chosen once per call from the block shape (whichever wastes
 * fewer padded lanes): vectorised over its columns j (b's row segments are contiguous; a's values
 * are broadcast), or over its rows k (a's row segments are contiguous; b's values are broadcast) —
 * the latter for tall narrow blocks such as 64×1 column stripes. The broadcast side's M segments
 * are copied into a zero-padded panel {@code [R-row tile][i][row]}; the vectorised side is read
 * straight from its operand by the first pass over it (touched {@link #AHEAD} steps ahead) and
 * copied into a panel {@code [vector][i][lane]} for the passes that follow. Panels are reused while
 * consecutive blocks need the same segments: blocks go row-major (as sorted: a block row's a-side is
 * copied once), or, for blocks wider than tall (1×64 row stripes, whose b-side is the larger copy),
 * a chunk's whole blocks go column by column. The micro-kernel is R broadcast rows × 1 vector
 * (R = 16 with 16-lane vectors, else 8; one load and R broadcasts per step); a tile with fewer
 * than 4 rows (a row stripe) runs one row × 4 vectors instead. A range that starts or ends inside a
 * block is the same code on a sub-rectangle (partial first row, whole rows, partial last row),
 * clipped to the matrix for edge blocks. Panels live in a per-thread scratch, so calls are
 * thread-safe.
 */
public final class VectorBlockSparseMatmulKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    /**
     * Broadcast rows per tile: 16 accumulators where vectors have 16 lanes (AVX-512, 32 registers),
     * else 8 (AVX2 has 16 registers).
     */
    private static final int R = LANES >= 16 ? 16 : 8;
    /** Vectors of the one-row micro-kernel. */
    private static final int WIDE = 4;
    /**
     * Steps ahead at which the micro-kernels touch the vector side (a scalar load of the first and
     * last float of each segment): Java has no prefetch, and without it the strided rows of b (one
     * 4 KiB page apart when N = 1024) arrive no faster than a plain copy loop reads them (~8 ns a row
     * from L3), on top of the arithmetic instead of under it. 8 steps is the measured optimum.
     */
    private static final int AHEAD = 8;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread panels and the accumulator tile. */
    private static final class Scratch {
        float[] vector = new float[0];
        float[] broadcast = new float[0];
        /** (block column, block index) pairs of a chunk, to visit its blocks column by column. */
        long[] order = new long[0];
        final float[] tile = new float[Math.max(R, WIDE) * LANES];
        /** XOR of the bits the micro-kernels touched ahead: kept so that the touching loads stay. */
        int touched;

        float[] vector(int need) {
            if (vector.length < need) {
                vector = new float[Math.max(need, vector.length * 2)];
            }
            return vector;
        }

        float[] broadcast(int need) {
            if (broadcast.length < need) {
                broadcast = new float[Math.max(need, broadcast.length * 2)];
            }
            return broadcast;
        }

        long[] order(int need) {
            if (order.length < need) {
                order = new long[Math.max(need, order.length * 2)];
            }
            return order;
        }
    }

    /**
     * One call's operands, and which operand segments the panels hold: a's for output rows
     * {@code [aLo, aHi)}, b's for output columns {@code [bLo, bHi)} (-1: none).
     */
    private static final class Job {
        final float[] out;
        final float[] a;
        final float[] b;
        final int m;
        final int kk;
        final int n;
        final int outBase;
        final int aBase;
        final int bBase;
        final boolean accumulate;
        /** Vectorise over a block's rows k (else over its columns j). */
        final boolean byRows;
        final Scratch scratch;
        int aLo = -1;
        int aHi = -1;
        int bLo = -1;
        int bHi = -1;

        Job(float[] out, float[] a, float[] b, int[] dims, boolean byRows, Scratch scratch) {
            this.out = out;
            this.a = a;
            this.b = b;
            this.m = dims[D_M];
            this.kk = dims[D_K];
            this.n = dims[D_N];
            this.outBase = dims[D_OUT];
            this.aBase = dims[D_A];
            this.bBase = dims[D_B];
            this.accumulate = (dims[D_FLAGS] & F_ACCUMULATE) != 0;
            this.byRows = byRows;
            this.scratch = scratch;
        }
    }

    private VectorBlockSparseMatmulKernels() {}

    /**
     * A {@code KernelCall} grain for {@code blocks}: whole blocks per JVM chunk, about an eighth of
     * them (several chunks per thread), at most 256 — a chunk reuses a packed operand across its
     * blocks of one block row (or column), so longer chunks save copies. Any grain gives the same
     * result.
     */
    public static int grain(int[] blocks) {
        long size = (long) blocks[B_ROWS] * blocks[B_COLS];
        int nb = blocks[B_COUNT];
        long perChunk = Math.max(1, Math.min(256, (nb + 7) / 8));
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, perChunk * size));
    }

    /** Same contract as {@link BlockSparseMatmulKernels#blockSparseMatmulTN}. */
    public static void blockSparseMatmulTN(float[] out, float[] a, float[] b, int[] blocks, int[] dims, int offset,
                                           int count) {
        if (count <= 0) {
            return;
        }
        int br = blocks[B_ROWS];
        int bc = blocks[B_COLS];
        int size = br * bc;
        Scratch scratch = SCRATCH.get();
        Job job = new Job(out, a, b, dims, waste(bc, br) < waste(br, bc), scratch);
        int end = offset + count;
        if (bc <= br) {
            // row-major, as the blocks are sorted: a block row's a-segments are packed once
            for (int e = offset; e < end; ) {
                int q = e / size;
                int start = q * size;
                int r1 = (int) Math.min(size, (long) end - start);
                block(job, blocks[B_FIRST + 2 * q] * br, blocks[B_FIRST + 2 * q + 1] * bc, bc, e - start, r1);
                e = start + r1;
            }
            return;
        }
        // wide blocks (1×64 row stripes): b's segments are the larger copy, so the chunk's whole blocks
        // go column by column and a block column's b-segments are packed once; the partial blocks at
        // either end of the range go first
        int first = (offset + size - 1) / size;
        int last = end / size;
        if (first > last) {
            block(job, blocks[B_FIRST + 2 * last] * br, blocks[B_FIRST + 2 * last + 1] * bc, bc,
                    offset - last * size, end - last * size);
            return;
        }
        if (offset < first * size) {
            int q = first - 1;
            block(job, blocks[B_FIRST + 2 * q] * br, blocks[B_FIRST + 2 * q + 1] * bc, bc, offset - q * size, size);
        }
        if (end > last * size) {
            block(job, blocks[B_FIRST + 2 * last] * br, blocks[B_FIRST + 2 * last + 1] * bc, bc, 0, end - last * size);
        }
        long[] order = scratch.order(last - first);
        for (int q = first; q < last; q++) {
            order[q - first] = (long) blocks[B_FIRST + 2 * q + 1] << 32 | q;
        }
        java.util.Arrays.sort(order, 0, last - first);
        for (int x = 0; x < last - first; x++) {
            int q = (int) order[x];
            block(job, blocks[B_FIRST + 2 * q] * br, blocks[B_FIRST + 2 * q + 1] * bc, bc, 0, size);
        }
    }

    /**
     * Vector operations per step for a block with {@code rows} broadcast rows and {@code width}
     * vectorised elements, padding included (a one-row pass counted twice: it is latency-bound).
     */
    private static long waste(int rows, int width) {
        long perVector = 0;
        for (int r0 = 0; r0 < rows; r0 += R) {
            int have = Math.min(R, rows - r0);
            perVector += have > 8 ? 16 : have >= 4 ? 8 : 2 * have;
        }
        return vectors(width) * perVector;
    }

    /**
     * Elements {@code [r0, r1)} (row-major, width bc) of the block whose top-left output element is
     * (k0, j0): a partial first row, whole rows, a partial last row.
     */
    private static void block(Job job, int k0, int j0, int bc, int r0, int r1) {
        int row0 = r0 / bc;
        int col0 = r0 - row0 * bc;
        int row1 = r1 / bc;
        int col1 = r1 - row1 * bc;
        if (row0 == row1) {
            rectangle(job, k0 + row0, k0 + row0 + 1, j0 + col0, j0 + col1);
            return;
        }
        if (col0 > 0) {
            rectangle(job, k0 + row0, k0 + row0 + 1, j0 + col0, j0 + bc);
            row0++;
        }
        if (row1 > row0) {
            rectangle(job, k0 + row0, k0 + row1, j0, j0 + bc);
        }
        if (col1 > 0) {
            rectangle(job, k0 + row1, k0 + row1 + 1, j0, j0 + col1);
        }
    }

    /** Output rows {@code [kLo, kHi)} × columns {@code [jLo, jHi)}, clipped to the (K × N) matrix. */
    private static void rectangle(Job job, int kLo, int kHi, int jLo, int jHi) {
        kHi = Math.min(kHi, job.kk);
        jHi = Math.min(jHi, job.n);
        if (kLo >= kHi || jLo >= jHi) {
            return;
        }
        Scratch s = job.scratch;
        int m = job.m;
        int h = kHi - kLo;
        int w = jHi - jLo;
        // a panel still holding the same segments (the previous rectangle's) is not copied again
        boolean aPacked = job.aLo == kLo && job.aHi == kHi;
        boolean bPacked = job.bLo == jLo && job.bHi == jHi;
        job.aLo = kLo;
        job.aHi = kHi;
        job.bLo = jLo;
        job.bHi = jHi;
        int o = job.outBase + kLo * job.n + jLo;
        if (job.byRows) {
            // vectorised over k: a's row segments [kLo, kHi) are the vector side, b's values broadcast
            s.vector(vectors(h) * m * LANES);
            s.broadcast(tileCount(w) * m * R);
            if (!bPacked) {
                packBroadcast(s.broadcast, job.b, job.bBase + jLo, job.n, m, w);
            }
            tiles(job, h, w, o, 1, job.n, aPacked ? null : job.a, job.aBase + kLo, job.kk);
        } else {
            // vectorised over j: b's row segments [jLo, jHi) are the vector side, a's values broadcast
            s.vector(vectors(w) * m * LANES);
            s.broadcast(tileCount(h) * m * R);
            if (!aPacked) {
                packBroadcast(s.broadcast, job.a, job.aBase + kLo, job.kk, m, h);
            }
            tiles(job, w, h, o, job.n, 1, bPacked ? null : job.b, job.bBase + jLo, job.n);
        }
    }

    private static int vectors(int width) {
        return (width + LANES - 1) / LANES;
    }

    private static int tileCount(int rows) {
        return (rows + R - 1) / R;
    }

    /**
     * {@code panel[(v·m + i)·LANES + c] = src[base + i·stride + v·LANES + c]} for vectors
     * {@code [v0, vectors(width))} and v·LANES + c < width, zero beyond.
     */
    private static void packVector(float[] panel, float[] src, int base, int stride, int m, int width, int v0) {
        int vectors = vectors(width);
        int full = width / LANES;
        for (int i = 0; i < m; i++) {
            int from = base + i * stride;
            for (int v = v0; v < full; v++) {
                FloatVector.fromArray(F, src, from + v * LANES).intoArray(panel, (v * m + i) * LANES);
            }
            if (full < vectors && full >= v0) {
                int dst = (full * m + i) * LANES;
                int rest = width - full * LANES;
                for (int c = 0; c < rest; c++) {
                    panel[dst + c] = src[from + full * LANES + c];
                }
                for (int c = rest; c < LANES; c++) {
                    panel[dst + c] = 0f;
                }
            }
        }
    }

    /** {@code panel[(t·m + i)·R + r] = src[base + i·stride + t·R + r]} for t·R + r < rows, zero beyond. */
    private static void packBroadcast(float[] panel, float[] src, int base, int stride, int m, int rows) {
        int tiles = tileCount(rows);
        int full = rows / R;
        for (int i = 0; i < m; i++) {
            int from = base + i * stride;
            for (int t = 0; t < full; t++) {
                int dst = (t * m + i) * R;
                // R is a multiple of LANES (8 or 16 rows, 4, 8 or 16 lanes); one species only: a second
                // one would pollute the type profiles of FloatVector's shared methods and de-intrinsify
                // the loads and stores of the other
                for (int r = 0; r < R; r += LANES) {
                    FloatVector.fromArray(F, src, from + t * R + r).intoArray(panel, dst + r);
                }
            }
            if (full < tiles) {
                int dst = (full * m + i) * R;
                int have = rows - full * R;
                for (int r = 0; r < have; r++) {
                    panel[dst + r] = src[from + full * R + r];
                }
                for (int r = have; r < R; r++) {
                    panel[dst + r] = 0f;
                }
            }
        }
    }

    /**
     * Runs the micro-kernels: {@code width} vectorised elements × {@code rows} broadcast rows, the
     * broadcast side packed in {@code scratch.broadcast}; element (row r, lane c) goes to
     * {@code out[o + r·rowStep + c·laneStep]}. The vector side is the panel {@code scratch.vector}
     * when {@code src} is null; else it is read from {@code src[base + i·stride + …]}: its whole
     * vectors directly by the first pass, which copies them into the panel for the later passes (and
     * for the next rectangle, should it need the same segments), so that the strided reads overlap
     * arithmetic; a partial last vector is packed first. The micro-kernels always write back what they read (a
     * panel read writes the same values in place): a branch-free loop whose profile one block shape
     * cannot spoil for another.
     */
    private static void tiles(Job job, int width, int rows, int o, int rowStep, int laneStep, float[] src, int base,
                              int stride) {
        Scratch s = job.scratch;
        int m = job.m;
        int vectors = vectors(width);
        int full = src == null ? 0 : width / LANES;
        if (src != null) {
            packVector(s.vector, src, base, stride, m, width, full);
        }
        float[] tile = s.tile;
        float[] panel = s.vector;
        for (int t = 0, r0 = 0; r0 < rows; t++, r0 += R) {
            int have = Math.min(R, rows - r0);
            int bAt = t * m * R;
            if (have >= 4) {
                boolean sixteen = R == 16 && have > 8;
                for (int v = 0; v < vectors; v++) {
                    int at = v * m * LANES;
                    float[] y = v < full ? src : panel;
                    int yAt = v < full ? base + v * LANES : at;
                    int yStride = v < full ? stride : LANES;
                    if (sixteen) {
                        s.touched ^= tile16(tile, y, yAt, yStride, panel, at, s.broadcast, bAt, m);
                    } else {
                        s.touched ^= tile8(tile, y, yAt, yStride, panel, at, s.broadcast, bAt, m);
                    }
                    store(job, tile, LANES, have, Math.min(LANES, width - v * LANES),
                            o + r0 * rowStep + v * LANES * laneStep, rowStep, laneStep);
                }
                full = 0;
                continue;
            }
            for (int r = 0; r < have; r++) {
                int v = 0;
                for (; v + WIDE <= vectors; v += WIDE) {
                    if (v + WIDE <= full) {
                        s.touched ^= tileRow4(tile, src, base + v * LANES, stride, LANES, panel, v * m * LANES,
                                m * LANES, s.broadcast, bAt + r, m);
                    } else {
                        if (v < full) {
                            packVector(panel, src, base, stride, m, Math.min(width, (v + WIDE) * LANES), v);
                        }
                        s.touched ^= tileRow4(tile, panel, v * m * LANES, LANES, m * LANES, panel, v * m * LANES,
                                m * LANES, s.broadcast, bAt + r, m);
                    }
                    store(job, tile, 0, 1, Math.min(WIDE * LANES, width - v * LANES),
                            o + (r0 + r) * rowStep + v * LANES * laneStep, rowStep, laneStep);
                }
                for (; v < vectors; v++) {
                    int at = v * m * LANES;
                    if (v < full) {
                        s.touched ^= tileRow1(tile, src, base + v * LANES, stride, panel, at, s.broadcast, bAt + r,
                                m);
                    } else {
                        s.touched ^= tileRow1(tile, panel, at, LANES, panel, at, s.broadcast, bAt + r, m);
                    }
                    store(job, tile, 0, 1, Math.min(LANES, width - v * LANES),
                            o + (r0 + r) * rowStep + v * LANES * laneStep, rowStep, laneStep);
                }
                full = 0;
            }
        }
    }

    /** 16 rows × 1 vector: as {@link #tile8} for broadcast rows 0 … 15 (only where R = 16). */
    private static int tile16(float[] tile, float[] y, int yAt, int yStride, float[] copy, int copyAt,
                              float[] broadcast, int bAt, int m) {
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = FloatVector.zero(F);
        FloatVector c2 = FloatVector.zero(F);
        FloatVector c3 = FloatVector.zero(F);
        FloatVector c4 = FloatVector.zero(F);
        FloatVector c5 = FloatVector.zero(F);
        FloatVector c6 = FloatVector.zero(F);
        FloatVector c7 = FloatVector.zero(F);
        FloatVector c8 = FloatVector.zero(F);
        FloatVector c9 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c12 = FloatVector.zero(F);
        FloatVector c13 = FloatVector.zero(F);
        FloatVector c14 = FloatVector.zero(F);
        FloatVector c15 = FloatVector.zero(F);
        int touch = 0;
        int last = yAt + (m - 1) * yStride;
        for (int i = 0; i < m; i++) {
            int ahead = Math.min(yAt + (i + AHEAD) * yStride, last);
            touch ^= Float.floatToRawIntBits(y[ahead]) ^ Float.floatToRawIntBits(y[ahead + LANES - 1]);
            FloatVector v = FloatVector.fromArray(F, y, yAt + i * yStride);
            v.intoArray(copy, copyAt + i * LANES);
            int p = bAt + i * R;
            c0 = c0.add(FloatVector.broadcast(F, broadcast[p]).mul(v));
            c1 = c1.add(FloatVector.broadcast(F, broadcast[p + 1]).mul(v));
            c2 = c2.add(FloatVector.broadcast(F, broadcast[p + 2]).mul(v));
            c3 = c3.add(FloatVector.broadcast(F, broadcast[p + 3]).mul(v));
            c4 = c4.add(FloatVector.broadcast(F, broadcast[p + 4]).mul(v));
            c5 = c5.add(FloatVector.broadcast(F, broadcast[p + 5]).mul(v));
            c6 = c6.add(FloatVector.broadcast(F, broadcast[p + 6]).mul(v));
            c7 = c7.add(FloatVector.broadcast(F, broadcast[p + 7]).mul(v));
            c8 = c8.add(FloatVector.broadcast(F, broadcast[p + 8]).mul(v));
            c9 = c9.add(FloatVector.broadcast(F, broadcast[p + 9]).mul(v));
            c10 = c10.add(FloatVector.broadcast(F, broadcast[p + 10]).mul(v));
            c11 = c11.add(FloatVector.broadcast(F, broadcast[p + 11]).mul(v));
            c12 = c12.add(FloatVector.broadcast(F, broadcast[p + 12]).mul(v));
            c13 = c13.add(FloatVector.broadcast(F, broadcast[p + 13]).mul(v));
            c14 = c14.add(FloatVector.broadcast(F, broadcast[p + 14]).mul(v));
            c15 = c15.add(FloatVector.broadcast(F, broadcast[p + 15]).mul(v));
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
        c4.intoArray(tile, 4 * LANES);
        c5.intoArray(tile, 5 * LANES);
        c6.intoArray(tile, 6 * LANES);
        c7.intoArray(tile, 7 * LANES);
        c8.intoArray(tile, 8 * LANES);
        c9.intoArray(tile, 9 * LANES);
        c10.intoArray(tile, 10 * LANES);
        c11.intoArray(tile, 11 * LANES);
        c12.intoArray(tile, 12 * LANES);
        c13.intoArray(tile, 13 * LANES);
        c14.intoArray(tile, 14 * LANES);
        c15.intoArray(tile, 15 * LANES);
        return touch;
    }

    /**
     * 8 rows × 1 vector: {@code tile[r·LANES + c] = Σ_i x[i][r]·y[i][c]} with
     * {@code x[i][r] = broadcast[bAt + i·R + r]} and {@code y[i][c] = y[yAt + i·yStride + c]}, i
     * ascending; each y vector is also written to {@code copy[copyAt + i·LANES]}.
     */
    private static int tile8(float[] tile, float[] y, int yAt, int yStride, float[] copy, int copyAt,
                              float[] broadcast, int bAt, int m) {
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = FloatVector.zero(F);
        FloatVector c2 = FloatVector.zero(F);
        FloatVector c3 = FloatVector.zero(F);
        FloatVector c4 = FloatVector.zero(F);
        FloatVector c5 = FloatVector.zero(F);
        FloatVector c6 = FloatVector.zero(F);
        FloatVector c7 = FloatVector.zero(F);
        int touch = 0;
        int last = yAt + (m - 1) * yStride;
        for (int i = 0; i < m; i++) {
            int ahead = Math.min(yAt + (i + AHEAD) * yStride, last);
            touch ^= Float.floatToRawIntBits(y[ahead]) ^ Float.floatToRawIntBits(y[ahead + LANES - 1]);
            FloatVector v = FloatVector.fromArray(F, y, yAt + i * yStride);
            v.intoArray(copy, copyAt + i * LANES);
            int p = bAt + i * R;
            c0 = c0.add(FloatVector.broadcast(F, broadcast[p]).mul(v));
            c1 = c1.add(FloatVector.broadcast(F, broadcast[p + 1]).mul(v));
            c2 = c2.add(FloatVector.broadcast(F, broadcast[p + 2]).mul(v));
            c3 = c3.add(FloatVector.broadcast(F, broadcast[p + 3]).mul(v));
            c4 = c4.add(FloatVector.broadcast(F, broadcast[p + 4]).mul(v));
            c5 = c5.add(FloatVector.broadcast(F, broadcast[p + 5]).mul(v));
            c6 = c6.add(FloatVector.broadcast(F, broadcast[p + 6]).mul(v));
            c7 = c7.add(FloatVector.broadcast(F, broadcast[p + 7]).mul(v));
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
        c4.intoArray(tile, 4 * LANES);
        c5.intoArray(tile, 5 * LANES);
        c6.intoArray(tile, 6 * LANES);
        c7.intoArray(tile, 7 * LANES);
        return touch;
    }

    /**
     * 1 row × 4 vectors: {@code tile[v·LANES + c] = Σ_i broadcast[bAt + i·R]·y[yAt + v·yStep + i·yStride + c]};
     * vector v of step i is also written to {@code copy[copyAt + v·copyStep + i·LANES]}.
     */
    private static int tileRow4(float[] tile, float[] y, int yAt, int yStride, int yStep, float[] copy, int copyAt,
                                 int copyStep, float[] broadcast, int bAt, int m) {
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = FloatVector.zero(F);
        FloatVector c2 = FloatVector.zero(F);
        FloatVector c3 = FloatVector.zero(F);
        int touch = 0;
        int last = yAt + (m - 1) * yStride;
        for (int i = 0; i < m; i++) {
            int ahead = Math.min(yAt + (i + AHEAD) * yStride, last);
            touch ^= Float.floatToRawIntBits(y[ahead]) ^ Float.floatToRawIntBits(y[ahead + yStep])
                    ^ Float.floatToRawIntBits(y[ahead + 2 * yStep]) ^ Float.floatToRawIntBits(y[ahead + 3 * yStep])
                    ^ Float.floatToRawIntBits(y[ahead + 3 * yStep + LANES - 1]);
            FloatVector x = FloatVector.broadcast(F, broadcast[bAt + i * R]);
            int p = yAt + i * yStride;
            FloatVector y0 = FloatVector.fromArray(F, y, p);
            FloatVector y1 = FloatVector.fromArray(F, y, p + yStep);
            FloatVector y2 = FloatVector.fromArray(F, y, p + 2 * yStep);
            FloatVector y3 = FloatVector.fromArray(F, y, p + 3 * yStep);
            int q = copyAt + i * LANES;
            y0.intoArray(copy, q);
            y1.intoArray(copy, q + copyStep);
            y2.intoArray(copy, q + 2 * copyStep);
            y3.intoArray(copy, q + 3 * copyStep);
            c0 = c0.add(x.mul(y0));
            c1 = c1.add(x.mul(y1));
            c2 = c2.add(x.mul(y2));
            c3 = c3.add(x.mul(y3));
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
        return touch;
    }

    /** 1 row × 1 vector: {@code tile[c] = Σ_i broadcast[bAt + i·R]·y[yAt + i·yStride + c]}, copied as in tile8. */
    private static int tileRow1(float[] tile, float[] y, int yAt, int yStride, float[] copy, int copyAt,
                                 float[] broadcast, int bAt, int m) {
        FloatVector c0 = FloatVector.zero(F);
        int touch = 0;
        int last = yAt + (m - 1) * yStride;
        for (int i = 0; i < m; i++) {
            int ahead = Math.min(yAt + (i + AHEAD) * yStride, last);
            touch ^= Float.floatToRawIntBits(y[ahead]) ^ Float.floatToRawIntBits(y[ahead + LANES - 1]);
            FloatVector v = FloatVector.fromArray(F, y, yAt + i * yStride);
            v.intoArray(copy, copyAt + i * LANES);
            c0 = c0.add(FloatVector.broadcast(F, broadcast[bAt + i * R]).mul(v));
        }
        c0.intoArray(tile, 0);
        return touch;
    }

    /**
     * Writes {@code rows × lanes} accumulators {@code tile[r·tileRowStride + c]} to
     * {@code out[o + r·rowStep + c·laneStep]}: overwrite, or add to the old value with F_ACCUMULATE,
     * as the reference kernel does.
     */
    private static void store(Job job, float[] tile, int tileRowStride, int rows, int lanes, int o, int rowStep,
                              int laneStep) {
        float[] out = job.out;
        for (int r = 0; r < rows; r++) {
            int dst = o + r * rowStep;
            int src = r * tileRowStride;
            if (job.accumulate) {
                for (int c = 0; c < lanes; c++) {
                    out[dst + c * laneStep] = out[dst + c * laneStep] + tile[src + c];
                }
            } else {
                for (int c = 0; c < lanes; c++) {
                    out[dst + c * laneStep] = tile[src + c];
                }
            }
        }
    }
}
