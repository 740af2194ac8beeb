package org.rlcasino.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.Metadata;
import org.rlcasino.io.arrow.ScoreFileInfo;
import org.rlcasino.io.arrow.ScoreFileReader;
import org.rlcasino.io.arrow.ScoreFileWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.scoring.MaskBuilder;
import org.rlcasino.scoring.MaskOptions;
import org.rlcasino.scoring.ScoreSource;
import org.rlcasino.kernels.Backend;

/**
 * Exact global top-k ({@code casino mask --builder exact}) over a synthetic score file streamed from
 * disk, with its throughput and peak memory. The scores are a pure function of (seed, index):
 * 9 in 10 are uniform on [0, 1) with 24 bits (so large files hold many ties), 1 in 10 is exactly
 * 0.975 (a block of ties that, at the default 97.5 % sparsity, straddles the cut). Layout:
 * tensors {@code layers.<i>.weight} of 1024 × 4096, the remainder in a last 1-D tensor.
 */
public final class MaskBenchmark {
    /** Method name recorded in the synthetic score file. */
    public static final String SYNTHETIC = "synthetic";
    /** Rows and columns of each synthetic tensor. */
    public static final int ROWS = 1024;
    public static final int COLUMNS = 4096;
    /** The tied score value. */
    public static final float TIE = 0.975f;

    private MaskBenchmark() {}

    /**
     * Figures of one run.
     *
     * @param scores          scores in the file (N)
     * @param tensors         tensors in the file
     * @param scoreFileBytes  size of the score file
     * @param reused          whether the score file was already there
     * @param generateSeconds time taken to write it (0 when reused)
     * @param sparsity        target sparsity ρ
     * @param expectedKept    k = ⌊(1−ρ)·N⌋
     * @param kept            entries the builder kept
     * @param threshold       the score cut
     * @param seconds         wall time of the builder (all passes and the mask file)
     * @param scoresPerSecond N / seconds
     * @param maskBytes       size of the mask file written
     * @param peakRssBytes    peak RSS while building
     * @param peakAnonBytes   peak private resident memory while building
     * @param peakFileBytes   peak resident mapped-file pages while building
     * @param baselineAnonBytes private resident memory before building
     * @param peakHeapBytes   sum of the heap pools' peaks over the whole process
     * @param maxHeapBytes    the JVM's maximum heap
     * @param backend         backend name
     */
    public record Result(long scores, int tensors, long scoreFileBytes, boolean reused, double generateSeconds, double sparsity,
                         long expectedKept, long kept, double threshold, double seconds, double scoresPerSecond, long maskBytes,
                         long peakRssBytes, long peakAnonBytes, long peakFileBytes, long baselineAnonBytes, long peakHeapBytes,
                         long maxHeapBytes, String backend) {
        /** Whether the builder kept exactly k entries. */
        public boolean exact() {
            return kept == expectedKept;
        }
    }

    /** The tensors of a synthetic file of {@code n} scores. */
    public static TensorTable tensors(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("the number of scores must be >= 1, got " + n);
        }
        long per = (long) ROWS * COLUMNS;
        long full = n / per;
        long rest = n % per;
        if (full > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("too many scores: " + n);
        }
        List<TensorInfo> infos = new ArrayList<>();
        for (int t = 0; t < full; t++) {
            infos.add(TensorInfo.f32("layers." + t + ".weight", ROWS, COLUMNS));
        }
        if (rest > 0) {
            infos.add(TensorInfo.f32("layers." + full + ".rest", rest));
        }
        return TensorTable.of(infos.toArray(TensorInfo[]::new));
    }

    /** Score {@code i} (global index over all tensors). */
    public static float score(long seed, long i) {
        long h = mix(seed * 0x9E3779B97F4A7C15L + i);
        if (Long.remainderUnsigned(h, 10) == 0) {
            return TIE;
        }
        return (h >>> 40) * 0x1.0p-24f;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Writes {@code n} synthetic scores to {@code file} unless a synthetic file of the same n and seed is there. Returns whether it reused. */
    public static boolean generate(Path file, long n, long seed, Progress progress) throws IOException {
        TensorTable table = tensors(n);
        Map<String, String> parameters = Metadata.of("n", Long.toString(n), "seed", Long.toString(seed));
        try (BufferAllocator allocator = new RootAllocator()) {
            if (Files.isRegularFile(file)) {
                try (ScoreFileReader r = ScoreFileReader.open(file, allocator)) {
                    if (r.info().method().equals(SYNTHETIC) && r.info().parameters().equals(parameters)) {
                        return true;
                    }
                } catch (IOException | RuntimeException e) {
                    // not a usable synthetic file: regenerate
                }
            }
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            progress.begin("generate", n);
            try (ScoreFileWriter w = ScoreFileWriter.create(file, table, new ScoreFileInfo(SYNTHETIC, parameters, List.of()),
                    Map.of("rlcasino.synthetic", "seed=" + seed), Batching.DEFAULTS, allocator)) {
                float[] buf = new float[1 << 16];
                long index = 0;
                for (int t = 0; t < table.size(); t++) {
                    long size = table.get(t).size();
                    for (long off = 0; off < size; off += buf.length) {
                        int m = (int) Math.min(buf.length, size - off);
                        for (int i = 0; i < m; i++) {
                            buf[i] = score(seed, index + i);
                        }
                        w.writeChunk(t, off, buf, 0, m);
                        index += m;
                        progress.advance(m);
                    }
                }
                w.finish();
            }
            progress.end();
            return false;
        }
    }

    /**
     * Generates (or reuses) {@code scoresFile} with {@code n} scores, then builds the exact global
     * top-k mask at {@code sparsity} (a fraction) into {@code maskFile} on {@code backend}.
     */
    public static Result run(Path scoresFile, Path maskFile, long n, long seed, double sparsity, Backend backend,
                             Progress progress) throws IOException {
        long t0 = System.nanoTime();
        boolean reused = generate(scoresFile, n, seed, progress);
        double generateSeconds = reused ? 0 : (System.nanoTime() - t0) / 1e9;
        long expected = MaskBuilder.keepCount(sparsity, n);
        MappedReadBandwidth.measure(List.of(scoresFile)); // the same page-cache state for every run: as warm as memory allows
        System.gc();
        resetHeapPeaks();
        long baselineAnon = MemorySampler.read("RssAnon:")[0];
        MaskBuilder.Report report;
        MemorySampler.Peaks peaks;
        double seconds;
        try (BufferAllocator allocator = new RootAllocator()) {
            ScoreSource source = ScoreSource.ofFile(scoresFile, allocator, ScoreSource.DEFAULT_CAPACITY);
            MemorySampler sampler = new MemorySampler(5);
            long t1 = System.nanoTime();
            try {
                report = new MaskBuilder(source, backend, allocator, progress)
                        .build(MaskOptions.exact(sparsity), maskFile, Map.of("scores", scoresFile.getFileName().toString()));
            } finally {
                seconds = (System.nanoTime() - t1) / 1e9;
                peaks = sampler.stop();
            }
        }
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        return new Result(n, tensors(n).size(), Files.size(scoresFile), reused, generateSeconds, sparsity, expected, report.kept(),
                report.threshold().orElse(Double.NaN), seconds, n / seconds, Files.size(maskFile), peaks.rssBytes(),
                peaks.anonBytes(), peaks.fileBytes(), baselineAnon, peakHeap, Runtime.getRuntime().maxMemory(), backend.name());
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }
}
