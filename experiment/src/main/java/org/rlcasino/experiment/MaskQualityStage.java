package org.rlcasino.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.experiment.report.CsvTable;
import org.rlcasino.experiment.report.MaskQualityReport;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.Metadata;
import org.rlcasino.io.config.MaskQualitySection;
import org.rlcasino.io.deltas.CheckpointRef;
import org.rlcasino.io.deltas.CheckpointSeries;
import org.rlcasino.io.deltas.TensorSelection;
import org.rlcasino.scoring.MaskBuilder;
import org.rlcasino.scoring.MaskOptions;
import org.rlcasino.scoring.ScoringResult;
import org.rlcasino.scoring.TruthScores;
import org.rlcasino.scoring.compare.MaskComparison;
import org.rlcasino.scoring.compare.MaskOverlap;

/**
 * The paper's Table 2: each predictor (a method on a delta basis) scores the first K logged steps,
 * its exact top-k mask at each sparsity is compared with the true mask (exact top-k of
 * |θ_final − θ_start| over the whole run), and so is an actual random mask of the same density,
 * next to the expectation a/(2−a); with a seed baseline, also the true mask of a rerun of the
 * deltas phase with another seed. Each mask's tie share (kept entries scored exactly at the cut)
 * goes with it. Writes {@code mask-quality.csv}; scores and masks are temporary.
 */
final class MaskQualityStage implements Stage {
    static final String NAME = "mask-quality";
    private static final String ELEMENT = "element";

    private final MaskQualitySection section;
    private final String deltasStage;
    private final Path deltasFile;
    private final Path checkpoints;
    private final Path truthStart;
    private final Path truthEnd;
    private final String seedBaselineStage;
    private final long randomSeed;

