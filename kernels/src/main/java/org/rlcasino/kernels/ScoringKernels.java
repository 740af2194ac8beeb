package org.rlcasino.kernels;

/**
 * Streaming update and finalisation kernels of the delta scorers (magnitude, momentum, Fisher
 * approximation). Scores and scorer state are flat arrays over the selected parameters, (n);
 * deltas arrive in a reusable buffer that holds a contiguous run of one step's deltas,
 * {@code delta[0 .. length)} being the deltas of parameters {@code [base, base+length)}.
 *
 * <p>Where the run sits changes with every launch, so it travels in a small {@code int[] window}
 * (layout: the {@code W_*} indices, {@link #WINDOW_LENGTH} ints) instead of scalar arguments,
 * which TornadoVM would bake into the compiled kernel. The update kernels are launched over the
 * buffer's capacity; iterations {@code k >= window[W_LENGTH]} do nothing, so a short last run of
 * a step needs no other kernel. Values that change per step (1/count) travel in a
 * {@code float[] scalars} array for the same reason.
 *
 * <p>All arithmetic is float32; the scorers' tests bound the rounding against double oracles.
 */
public final class ScoringKernels {
    /** {@code window[W_BASE]}: flat index of the parameter whose delta is {@code delta[0]}. */
    public static final int W_BASE = 0;
    /** {@code window[W_LENGTH]}: deltas in the buffer, ≤ the launch range. */
    public static final int W_LENGTH = 1;
    /** {@code window[W_SLOT_OFFSET]}: momentum only, {@code slot·n}, where this step's velocity goes. */
    public static final int W_SLOT_OFFSET = 2;
    /** {@code window[W_HAS_PREVIOUS]}: momentum only, 1 when a previous delta exists (not the first step). */
    public static final int W_HAS_PREVIOUS = 3;
    /** Length of the {@code window} array. */
    public static final int WINDOW_LENGTH = 4;

    /** {@code scalars[S_INV_COUNT]}: 1/t for Welford's update of step t, or 1/T when finalising. */
    public static final int S_INV_COUNT = 0;
    /** {@code scalars[S_EPS]}: ε of the momentum score (momentumScore's scalars array). */
    public static final int S_EPS = 0;
    /** Length of a {@code scalars} array. */
    public static final int SCALARS_LENGTH = 1;

    /** {@code settings[M_VELOCITIES]}: velocities in the window, m ∈ [2, slots]. */
    public static final int M_VELOCITIES = 0;
    /** {@code settings[M_FORMULA]}: {@link #FORMULA_PAPER} or {@link #FORMULA_REFERENCE}. */
    public static final int M_FORMULA = 1;
    /** Length of momentumScore's {@code settings} array. */
    public static final int SETTINGS_LENGTH = 2;
    /** The paper's momentum score {@code |mean v|² / (std v + ε)}. */
    public static final int FORMULA_PAPER = 0;
    /** The reference code's momentum score {@code |mean v| · (1 + |mean v| / (std v + ε))}. */
    public static final int FORMULA_REFERENCE = 1;

    private ScoringKernels() {}

    /**
     * Magnitude accumulation {@code score[base+k] += |delta[k]|} for {@code k < window[W_LENGTH]}.
     *
     * @param score  Σ_t |δ_t| so far, (n), updated in place
     * @param delta  deltas of parameters {@code [base, base+length)}, (≥ launch range)
     * @param window run position, ({@link #WINDOW_LENGTH})
     */
    public static void magnitudeAccumulate(float[] score, float[] delta, int[] window, int offset, int count) {
        int base = window[W_BASE];
        int length = window[W_LENGTH];
        for (@Parallel int j = 0; j < count; j++) {
            int k = offset + j;
            if (k < length) {
                int i = base + k;
                score[i] = score[i] + Math.abs(delta[k]);
            }
        }
    }

    /**
     * Momentum update for one step's run of deltas: the velocity {@code v_t = δ_t − δ_{t−1}} goes
     * to slot {@code window[W_SLOT_OFFSET]/n} of the ring of velocities (when a previous delta
     * exists), then {@code δ_t} becomes the previous delta:
     * <pre>
     *   if hasPrevious: velocities[slotOffset + i] = delta[k] − previous[i]
     *   previous[i] = delta[k]                          (i = base + k, k &lt; length)
     * </pre>
     *
     * @param velocities ring of the last w velocities, (w·n), slot s at {@code [s·n, (s+1)·n)}
     * @param previous   δ_{t−1}, (n), replaced by δ_t
     * @param delta      deltas of parameters {@code [base, base+length)}, (≥ launch range)
     * @param window     run position, slot offset and has-previous flag, ({@link #WINDOW_LENGTH})
     */
    public static void momentumUpdate(float[] velocities, float[] previous, float[] delta, int[] window,
                                      int offset, int count) {
        int base = window[W_BASE];
        int length = window[W_LENGTH];
        int slotOffset = window[W_SLOT_OFFSET];
        int hasPrevious = window[W_HAS_PREVIOUS];
        for (@Parallel int j = 0; j < count; j++) {
            int k = offset + j;
            if (k < length) {
                int i = base + k;
                float d = delta[k];
                float p = previous[i];
                // read-modify-write, never a conditional store: TornadoVM treats an array the kernel
                // only writes as write-only and does not copy the host's values in, so the slots not
                // stored to would come back as garbage
                float old = velocities[slotOffset + i];
                velocities[slotOffset + i] = hasPrevious != 0 ? d - p : old;
                previous[i] = d;
            }
        }
    }

