package org.rlcasino.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.config.ScorerName;
import org.rlcasino.io.deltas.TensorSelection;
import org.rlcasino.scoring.MaskBuilder;
import org.rlcasino.scoring.MaskOptions;
import org.rlcasino.scoring.MomentumFormula;
import org.rlcasino.scoring.ScoreSource;
import org.rlcasino.scoring.ScoringOptions;
import org.rlcasino.scoring.ScoringResult;
import org.rlcasino.scoring.StepRange;
import org.rlcasino.scoring.StreamingScorer;
import org.rlcasino.kernels.Backend;

/** Scores and masks of the experiment's predictors, by the names the run-configs use. */
final class MaskPredictions {
    private MaskPredictions() {}

    /** The scorer of a method name ({@code magnitude}, {@code momentum-paper}, {@code momentum-reference}, {@code fisher}). */
    static StreamingScorer scorer(String method, Backend backend, int window, double eps) {
        // PREDICTORS name their momentum formula, so the formula argument is never used
        return StreamingScorer.of(ScorerName.parse("method", method, ScorerName.PREDICTORS), backend, MomentumFormula.PAPER,
                window, eps);
    }

    /** Scores {@code deltas} with {@code method} on {@code basis} over the first {@code firstSteps} steps of {@code steps}. */
    static ScoringResult score(String method, Path deltas, Path out, String steps, int firstSteps, TensorSelection selection,
                               int window, double eps, DeltaBasis basis, StageContext context) throws IOException {
        StreamingScorer scorer = scorer(method, context.backend(), window, eps);
        ScoringOptions options = new ScoringOptions(StepRange.parse(steps), firstSteps, selection, basis);
        return scorer.score(deltas, out, options, context.progress().named(method));
    }

    /** Builds a mask from a score file (exact global top-k, or random over the same tensors). */
    static MaskBuilder.Report mask(Path scores, MaskOptions options, Path out, Map<String, String> provenance,
                                   BufferAllocator allocator, StageContext context) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        ScoreSource source = ScoreSource.ofFile(scores, allocator, ScoreSource.DEFAULT_CAPACITY);
        return new MaskBuilder(source, context.backend(), allocator, Progress.NONE).build(options, out, provenance);
    }

}
