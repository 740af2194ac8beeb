package org.rlcasino.train.model;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.ProgramLaunch;

/**
 * Batched autoregressive generation with a KV cache, for any {@link LanguageModel}: each prompt is
 * run once, then one position per step per row, attending over the cached keys and values. A model
 * family supplies the program of one position ({@link #position(int)}); the loop, the stopping rules
 * and the sampling are here, once.
 *
 * <p>Rows are left-aligned: step p feeds every unfinished row its token at position p (a prompt
 * token while the row is still in its prompt, else its last sampled token), so rows of different
 * prompt lengths share every launch; a row starts sampling once its whole prompt has been fed.
 * A position computes what the model's full forward computes there (same operation order), so
 * greedy generation picks the argmax of the forward's logits.
 *
 * <p>Not thread-safe; uses the model's live parameters (generate after the optimizer step).
 */
public abstract class TokenGenerator implements AutoCloseable {
    private final int vocabSize;
    private final int maxLength;
    private final int maxBatch;
    private final boolean fixedShapes;
    private final Map<Integer, Position> prepared = new HashMap<>();

    /**
     * One position of {@code rows} rows: the rows' tokens and positions go in, their logits (rows·V)
     * come out when {@link #run()} returns; the KV caches stay with the position's program.
     */
    public record Position(int[] tokens, int[] positions, float[] logits, ProgramLaunch program, Backend backend) {
        void run() {
            program.run();
        }

        /** Frees the program on its backend. */
        void release() {
            backend.release(program);
        }
    }

