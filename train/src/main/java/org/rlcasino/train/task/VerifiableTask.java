package org.rlcasino.train.task;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.random.RandomGenerator;

import org.rlcasino.train.rng.SplitMix64;

/**
 * A synthetic task whose answers are checked exactly. Problems are numbered {@code [0, size())};
 * the held-out split is {@code heldOut} distinct numbers drawn with {@code splitSeed}, and training
 * problems are drawn from the rest, so the splits are disjoint and depend only on the seed.
 * <ul>
 *   <li>{@code addition}: {@code "a+b="} → decimal {@code a+b}, operands with exactly {@code digits} digits
 *       (uniform in {@code [10^(digits−1), 10^digits)}; {@code [0, 10)} for one digit), so every prompt has the same length</li>
 *   <li>{@code reverse}: {@code "r<d digits>="} → the digits reversed</li>
 *   <li>{@code sort}: {@code "s<d digits>="} → the digits in ascending order</li>
 * </ul>
 * A completion is correct when it is exactly the answer followed by the end token. The reward is
 * {@link Reward#EXACT} (1 when correct, else 0) or {@link Reward#PARTIAL} (partial credit: the
 * fraction of the answer's tokens and the end token the completion has at their positions, so
 * rewards and exact-match accuracy differ).
 */
public final class VerifiableTask implements RlTask {
    /** How a completion is rewarded. */
    public enum Reward {
        /** 1 for a correct completion, else 0. */
        EXACT,
        /** The fraction of target positions (answer tokens, then the end token) the completion matches. */
        PARTIAL;

        /** Parses {@code exact} or {@code partial}. */
        public static Reward parse(String text) {
            return switch (text == null ? "" : text.strip().toLowerCase(Locale.ROOT)) {
                case "exact" -> EXACT;
                case "partial" -> PARTIAL;
                default -> throw new IllegalArgumentException("reward must be 'exact' or 'partial', got '" + text + "'");
            };
        }
    }

    private final String kind;
    private final Reward rewardKind;
    private final int digits;
    private final long size;
    private final long[] heldOut;
    private final Set<Long> heldOutSet = new HashSet<>();
    private final CharTokenizer tokenizer = CharTokenizer.tasks();

    /** A task rewarded by exact match. */
    public VerifiableTask(String kind, int digits, int heldOutPrompts, long splitSeed) {
        this(kind, digits, heldOutPrompts, splitSeed, Reward.EXACT);
    }

    public VerifiableTask(String kind, int digits, int heldOutPrompts, long splitSeed, Reward reward) {
        if (reward == null) {
            throw new IllegalArgumentException("reward must not be null");
        }
        this.rewardKind = reward;
        this.kind = kind.toLowerCase(Locale.ROOT);
        if (!List.of("addition", "reverse", "sort").contains(this.kind)) {
            throw new IllegalArgumentException("task must be addition, reverse or sort, got '" + kind + "'");
        }
        if (digits < 1 || digits > 9) {
            throw new IllegalArgumentException("digits must be in [1, 9], got " + digits);
        }
        this.digits = digits;
        long pow = (long) Math.pow(10, digits);
        this.size = this.kind.equals("addition") ? operandCount() * operandCount() : pow;
        if (heldOutPrompts < 1 || heldOutPrompts > size / 2) {
            throw new IllegalArgumentException("held-out prompts must be in [1, " + size / 2 + "] for " + this.kind
                    + " with " + digits + " digits (" + size + " problems; half at least stay for training), got " + heldOutPrompts);
        }
        SplitMix64 rng = SplitMix64.derive(splitSeed, "held-out split");
        this.heldOut = new long[heldOutPrompts];
        for (int i = 0; i < heldOutPrompts; ) {
            long n = rng.nextLong(size);
            if (heldOutSet.add(n)) {
                heldOut[i++] = n;
            }
        }
    }

    public String kind() {
        return kind;
    }

    public int digits() {
        return digits;
    }

    public CharTokenizer tokenizer() {
        return tokenizer;
    }

    /** Number of distinct problems. */
    public long size() {
        return size;
    }