    /**
     * Momentum score of parameter {@code i}, over the first {@code m = settings[M_VELOCITIES]}
     * slots of the ring (their order does not matter): {@code μ = (1/m) Σ v}, the unbiased
     * standard deviation {@code σ = sqrt(Σ (v − μ)² / (m − 1))} (two passes; torch.std's default,
     * as the paper's reference code), and
     * <pre>
     *   paper:      score = |μ|² / (σ + ε)
     *   reference:  score = |μ| · (1 + |μ| / (σ + ε))
     * </pre>
     * A window of one velocity has no σ: the caller scores it without this kernel (the reference
     * code falls back to the last delta's magnitude).
     *
     * @param score      momentum scores, (n)
     * @param velocities ring of velocities, (≥ m·n)
     * @param settings   m ≥ 2 and the formula, ({@link #SETTINGS_LENGTH})
     * @param scalars    ε at {@link #S_EPS}, ({@link #SCALARS_LENGTH})
     * @param n          parameters (the ring's slot stride); the launch range
     */
    public static void momentumScore(float[] score, float[] velocities, int[] settings, float[] scalars, int n,
                                     int offset, int count) {
        int m = settings[M_VELOCITIES];
        int formula = settings[M_FORMULA];
        float eps = scalars[S_EPS];
        float invM = 1.0f / m;
        float invDof = 1.0f / (m - 1);
        for (@Parallel int j = 0; j < count; j++) {
            int i = offset + j;
            float sum = 0f;
            for (int s = 0; s < m; s++) {
                sum += velocities[s * n + i];
            }
            float mean = sum * invM;
            float squares = 0f;
            for (int s = 0; s < m; s++) {
                float d = velocities[s * n + i] - mean;
                squares += d * d;
            }
            float std = (float) Math.sqrt(squares * invDof);
            float a = Math.abs(mean);
            float ratio = a / (std + eps);
            if (formula == FORMULA_PAPER) {
                score[i] = a * ratio;
            } else {
                score[i] = a * (1f + ratio);
            }
        }
    }

    /**
     * Welford's online update with the run's deltas as the t-th sample (1/t in
     * {@code scalars[S_INV_COUNT]}):
     * <pre>
     *   d = x − mean;  mean = mean + d/t;  m2 = m2 + d·(x − mean)
     * </pre>
     *
     * @param mean    running mean of δ, (n)
     * @param m2      running sum of squared deviations, (n)
     * @param delta   deltas of parameters {@code [base, base+length)}, (≥ launch range)
     * @param window  run position, ({@link #WINDOW_LENGTH})
     * @param scalars 1/t, ({@link #SCALARS_LENGTH})
     */
    public static void welfordUpdate(float[] mean, float[] m2, float[] delta, int[] window, float[] scalars,
                                     int offset, int count) {
        int base = window[W_BASE];
        int length = window[W_LENGTH];
        float invCount = scalars[S_INV_COUNT];
        for (@Parallel int j = 0; j < count; j++) {
            int k = offset + j;
            if (k < length) {
                int i = base + k;
                float x = delta[k];
                float d = x - mean[i];
                float mu = mean[i] + d * invCount;
                mean[i] = mu;
                m2[i] = m2[i] + d * (x - mu);
            }
        }
    }

    /**
     * Fisher-approximation score from Welford's state after T samples (1/T in
     * {@code scalars[S_INV_COUNT]}): {@code score = m2/T + |mean|}, the population variance plus
     * the absolute mean, written over {@code m2}.
     *
     * @param score   on entry Welford's m2, on exit the score, (n)
     * @param mean    mean of δ, (n)
     * @param scalars 1/T, ({@link #SCALARS_LENGTH})
     */
    public static void fisherScore(float[] score, float[] mean, float[] scalars, int offset, int count) {
        float invCount = scalars[S_INV_COUNT];
        for (@Parallel int j = 0; j < count; j++) {
            int i = offset + j;
            score[i] = score[i] * invCount + Math.abs(mean[i]);
        }
    }
}
