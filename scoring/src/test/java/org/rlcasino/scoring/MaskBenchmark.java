package org.rlcasino.scoring;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.ScoreFileInfo;
import org.rlcasino.io.arrow.ScoreFileWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.tasks.JvmBackend;

/**
 * Exact global top-k throughput: {@code java -cp … org.rlcasino.scoring.MaskBenchmark DIR [MILLIONS] [SPARSITY]}.
 * Writes a synthetic score file of MILLIONS·10^6 scores (|N(0,1)| with 10 % exact ties), builds the
 * exact mask from it and prints scores/s and the peak heap. Not a test: no assertions on time.
 */
public final class MaskBenchmark {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long n = (long) (Double.parseDouble(args.length > 1 ? args[1] : "100") * 1e6);
        double rho = args.length > 2 ? Double.parseDouble(args[2]) : 0.975;
        int tensors = 64;
        long per = n / tensors;
        TensorInfo[] infos = new TensorInfo[tensors];
        for (int t = 0; t < tensors; t++) {
            infos[t] = TensorInfo.f32("layer" + t + ".weight", per);
        }
        TensorTable table = TensorTable.of(infos);
        Path scores = dir.resolve("bench-scores.arrow");
        Path mask = dir.resolve("bench-mask.arrow");
        try (BufferAllocator allocator = new RootAllocator()) {
            long t0 = System.nanoTime();
            try (ScoreFileWriter w = ScoreFileWriter.create(scores, table, new ScoreFileInfo("magnitude", Map.of(), List.of(1, 2)),
                    Map.of(), Batching.DEFAULTS, allocator)) {
                SplittableRandom r = new SplittableRandom(1);
                float[] buf = new float[1 << 16];
                for (int t = 0; t < tensors; t++) {
                    for (long off = 0; off < per; off += buf.length) {
                        int m = (int) Math.min(buf.length, per - off);
                        for (int i = 0; i < m; i++) {
                            buf[i] = r.nextInt(10) == 0 ? 0.5f : (float) Math.abs(r.nextGaussian());
                        }
                        w.writeChunk(t, off, buf, 0, m);
                    }
                }
                w.finish();
            }
            System.out.printf("wrote %,d scores (%.2f GB) in %.1f s%n", per * tensors, Files.size(scores) / 1e9, (System.nanoTime() - t0) / 1e9);
            for (int rep = 0; rep < 2; rep++) {
                try (JvmBackend backend = JvmBackend.withAvailableProcessors()) {
                    long t1 = System.nanoTime();
                    ScoreSource source = ScoreSource.ofFile(scores, allocator, ScoreSource.DEFAULT_CAPACITY);
                    MaskBuilder.Report rep0 = new MaskBuilder(source, backend, allocator, null).build(MaskOptions.exact(rho), mask, Map.of());
                    double s = (System.nanoTime() - t1) / 1e9;
                    long passes = 4; // 3 histogram passes + 1 write pass
                    System.out.printf("exact top-k (%s): kept %,d of %,d, %.2f s, %.1f M scores/s end to end, %.1f M scores/s per pass (%d passes)%n",
                            backend.name(), rep0.kept(), rep0.total(), s, rep0.total() / s / 1e6, passes * rep0.total() / s / 1e6, passes);
                }
            }
            long peak = 0;
            for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("peak heap (sum of pool peaks) %.1f MiB, max heap %.0f MiB%n", peak / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
            Files.deleteIfExists(scores);
            Files.deleteIfExists(mask);
        }
    }
}
