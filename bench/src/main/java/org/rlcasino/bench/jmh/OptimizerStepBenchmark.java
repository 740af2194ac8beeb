package org.rlcasino.bench.jmh;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rlcasino.bench.MaskShape;
import org.rlcasino.bench.SyntheticMasks;
import org.rlcasino.optimizer.AdamW;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.optimizer.BsrAdamW;
import org.rlcasino.optimizer.BsrAdamWOptions;
import org.rlcasino.optimizer.NonFinitePolicy;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.ParameterLayout;

/**
 * JMH benchmarks of one optimizer step: dense AdamW, and BSR-AdamW with the reference
 * {@code @Parallel} kernels and with the JVM Vector API fast path, for each mask shape and
 * sparsity. Run with {@code bin/casino jmh OptimizerStepBenchmark} (add {@code -p params=16000000}
 * etc. to change parameters). {@code casino bench optimizer} gives the same comparison interleaved
 * in one process with the byte model; this is the statistically careful view of each kernel alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class OptimizerStepBenchmark {
    @Param({"16000000"})
    public int params;

    @Param({"97.5"})
    public double sparsity;

    @Param({"block16x16", "row1x64", "random"})
    public String shape;

    @Param({"2"})
    public int threads;

    private JvmBackend backend;
    private float[] p;
    private float[] g;
    private AdamW dense;
    private BsrAdamW sparseReference;
    private BsrAdamW sparseFast;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new JvmBackend(threads, JvmBackend.DEFAULT_CHUNK_SIZE);
        ParameterLayout layout = SyntheticMasks.matrices(params, 4096);
        p = new float[layout.totalSize()];
        g = new float[layout.totalSize()];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (random.nextDouble() - 0.5) * 0.04f;
            g[i] = (float) (random.nextDouble() - 0.5) * 2e-3f;
        }
        MaskShape maskShape = MaskShape.parse(shape);
        Map<String, int[]> mask = SyntheticMasks.blocks(layout, maskShape.block(), 1 - sparsity / 100, 7);
        AdamWConfig config = AdamWConfig.defaults().withNonFinite(NonFinitePolicy.UNCHECKED);
        BsrAdamWOptions options = BsrAdamWOptions.DEFAULTS.withBlockShape(maskShape.block());
        dense = new AdamW(config, layout, backend);
        sparseReference = new BsrAdamW(config, layout, mask, options.withJvmFastPath(false), backend);
        sparseFast = new BsrAdamW(config, layout, mask, options, backend);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public void denseAdamW() {
        dense.step(p, g);
    }

    @Benchmark
    public void bsrAdamWReferenceKernel() {
        sparseReference.step(p, g);
    }

    @Benchmark
    public void bsrAdamWVectorFastPath() {
        sparseFast.step(p, g);
    }
}