    /**
     * @param deltasStage       stage whose directory holds the deltas (its name)
     * @param deltasFile        the delta stream
     * @param checkpoints       the external checkpoint directory, or null (training run)
     * @param truthStart        training run: the checkpoint the deltas phase started from (its {@code from}
     *                          phase's {@code final/}), or null
     * @param truthEnd          training run: the deltas phase's {@code final/}, or null
     * @param seedBaselineStage training run: the rerun of the deltas phase with another seed, or null
     */
    MaskQualityStage(MaskQualitySection section, String deltasStage, Path deltasFile, Path checkpoints, Path truthStart,
                     Path truthEnd, String seedBaselineStage, long randomSeed) {
        this.section = section;
        this.deltasStage = deltasStage;
        this.deltasFile = deltasFile;
        this.checkpoints = checkpoints;
        this.truthStart = truthStart;
        this.truthEnd = truthEnd;
        this.seedBaselineStage = seedBaselineStage;
        this.randomSeed = randomSeed;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> dependencies() {
        return seedBaselineStage == null ? List.of(deltasStage) : List.of(deltasStage, seedBaselineStage);
    }

    @Override
    public String inputs() throws IOException {
        return ExperimentPlan.json(section) + " seed=" + randomSeed + " truth=" + truthSource();
    }

    /**
     * Where the true mask comes from: |θ_final − θ_start| of two checkpoints (the first and last external
     * checkpoints, or the deltas phase's start and final checkpoints) when they exist and no tensor selection
     * or tolerance applies; else |Σ δ| over every logged step.
     */
    String truthSource() {
        boolean selectionFree = section.include().isEmpty() && section.exclude().isEmpty() && section.tolerance() == 0;
        boolean canUseCheckpoints = selectionFree && (checkpoints != null
                || truthStart != null && truthEnd != null && Files.exists(truthStart) && Files.exists(truthEnd));
        return switch (section.truth()) {
            case "checkpoints" -> {
                if (!canUseCheckpoints) {
                    throw new IllegalArgumentException("experiment.maskQuality.truth: 'checkpoints' needs experiment.checkpoints (or "
                            + "start and final checkpoints of the deltas phase: " + truthStart + ", " + truthEnd + ") and no "
                            + "include/exclude/tolerance (the true mask must cover the same tensors as the predictions); use 'deltas'");
                }
                yield "checkpoints";
            }
            case "deltas" -> "deltas";
            default -> canUseCheckpoints ? "checkpoints" : "deltas";
        };
    }

    @Override
    public List<String> outputs() {
        return List.of(MaskQualityReport.CSV);
    }

    @Override
    public void run(Path dir, StageContext context) throws IOException {
        Path work = dir.resolve("tmp");
        Files.createDirectories(work);
        CsvTable.Builder csv = new CsvTable.Builder(MaskQualityReport.COLUMNS.toArray(String[]::new));
        TensorSelection selection = new TensorSelection(section.include(), section.exclude());
        try (BufferAllocator allocator = new RootAllocator()) {
            Path truthScores = work.resolve("truth-scores.arrow");
            String truth = truthSource();
            writeTruth(truth, truthEnd, deltasFile, truthScores, allocator);
            Path baselineScores = null;
            if (seedBaselineStage != null) {
                Path baselineDir = context.runDir().resolve(seedBaselineStage);
                baselineScores = work.resolve("seed-baseline-scores.arrow");
                writeTruth(truth, baselineDir.resolve("final"), baselineDir.resolve("deltas.arrow"), baselineScores, allocator);
            }
            List<Prediction> predictions = new ArrayList<>();
            for (DeltaBasis basis : section.bases()) {
                for (String method : section.methods()) {
                    Path out = work.resolve("scores-" + method + "-" + basis + ".arrow");
                    ScoringResult r = MaskPredictions.score(method, deltasFile, out, section.steps(), section.firstSteps(),
                            selection, section.window(), section.eps(), basis, context);
                    predictions.add(new Prediction(method, basis, out, r.sourceSteps()));
                }
            }
            List<Integer> used = predictions.getFirst().used();
            int masksPerSparsity = predictions.size() + 2 + (baselineScores == null ? 0 : 1);  // progress: one unit per predictor
            Progress bar = context.progress();
            bar.begin("masks", (long) section.sparsities().size() * masksPerSparsity);
            try {
                for (double sparsity : section.sparsities()) {
                    Path truthMask = work.resolve("truth.arrow");
                    MaskOptions exact = MaskOptions.exact(sparsity / 100);
                    MaskPredictions.mask(truthScores, exact, truthMask, Metadata.of("mask", "truth", "truth_source", truth),
                            allocator, context);
                    bar.advance(1);
                    Map<String, Path> blockTruths = new LinkedHashMap<>();
                    for (String b : section.blocks()) {
                        Path blockTruth = work.resolve("truth-" + b + ".arrow");
                        MaskPredictions.mask(truthScores, blockMask(exact, b), blockTruth,
                                Metadata.of("mask", "truth", "truth_source", truth, "structure", b), allocator, context);
                        blockTruths.put(b, blockTruth);
                    }
                    for (Prediction p : predictions) {
                        Path mask = work.resolve("mask-" + p.method() + "-" + p.basis() + ".arrow");
                        MaskBuilder.Report report = MaskPredictions.mask(p.scores(), exact, mask,
                                Metadata.of("scores", p.method(), "basis", p.basis().label()), allocator, context);
                        row(csv, sparsity, p.method(), p.basis().label(), ELEMENT, ELEMENT, MaskComparison.compare(mask,
                                truthMask, allocator, Progress.NONE), report, p.used(), truth);
                        Files.delete(mask);
                        for (Map.Entry<String, Path> b : blockTruths.entrySet()) {
                            MaskBuilder.Report blockReport = MaskPredictions.mask(p.scores(), blockMask(exact, b.getKey()), mask,
                                    Metadata.of("scores", p.method(), "basis", p.basis().label(), "structure", b.getKey()),
                                    allocator, context);
                            for (String truthStructure : List.of(ELEMENT, b.getKey())) {
                                Path against = truthStructure.equals(ELEMENT) ? truthMask : b.getValue();
                                row(csv, sparsity, p.method(), p.basis().label(), b.getKey(), truthStructure,
                                        MaskComparison.compare(mask, against, allocator, Progress.NONE), blockReport,
                                        p.used(), truth);
                            }
                            Files.delete(mask);
                        }
                        bar.advance(1);
                    }
                    for (Path blockTruth : blockTruths.values()) {
                        Files.delete(blockTruth);
                    }
                    Path random = work.resolve("mask-random.arrow");
                    MaskBuilder.Report randomReport = MaskPredictions.mask(truthScores,
                            exact.withBuilder(MaskBuilder.Method.RANDOM).withSeed(randomSeed), random, Metadata.of("mask", "random"),
                            allocator, context);
                    row(csv, sparsity, MaskQualityReport.RANDOM, "", ELEMENT, ELEMENT, MaskComparison.compare(random, truthMask,
                            allocator, Progress.NONE), randomReport, used, truth);
                    bar.advance(1);
                    Files.delete(random);
                    if (baselineScores != null) {
                        Path baseline = work.resolve("mask-seed-baseline.arrow");
                        MaskBuilder.Report baselineReport = MaskPredictions.mask(baselineScores, exact, baseline,
                                Metadata.of("mask", "truth of " + seedBaselineStage), allocator, context);
                        row(csv, sparsity, MaskQualityReport.SEED_BASELINE, "", ELEMENT, ELEMENT, MaskComparison.compare(baseline,
                                truthMask, allocator, Progress.NONE), baselineReport, used, truth);
                        Files.delete(baseline);
                        bar.advance(1);
                    }
                    Files.delete(truthMask);
                }
            } finally {
                bar.end();
            }
        }
        StageRunner.clear(work);
        csv.build().write(dir.resolve(MaskQualityReport.CSV));
    }

    /** One predictor: a method on a basis, its score file and the steps that entered it. */
    private record Prediction(String method, DeltaBasis basis, Path scores, List<Integer> used) {}

    /** Scores of the true mask of a run that ends at {@code end} (checkpoints) or logged {@code deltas}. */
    private void writeTruth(String truth, Path end, Path deltas, Path out, BufferAllocator allocator) throws IOException {
        if (truth.equals("checkpoints") && checkpoints != null) {
            List<CheckpointRef> series = CheckpointSeries.scan(checkpoints);
            TruthScores.fromCheckpoints(series.getFirst().path(), series.getLast().path(), out, allocator);
        } else if (truth.equals("checkpoints")) {
            TruthScores.fromCheckpoints(truthStart, end, out, allocator);
        } else {
            TruthScores.fromDeltas(deltas, out, allocator);
        }
    }

    /** The exact options as the block builder's: top-k of R×C blocks by the sum of their entries' scores. */
    private static MaskOptions blockMask(MaskOptions exact, String structure) {
        return exact.withBuilder(MaskBuilder.Method.BLOCK).withBlock(BlockShape.parse(structure), false);
    }

    private static void row(CsvTable.Builder csv, double sparsity, String method, String basis, String structure,
                            String truthStructure, MaskComparison.Result r, MaskBuilder.Report report, List<Integer> used,
                            String truth) {
        MaskOverlap t = r.total();
        double kept = Math.max(1, report.kept());
        csv.row(sparsity, method, basis, structure, truthStructure, t.jaccard(), t.randomJaccard(), t.countA(), t.countB(),
                t.intersection(), t.size(), used.size(), used.isEmpty() ? "" : used.getFirst() + ":" + used.getLast(), truth,
                report.tiedAtCut() / kept, report.tiedZeros() / kept);
    }
}
