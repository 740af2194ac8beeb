package org.rlcasino.io.config;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.rlcasino.io.arrow.DeltaBasis;

/**
 * The mask-quality table (the paper's Table 2): masks predicted from the first steps of a run
 * against the run's "true" mask.
 *
 * @param firstSteps  logged steps the predictions use: the first N of {@code steps} (default 100; 0: all)
 * @param steps       step range {@code A:B} (inclusive, either end may be empty) the predictions read (default {@code :})
 * @param sparsities  percentages of inactive entries, each in (0, 100) (default 90, 95, 97.5, 99)
 * @param methods     predictors: {@code magnitude}, {@code momentum-paper}, {@code momentum-reference},
 *                    {@code fisher} (default: all four)
 * @param window      momentum window (velocities), {@code >= 2} (default 5)
 * @param eps         momentum ε, {@code > 0} (default 1e-8)
 * @param truth       the true mask's scores: {@code checkpoints} (|θ_last − θ_first| from the checkpoints, external
 *                    runs only), {@code deltas} (|Σ δ_t| over all logged steps) or {@code auto} (default: checkpoints
 *                    when there are checkpoints, else deltas)
 * @param randomSeed  seed of the actual random mask (default: the run's seed)
 * @param include     tensor globs to include (default: all)
 * @param exclude     tensor globs to exclude (default: none)
 * @param tolerance   external checkpoints: deltas with |δ| below it are written as 0 (default 0)
 * @param basis       delta basis the predictors score on: {@code start} (default, as the paper's reference code),
 *                    {@code step}, or {@code both} (every method on both, side by side)
 * @param seedBaseline training runs only: the seed of a second run of {@code experiment.deltasPhase} whose true mask
 *                    is compared with the first run's (how reproducible the truth itself is); default none
 * @param blocks      block structures {@code RxC} (16x16, 32x32, stripes 1x64, 64x1) whose block masks (top-k of R×C blocks by the sum of their
 *                    entries' scores) each predictor also builds, compared with the element truth and with the block
 *                    truth (the same block builder on the truth's scores); default none
 */
public record MaskQualitySection(Integer firstSteps, String steps, List<Double> sparsities, List<String> methods,
                                 Integer window, Double eps, String truth, Long randomSeed, List<String> include,
                                 List<String> exclude, Double tolerance, String basis, Long seedBaseline,
                                 List<String> blocks) {
    /** The predictors' names, {@link ScorerName#PREDICTORS}: the default {@code methods}. */
    public static final List<String> METHODS = ScorerName.labels(ScorerName.PREDICTORS);
    public static final List<Double> PAPER_SPARSITIES = List.of(90.0, 95.0, 97.5, 99.0);
    private static final Pattern RANGE = Pattern.compile("\\d{0,9}:\\d{0,9}");
    static final MaskQualitySection DEFAULTS = new MaskQualitySection(null, null, null, null, null, null, null, null,
            null, null, null, null, null, null);

    public MaskQualitySection {
        firstSteps = firstSteps == null ? 100 : firstSteps;
        if (firstSteps < 0) {
            throw new IllegalArgumentException("firstSteps must be >= 0 (0: every step in range), got " + firstSteps);
        }
        steps = steps == null ? ":" : steps;
        if (!RANGE.matcher(steps).matches()) {
            throw new IllegalArgumentException("steps must be a range A:B of step numbers (10:40, :100, 50:, :), got '" + steps + "'");
        }
        sparsities = Sections.sparsities("sparsities", sparsities, PAPER_SPARSITIES);
        methods = methods == null ? METHODS : List.copyOf(methods);
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("methods must list at least one of " + String.join(", ", METHODS));
        }
        for (String m : methods) {
            ScorerName.parse("methods", m, ScorerName.PREDICTORS);
        }
        if (Set.copyOf(methods).size() != methods.size()) {
            throw new IllegalArgumentException("methods lists a method twice: " + methods);
        }
        window = window == null ? 5 : window;
        if (window < 2) {
            throw new IllegalArgumentException("window must be >= 2 velocities, got " + window);
        }
        eps = eps == null ? 1e-8 : eps;
        if (!(eps > 0) || eps.isInfinite()) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
        truth = truth == null ? "auto" : truth;
        if (!List.of("auto", "checkpoints", "deltas").contains(truth)) {
            throw new IllegalArgumentException("truth must be auto, checkpoints or deltas, got '" + truth + "'");
        }
        include = include == null ? List.of() : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        basis = basis == null ? DeltaBasis.START.label() : basis;
        if (!basis.equals("both")) {
            try {
                DeltaBasis.of(basis);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("basis must be start, step or both, got '" + basis + "'");
            }
        }
        if (seedBaseline != null && seedBaseline < 0) {
            throw new IllegalArgumentException("seedBaseline must be a seed >= 0, got " + seedBaseline);
        }
        blocks = Sections.maskStructures("blocks", blocks, List.of(), false);
        tolerance = tolerance == null ? 0.0 : tolerance;
        if (!(tolerance >= 0) || tolerance.isInfinite()) {
            throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
        }
    }

    /** The bases the predictors score on, in table order ({@code both}: start, then step). */
    public List<DeltaBasis> bases() {
        return basis.equals("both") ? List.of(DeltaBasis.START, DeltaBasis.STEP) : List.of(DeltaBasis.of(basis));
    }
}
