package org.rlcasino.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.rlcasino.io.Progress;
import org.rlcasino.io.deltas.CheckpointSeries;
import org.rlcasino.io.deltas.DeltaExtractor;

/**
 * Measures {@code casino deltas} against this machine's sequential read bandwidth through
 * memory-mapped files, in one process, on the same checkpoint files (in the page cache after a
 * warm-up read), with the peak resident memory of the extraction.
 */
public final class DeltaBenchmark {
    private DeltaBenchmark() {}

    /**
     * Figures of one run.
     *
     * @param seriesBytes     bytes of all checkpoints
     * @param bytesRead       checkpoint bytes the extraction read (inner checkpoints twice)
     * @param mappedReadGBps  best of three sequential mmap reads of the series
     * @param deltasSeconds   wall time of the extraction
     * @param outputBytes     size of the delta file
     * @param peakAnonBytes   peak private resident memory (heap and Arrow buffers) during extraction
     * @param peakFileBytes   peak resident mapped-file pages during extraction
     * @param peakRssBytes    peak total RSS during extraction
     * @param heapBoundBytes  the stated bound of the extraction's buffers: the delta buffer + one record batch (counted twice) + the write-behind blocks
     */
    public record Result(long seriesBytes, int checkpoints, long bytesRead, double mappedReadGBps, double deltasSeconds,
                         long outputBytes, long peakAnonBytes, long peakFileBytes, long peakRssBytes, long heapBoundBytes,
                         long baselineAnonBytes) {
        /** Checkpoint bytes read per second by the extraction. */
        public double deltasReadGBps() {
            return bytesRead / deltasSeconds / 1e9;
        }

        /** Extraction read rate as a fraction of the mmap read bandwidth. */
        public double fractionOfMappedRead() {
            return deltasReadGBps() / mappedReadGBps;
        }
    }

    /** Extracts the deltas of {@code checkpoints} into {@code out}, measuring as described. */
    public static Result run(List<Path> checkpoints, Path out, DeltaExtractor.Options options,
                             Progress progress) throws IOException {
        long seriesBytes = 0;
        for (Path p : checkpoints) {
            seriesBytes += Files.size(p);
        }
        MappedReadBandwidth.measure(checkpoints); // warm the page cache
        double best = 0;
        for (int r = 0; r < 3; r++) {
            best = Math.max(best, MappedReadBandwidth.measure(checkpoints).gbPerSecond());
        }
        System.gc();
        long baselineAnon = MemorySampler.read("RssAnon:")[0];
        MemorySampler sampler = new MemorySampler(5);
        long t0 = System.nanoTime();
        DeltaExtractor.Result result = DeltaExtractor.extract(CheckpointSeries.of(checkpoints), out, options, progress);
        double seconds = (System.nanoTime() - t0) / 1e9;
        MemorySampler.Peaks peaks = sampler.stop();
        long heapBound = 4L * options.readElements() + 4L * options.batching().batchElements() * 2
                + org.rlcasino.io.arrow.DeltaStreamWriter.WRITE_BEHIND_BYTES;
        return new Result(seriesBytes, checkpoints.size(), result.bytesRead(), best, seconds, Files.size(out),
                peaks.anonBytes(), peaks.fileBytes(), peaks.rssBytes(), heapBound, baselineAnon);
    }
}
