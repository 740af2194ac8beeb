package org.rlcasino.scoring;

import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelLaunch;
import org.rlcasino.kernels.ScoringKernels;

/**
 * Momentum score over the velocities {@code v_t = δ_t − δ_{t−1}} of consecutive steps of the
 * range (consecutive in the stream, whatever the spacing of their step numbers).
 *
 * <p>Window: the score is the one after the last step of the range, over its last
 * {@code m = min(w, T − 1)} velocities, i.e. over the last {@code min(w + 1, T)} deltas of the T
 * steps in range (earlier steps do not change it). With {@code μ = (1/m) Σ v} and the
 * <b>unbiased</b> standard deviation {@code σ = sqrt(Σ (v − μ)² / (m − 1))} (torch.std's default,
 * which the paper's reference code uses; the same σ for both formulas):
 * <ul>
 *   <li>{@link MomentumFormula#PAPER}: {@code s = |μ|² / (σ + ε)};</li>
 *   <li>{@link MomentumFormula#REFERENCE}: {@code s = |μ| · (1 + |μ| / (σ + ε))}.</li>
 * </ul>
 * A window of a single velocity (exactly two deltas) has no σ: as the reference code, the score is
 * then the last delta's magnitude {@code |δ_T|}, for both formulas. Fewer than two steps in range
 * are an error. The velocity means "per-step update" only on the {@code start} basis; on the
 * {@code step} basis it is a second difference of the weights. State: w velocity slots plus the
 * previous delta, (w + 1) floats per parameter (the score is written over the previous delta).
 *
 * @see ScoringKernels#momentumScore
 */
public final class MomentumScorer extends StreamingScorer {
    public static final int DEFAULT_WINDOW = 5;
    public static final double DEFAULT_EPS = 1e-8;

    private final MomentumFormula formula;
    private final int window;
    private final double eps;
    private float[] velocities;
    private float[] previous;
    private int[] runWindow;
    private int n;
    private KernelLaunch update;

    /**
     * @param window velocities in the window, {@code >= 2}
     * @param eps    added to σ, finite and {@code > 0}
     */
    public MomentumScorer(Backend backend, MomentumFormula formula, int window, double eps) {
        super(backend);
        if (formula == null) {
            throw new IllegalArgumentException("formula must be paper or reference, got null");
        }
        if (window < 2) {
            throw new IllegalArgumentException("window must be >= 2 velocities (a std over one velocity is 0), got " + window);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
        this.formula = formula;
        this.window = window;
        this.eps = eps;
    }

    @Override
    public String method() {
        return "momentum";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("formula", formula.label());
        p.put("window", Integer.toString(window));
        p.put("eps", String.format(Locale.ROOT, "%s", eps));
        p.put("std", "unbiased (n-1)");
        return p;
    }

    @Override
    public long stateFloatsPerParameter() {
        return window + 1L;
    }

    @Override
    long largestArrayPerParameter() {
        return window;
    }

    @Override
    void checkSteps(List<Integer> steps) {
        if (steps.size() < 2) {
            throw new IllegalArgumentException("momentum needs at least 2 steps in range (velocities v_t = δ_t − δ_(t−1)), got "
                    + steps.size() + " (step " + steps.getFirst() + "); widen --steps");
        }
    }

    @Override
    List<Integer> contributingSteps(List<Integer> steps) {
        return steps.subList(Math.max(0, steps.size() - (window + 1)), steps.size());
    }

    @Override
    void prepare(int n, float[] buffer, int[] window) {
        this.n = n;
        this.runWindow = window;
        velocities = new float[this.window * n];
        previous = new float[n];
        update = backend.prepare(KernelCall.builder("scoring.momentum_update", Kernel.MOMENTUM_UPDATE)
                .state(velocities).state(previous).input(buffer).input(window).over(buffer.length));
    }

    @Override
    void beginStep(int index) {
        // at most w + 1 contributing steps: velocity index−1 gets its own slot, the ring never wraps
        runWindow[ScoringKernels.W_HAS_PREVIOUS] = index > 0 ? 1 : 0;
        runWindow[ScoringKernels.W_SLOT_OFFSET] = index > 0 ? (index - 1) * n : 0;
    }

    @Override
    void update() {
        update.launch();
    }

    @Override
    float[] finish(int steps) {
        backend.syncToHost(velocities);
        backend.syncToHost(previous);
        int[] settings = new int[ScoringKernels.SETTINGS_LENGTH];
        settings[ScoringKernels.M_VELOCITIES] = steps - 1;
        settings[ScoringKernels.M_FORMULA] = formula.code();
        float[] scalars = new float[ScoringKernels.SCALARS_LENGTH];
        scalars[ScoringKernels.S_EPS] = (float) eps;
        float[] score = previous;
        if (steps == 2) {
            // one velocity: no spread to divide by; the reference code scores |last delta|
            for (int i = 0; i < n; i++) {
                score[i] = Math.abs(score[i]);
            }
            velocities = null;
            previous = null;
            update = null;
            return score;
        }
        backend.prepare(KernelCall.builder("scoring.momentum_score", Kernel.MOMENTUM_SCORE)
                .output(score).constant(velocities).constant(settings).constant(scalars).size(n).over(n)).launch();
        velocities = null;
        previous = null;
        update = null;
        return score;
    }
}
