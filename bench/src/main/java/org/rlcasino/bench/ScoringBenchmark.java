package org.rlcasino.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import org.rlcasino.io.Progress;
import org.rlcasino.io.deltas.CheckpointSeries;
import org.rlcasino.io.deltas.DeltaExtractor;
import org.rlcasino.scoring.ScoringOptions;
import org.rlcasino.scoring.ScoringResult;
import org.rlcasino.scoring.StreamingScorer;

/**
 * Measures the streaming scorers ({@code casino score}) against this machine's sequential read
 * bandwidth through memory-mapped files, in one process, on the same delta file (in the page cache
 * after a warm-up read), with the peak resident memory of each scorer.
 */
public final class ScoringBenchmark {
    private ScoringBenchmark() {}

    /**
     * Figures of one scorer.
     *
     * @param method         scorer name
     * @param entries        parameters scored
     * @param stepsUsed      delta steps that entered the scores
     * @param bytesRead      float32 delta bytes consumed
     * @param seconds        wall time of reading, scoring and writing the score file
     * @param gbPerSecond    delta bytes read per second, GB/s
     * @param fractionOfMappedRead gbPerSecond over the mmap read bandwidth of the delta file
     * @param entriesPerSecond parameters scored per second
     * @param deltasPerSecond delta values consumed per second
     * @param stateBytes     the scorer's state (floats per parameter × 4 × entries)
     * @param peakRssBytes   peak RSS while scoring
     * @param peakAnonBytes  peak private resident memory while scoring
     * @param peakFileBytes  peak resident mapped-file pages while scoring
     */
    public record MethodResult(String method, long entries, int stepsUsed, long bytesRead, double seconds, double gbPerSecond,
                               double fractionOfMappedRead, double entriesPerSecond, double deltasPerSecond, long stateBytes,
                               long peakRssBytes, long peakAnonBytes, long peakFileBytes) {}

    /**
     * Figures of one run.
     *
     * @param deltasBytes    size of the delta file
     * @param deltasReused   whether the delta file was already there
     * @param extractSeconds time taken to extract it (0 when reused)
     * @param mappedReadGBps best of three sequential mmap reads of the delta file
     * @param baselineAnonBytes private resident memory before scoring
     * @param methods        one entry per scorer, in the order run
     */
    public record Result(long deltasBytes, boolean deltasReused, double extractSeconds, double mappedReadGBps,
                         long baselineAnonBytes, List<MethodResult> methods) {}

    /** Receives the figures of each scorer as soon as it is done. */
    public interface Listener {
        void mappedRead(double gbPerSecond, long bytes);

        void method(MethodResult result);
    }

    /**
     * Extracts the deltas of {@code checkpoints} into {@code deltas} unless a delta file newer than
     * every checkpoint is there, then measures mmap read bandwidth on it and runs each scorer once
     * (score files go to {@code scoresDir} and are deleted after).
     */
    public static Result run(List<Path> checkpoints, Path deltas, Path scoresDir, List<StreamingScorer> scorers,
                             Progress extractProgress, Progress progress, Listener listener)
            throws IOException {
        boolean reused = upToDate(deltas, checkpoints);
        double extractSeconds = 0;
        if (!reused) {
            long t0 = System.nanoTime();
            DeltaExtractor.extract(CheckpointSeries.of(checkpoints), deltas, DeltaExtractor.Options.defaults(), extractProgress);
            extractSeconds = (System.nanoTime() - t0) / 1e9;
        }
        List<Path> files = List.of(deltas);
        MappedReadBandwidth.measure(files); // warm the page cache
        double best = 0;
        for (int r = 0; r < 3; r++) {
            best = Math.max(best, MappedReadBandwidth.measure(files).gbPerSecond());
        }
        long deltasBytes = Files.size(deltas);
        listener.mappedRead(best, deltasBytes);
        System.gc();
        long baselineAnon = MemorySampler.read("RssAnon:")[0];
        List<MethodResult> results = new ArrayList<>();
        for (StreamingScorer scorer : scorers) {
            Path out = scoresDir.resolve("rlcasino-bench-scores-" + scorer.method() + ".arrow");
            System.gc();
            MemorySampler sampler = new MemorySampler(5);
            ScoringResult r;
            MemorySampler.Peaks peaks;
            try {
                r = scorer.score(deltas, out, ScoringOptions.ALL, progress);
            } finally {
                peaks = sampler.stop();
                Files.deleteIfExists(out);
            }
            double seconds = r.seconds();
            MethodResult m = new MethodResult(r.method(), r.entries(), r.sourceSteps().size(), r.bytesRead(), seconds,
                    r.gigabytesPerSecond(), r.gigabytesPerSecond() / best, r.entries() / seconds, r.bytesRead() / 4.0 / seconds,
                    scorer.stateFloatsPerParameter() * 4L * r.entries(), peaks.rssBytes(), peaks.anonBytes(), peaks.fileBytes());
            results.add(m);
            listener.method(m);
        }
        return new Result(deltasBytes, reused, extractSeconds, best, baselineAnon, List.copyOf(results));
    }

    private static boolean upToDate(Path deltas, List<Path> checkpoints) throws IOException {
        if (!Files.isRegularFile(deltas)) {
            return false;
        }
        FileTime made = Files.getLastModifiedTime(deltas);
        for (Path p : checkpoints) {
            if (Files.getLastModifiedTime(p).compareTo(made) > 0) {
                return false;
            }
        }
        return true;
    }
}
