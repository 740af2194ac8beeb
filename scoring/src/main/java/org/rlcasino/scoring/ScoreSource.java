package org.rlcasino.scoring;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.arrow.ScoreFileReader;
import org.rlcasino.io.arrow.TensorTable;

/**
 * Scores delivered in batches that never cross a tensor boundary, tensors in table order and
 * each tensor from offset 0 up. Every call of {@link #forEachBatch} is one streaming pass; memory
 * is one batch buffer.
 */
public interface ScoreSource {

    /** Receives one batch: {@code values[0, n)} are the scores of elements {@code [offset, offset+n)} of {@code tensor}. */
    @FunctionalInterface
    interface BatchVisitor {
        void batch(int tensor, long offset, float[] values, int n) throws IOException;
    }

    TensorTable tensors();

    /** What the scores are, for messages: the file for {@link #ofFile}. */
    default String description() {
        return "scores";
    }

    /** One pass over all scores. */
    void forEachBatch(BatchVisitor visitor) throws IOException;

    /** Default batch capacity: 1 Mi floats (4 MiB). */
    int DEFAULT_CAPACITY = 1 << 20;

    /** Scores read from a {@code rlcasino.scores} file, re-opened for every pass. */
    static ScoreSource ofFile(Path file, BufferAllocator allocator, int capacity) throws IOException {
        TensorTable tensors;
        int chunk;
        try (ScoreFileReader r = ScoreFileReader.open(file, allocator)) {
            tensors = r.tensors();
            chunk = r.batching().chunkElements();
        }
        int cap = Math.max(capacity, chunk);
        return new ScoreSource() {
            @Override
            public TensorTable tensors() {
                return tensors;
            }

            @Override
            public String description() {
                return file.toString();
            }

            @Override
            public void forEachBatch(BatchVisitor visitor) throws IOException {
                float[] buffer = new float[cap];
                int tensor = -1;
                long start = 0;
                int n = 0;
                try (ScoreFileReader r = ScoreFileReader.open(file, allocator)) {
                    while (r.next()) {
                        int t = r.tensorIndex();
                        int len = r.length();
                        if (n > 0 && (t != tensor || n + len > cap)) {
                            visitor.batch(tensor, start, buffer, n);
                            n = 0;
                        }
                        if (n == 0) {
                            tensor = t;
                            start = r.offset();
                        }
                        r.readValues(buffer, n);
                        n += len;
                    }
                }
                if (n > 0) {
                    visitor.batch(tensor, start, buffer, n);
                }
            }
        };
    }

    /**
     * Uniform random scores for the random-mask baseline: element i of tensor t scores
     * {@link #randomScore}(seed, t, i), a positive float whose order among the elements is a
     * uniformly random permutation (up to 2^-30 collisions, broken by position).
     */
    static ScoreSource random(TensorTable tensors, long seed, int capacity) {
        return new ScoreSource() {
            @Override
            public TensorTable tensors() {
                return tensors;
            }

            @Override
            public void forEachBatch(BatchVisitor visitor) throws IOException {
                float[] buffer = new float[capacity];
                for (int t = 0; t < tensors.size(); t++) {
                    long size = tensors.get(t).size();
                    for (long off = 0; off < size; off += capacity) {
                        int n = (int) Math.min(capacity, size - off);
                        for (int i = 0; i < n; i++) {
                            buffer[i] = randomScore(seed, t, off + i);
                        }
                        visitor.batch(t, off, buffer, n);
                    }
                }
            }
        };
    }

    /** A positive, finite float from 30 hash bits of (seed, tensor, index). */
    static float randomScore(long seed, int tensor, long index) {
        long h = Hash.mix(seed, tensor, index);
        return Float.intBitsToFloat((int) (h >>> 34));
    }
}