    /**
     * @param maxLength   the longest prompt + continuation the caches hold
     * @param maxBatch    the most rows one {@link #generate} call takes
     * @param fixedShapes true on a backend that keeps one shape (every call then runs maxBatch rows;
     *                    the subclass calls {@link #prepareFixedShape()} at the end of its constructor)
     */
    protected TokenGenerator(int vocabSize, int maxLength, int maxBatch, boolean fixedShapes) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
        }
        this.vocabSize = vocabSize;
        this.maxLength = maxLength;
        this.maxBatch = maxBatch;
        this.fixedShapes = fixedShapes;
    }

    /** Builds the program of one position for {@code rows} rows (called once per row count). */
    protected abstract Position position(int rows);

    /** Prepares the one shape of a fixed-shape backend now, so that it compiles with the run's other programs. */
    protected final void prepareFixedShape() {
        if (fixedShapes) {
            prepared.computeIfAbsent(maxBatch, this::position);
        }
    }

    /** The most rows one {@link #generate} call takes. */
    public final int maxBatch() {
        return maxBatch;
    }

    /** The longest prompt + continuation. */
    public final int maxLength() {
        return maxLength;
    }

    /** Releases the generator's programs on the model's backend (the model stays usable). */
    @Override
    public void close() {
        prepared.values().forEach(Position::release);
        prepared.clear();
    }

    /**
     * Continues every prompt by up to {@code maxNew} tokens; a row stops after emitting
     * {@code stopToken} (included in its output; {@code -1}: never). Prompts may differ in length;
     * prompt plus output never exceeds {@link #maxLength()}. Sampling draws from {@code rng} in row
     * order, so the same rng state gives the same outputs for any thread count.
     *
     * @return the generated tokens of each row (without the prompt)
     * @throws IllegalArgumentException for empty or too long prompts, token ids outside the
     *                                  vocabulary, more rows than maxBatch, or a negative maxNew
     */
    public final int[][] generate(int[][] prompts, int maxNew, int stopToken, SamplingOptions options, RandomGenerator rng) {
        int maxT = maxLength;
        int v = vocabSize;
        if (prompts == null || prompts.length == 0 || prompts.length > maxBatch) {
            throw new IllegalArgumentException("prompts must hold 1 to maxBatch=" + maxBatch + " rows, got "
                    + (prompts == null ? "null" : prompts.length));
        }
        if (maxNew < 0) {
            throw new IllegalArgumentException("maxNew must be >= 0, got " + maxNew);
        }
        if (stopToken < -1 || stopToken >= v) {
            throw new IllegalArgumentException("stopToken must be -1 (none) or a token id in [0, " + v + "), got " + stopToken);
        }
        if (options == null) {
            throw new IllegalArgumentException("sampling options must not be null");
        }
        if (!options.greedy() && rng == null) {
            throw new IllegalArgumentException("sampling needs a random generator (rng is null)");
        }
        int rows = prompts.length;
        int[][] sequences = new int[rows][maxT];
        int[] lengths = new int[rows];
        int[] promptLengths = new int[rows];
        boolean[] active = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            int[] prompt = prompts[r];
            if (prompt == null || prompt.length == 0 || prompt.length > maxT) {
                throw new IllegalArgumentException("prompt " + r + " must hold 1 to maxLength=" + maxT + " tokens, got "
                        + (prompt == null ? "null" : prompt.length));
            }
            for (int i = 0; i < prompt.length; i++) {
                if (prompt[i] < 0 || prompt[i] >= v) {
                    throw new IllegalArgumentException("prompt " + r + " token " + i + " = " + prompt[i]
                            + " is outside the vocabulary [0, " + v + ")");
                }
            }
            System.arraycopy(prompt, 0, sequences[r], 0, prompt.length);
            lengths[r] = prompt.length;
            promptLengths[r] = prompt.length;
            active[r] = maxNew > 0 && prompt.length < maxT;
        }
        // on a backend that keeps one shape, rows past the prompts ride along like finished ones
        int decoderRows = fixedShapes ? maxBatch : rows;
        Position d = prepared.computeIfAbsent(decoderRows, this::position);
        int[] tokens = d.tokens();
        int[] positions = d.positions();
        for (int p = 0; anyActive(active); p++) {
            for (int r = 0; r < decoderRows; r++) {
                // finished rows ride along on a harmless token and position; their results are ignored
                boolean live = r < rows && active[r];
                tokens[r] = live ? sequences[r][p] : 0;
                positions[r] = live ? p : Math.min(p, maxT - 1);
            }
            d.run();
            float[] logits = d.logits();
            for (int r = 0; r < rows; r++) {
                if (!active[r] || p != lengths[r] - 1) {
                    continue;
                }
                int next = pick(logits, r * v, v, options, rng);
                sequences[r][lengths[r]++] = next;
                int produced = lengths[r] - promptLengths[r];
                if (next == stopToken || produced == maxNew || lengths[r] == maxT) {
                    active[r] = false;
                }
            }
        }
        int[][] out = new int[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(sequences[r], promptLengths[r], lengths[r]);
        }
        return out;
    }

    private static boolean anyActive(boolean[] active) {
        for (boolean a : active) {
            if (a) {
                return true;
            }
        }
        return false;
    }

    /**
     * The next token from {@code logits[from, from+v)}: the argmax (lowest id on ties) when greedy;
     * else one draw {@code u = rng.nextDouble()} from softmax(logits / temperature) restricted to the
     * top-k tokens (ties broken by lower id), inverted by a cumulative sum in token order.
     */
    static int pick(float[] logits, int from, int v, SamplingOptions options, RandomGenerator rng) {
        if (options.greedy()) {
            int best = 0;
            for (int j = 1; j < v; j++) {
                if (logits[from + j] > logits[from + best]) {
                    best = j;
                }
            }
            return best;
        }
        boolean[] keep = new boolean[v];
        int k = options.topK();
        if (k > 0 && k < v) {
            Integer[] order = new Integer[v];
            for (int j = 0; j < v; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> {
                int c = Float.compare(logits[from + b], logits[from + a]);
                return c != 0 ? c : Integer.compare(a, b);
            });
            for (int i = 0; i < k; i++) {
                keep[order[i]] = true;
            }
        } else {
            Arrays.fill(keep, true);
        }
        double t = options.temperature();
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            if (keep[j]) {
                max = Math.max(max, logits[from + j] / t);
            }
        }
        double[] weights = new double[v];
        double sum = 0;
        for (int j = 0; j < v; j++) {
            if (keep[j]) {
                weights[j] = Math.exp(logits[from + j] / t - max);
                sum += weights[j];
            }
        }
        double u = rng.nextDouble() * sum;
        double cumulative = 0;
        int last = 0;
        for (int j = 0; j < v; j++) {
            if (keep[j]) {
                cumulative += weights[j];
                last = j;
                if (u < cumulative) {
                    return j;
                }
            }
        }
        return last;
    }
}