    /** Problem number {@code n}, in {@code [0, size())}. */
    public Problem problem(long n) {
        if (n < 0 || n >= size) {
            throw new IllegalArgumentException("problem " + n + " is outside [0, " + size + ")");
        }
        return switch (kind) {
            case "addition" -> {
                long a = smallestOperand() + n / operandCount();
                long b = smallestOperand() + n % operandCount();
                yield new Problem(a + "+" + b + "=", Long.toString(a + b));
            }
            case "reverse" -> {
                String s = digitString(n);
                yield new Problem("r" + s + "=", new StringBuilder(s).reverse().toString());
            }
            default -> {
                String s = digitString(n);
                char[] c = s.toCharArray();
                Arrays.sort(c);
                yield new Problem("s" + s + "=", new String(c));
            }
        };
    }

    private long smallestOperand() {
        return digits == 1 ? 0 : (long) Math.pow(10, digits - 1);
    }

    private long operandCount() {
        return (long) Math.pow(10, digits) - smallestOperand();
    }

    private String digitString(long n) {
        return String.format(Locale.ROOT, "%0" + digits + "d", n);
    }

    /** The held-out problems, in split order. */
    @Override
    public List<Problem> heldOut() {
        return Arrays.stream(heldOut).mapToObj(this::problem).toList();
    }

    /** The first {@code count} held-out problems (all when count exceeds them). */
    @Override
    public List<Problem> heldOut(int count) {
        return heldOut().subList(0, Math.min(count, heldOut.length));
    }

    /** Whether problem {@code n} is held out. */
    public boolean isHeldOut(long n) {
        return heldOutSet.contains(n);
    }

    /** A training problem drawn uniformly from those not held out. */
    @Override
    public Problem nextTraining(RandomGenerator rng) {
        while (true) {
            long n = rng.nextLong(size);
            if (!heldOutSet.contains(n)) {
                return problem(n);
            }
        }
    }

    /** Longest prompt in characters. */
    @Override
    public int maxPromptLength() {
        return kind.equals("addition") ? 2 * digits + 2 : digits + 2;
    }

    /** Longest answer in characters (without the end token). */
    public int maxAnswerLength() {
        return kind.equals("addition") ? digits + 1 : digits;
    }

    /** Completion tokens a sampler needs: the longest answer plus the end token. */
    @Override
    public int maxCompletionTokens() {
        return maxAnswerLength() + 1;
    }

    /** How completions are rewarded. */
    public Reward rewardKind() {
        return rewardKind;
    }

    /** Whether {@code completion} is exactly the answer's tokens followed by the end token. */
    @Override
    public boolean correct(Problem problem, int[] completion) {
        int[] answer = tokenizer.encode(problem.answer());
        return matching(answer, completion) == answer.length + 1;
    }

    /**
     * The reward of {@code completion}: with {@link Reward#EXACT} 1 when {@link #correct}, else 0;
     * with {@link Reward#PARTIAL} the number of target positions (the answer's tokens, then the end
     * token) where the completion has the target's token, divided by their count.
     */
    @Override
    public double reward(Problem problem, int[] completion) {
        int[] answer = tokenizer.encode(problem.answer());
        int matching = matching(answer, completion);
        return rewardKind == Reward.EXACT ? (matching == answer.length + 1 ? 1 : 0) : (double) matching / (answer.length + 1);
    }

    /** Target positions (answer tokens, then the end token) at which {@code completion} has the target's token. */
    private static int matching(int[] answer, int[] completion) {
        int m = 0;
        for (int i = 0; i <= answer.length && i < completion.length; i++) {
            int want = i < answer.length ? answer[i] : CharTokenizer.END;
            m += completion[i] == want ? 1 : 0;
        }
        return m;
    }

    @Override
    public int[] promptTokens(Problem problem) {
        return tokenizer.encode(problem.prompt());
    }

    @Override
    public int[] answerTokens(Problem problem) {
        int[] a = tokenizer.encode(problem.answer());
        int[] withEnd = Arrays.copyOf(a, a.length + 1);
        withEnd[a.length] = CharTokenizer.END;
        return withEnd;
    }

    @Override
    public int stopToken() {
        return CharTokenizer.END;
    }

    @Override
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    @Override
    public CharTokenizer charTokenizer() {
        return tokenizer;
    }

    @Override
    public void writeTokenizer(java.nio.file.Path modelDirectory) throws java.io.IOException {
        tokenizer.save(modelDirectory.resolve(CharTokenizer.FILE_NAME));
    }
}
