package org.rlcasino.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.kernels.BlockSparseMatmulKernels;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.jvm.VectorBlockSparseMatmulKernels;
import org.rlcasino.kernels.jvm.VectorMatmulKernels;

/**
 * One weight gradient {@code dW (K×N) = Xᵀ·dY} (M rows), single-threaded JVM fast paths: the dense
 * {@code VectorMatmulKernels.matmulTN} and the block-sparse {@code VectorBlockSparseMatmulKernels}
 * over a random set of active blocks at the given density. Run with
 * {@code bin/casino jmh BlockSparseMatmulBenchmark}; useful GFLOP/s = 2·M·(active entries) / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class BlockSparseMatmulBenchmark {
    @Param({"1024"})
    public int m;

    @Param({"256"})
    public int k;

    @Param({"1024"})
    public int n;

    /** Block shape RxC. */
    @Param({"16x16", "32x32", "1x64"})
    public String block;

    /** Share of the blocks that are active. */
    @Param({"0.025", "0.1"})
    public double density;

    private float[] out;
    private float[] a;
    private float[] b;
    private float[] noBias;
    private int[] dims;
    private int[] blocks;

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(7);
        a = new float[m * k];
        b = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        out = new float[k * n];
        noBias = new float[1];
        dims = MatmulKernels.dims(m, k, n, 0, 0, 0, 0, 0);
        int br = BlockShape.parse(block).rows();
        int bc = BlockShape.parse(block).columns();
        int gridRows = (k + br - 1) / br;
        int gridColumns = (n + bc - 1) / bc;
        java.util.List<Integer> chosen = new java.util.ArrayList<>();
        for (int q = 0; q < gridRows * gridColumns; q++) {
            if (r.nextDouble() < density) {
                chosen.add(q);
            }
        }
        int[] rows = new int[chosen.size()];
        int[] columns = new int[chosen.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = chosen.get(i) / gridColumns;
            columns[i] = chosen.get(i) % gridColumns;
        }
        blocks = BlockSparseMatmulKernels.blocks(k, n, br, bc, rows, columns);
    }

    @Benchmark
    public float[] dense() {
        VectorMatmulKernels.matmulTN(out, a, b, noBias, dims, 0, k * n);
        return out;
    }

    @Benchmark
    public float[] blockSparse() {
        VectorBlockSparseMatmulKernels.blockSparseMatmulTN(out, a, b, blocks, dims, 0,
                BlockSparseMatmulKernels.iterations(blocks));
        return out;
    }
}
