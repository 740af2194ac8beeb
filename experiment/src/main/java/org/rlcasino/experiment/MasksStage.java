package org.rlcasino.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.Metadata;
import org.rlcasino.io.config.QualitySection;
import org.rlcasino.io.deltas.TensorSelection;
import org.rlcasino.scoring.MaskBuilder;
import org.rlcasino.scoring.MaskOptions;

/**
 * The quality arms' masks, under {@code runs/<name>/masks/}: for each mask method and sparsity the
 * exact top-k mask of the method's scores over the first {@code maskFirstSteps} logged steps of
 * the deltas phase, on the mask-quality section's (first) delta basis, start by default
 * ({@code <method>-<sparsity>.arrow}), and for each square block structure of {@code maskBlocks}
 * the top-k of R×C blocks scored by the sum of their entries' scores
 * ({@code <method>-<N>x<N>-<sparsity>.arrow}). (Random-mask arms get their masks from
 * the trainer, seeded by the arm's seed.)
 */
final class MasksStage implements Stage {
    static final String NAME = "masks";

    private final QualitySection quality;
    private final String deltasPhase;
    private final Path deltasFile;
    private final int window;
    private final double eps;
    private final DeltaBasis basis;

    MasksStage(QualitySection quality, String deltasPhase, Path deltasFile, int window, double eps, DeltaBasis basis) {
        this.quality = quality;
        this.deltasPhase = deltasPhase;
        this.deltasFile = deltasFile;
        this.window = window;
        this.eps = eps;
        this.basis = basis;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> dependencies() {
        return List.of(deltasPhase);
    }

    @Override
    public String inputs() {
        return ExperimentPlan.json(Map.of("methods", quality.maskMethods(), "sparsities", quality.sparsities(),
                "firstSteps", quality.maskFirstSteps(), "window", window, "eps", eps, "basis", basis.label(),
                "blocks", quality.maskBlocks()));
    }

    @Override
    public List<String> outputs() {
        List<String> out = new ArrayList<>();
        for (QualityArm arm : QualityArm.of(quality)) {
            if (arm.mask() != null && !out.contains(file(arm))) {
                out.add(file(arm));
            }
        }
        return out;
    }

    private static String file(QualityArm arm) {
        return arm.mask().substring(NAME.length() + 1);
    }

    @Override
    public void run(Path dir, StageContext context) throws Exception {
        Path work = dir.resolve("tmp");
        Files.createDirectories(work);
        try (BufferAllocator allocator = new RootAllocator()) {
            Map<String, Path> scores = new LinkedHashMap<>();
            for (String m : quality.maskMethods()) {
                Path out = work.resolve("scores-" + m + ".arrow");
                MaskPredictions.score(m, deltasFile, out, ":", quality.maskFirstSteps(), TensorSelection.ALL, window, eps, basis,
                        context);
                scores.put(m, out);
            }
            for (QualityArm arm : QualityArm.of(quality)) {
                if (arm.mask() == null || Files.exists(dir.resolve(file(arm)))) {
                    continue;
                }
                MaskOptions exact = MaskOptions.exact(arm.sparsity() / 100);
                MaskOptions options = arm.maskBlock().equals("element") ? exact : exact.withBuilder(MaskBuilder.Method.BLOCK)
                        .withBlock(BlockShape.parse(arm.maskBlock()), false);
                MaskPredictions.mask(scores.get(arm.maskMethod()), options, dir.resolve(file(arm)),
                        Metadata.of("scores", arm.maskMethod(), "deltas_phase", deltasPhase, "structure", arm.maskBlock()),
                        allocator, context);
            }
        }
        StageRunner.clear(work);
    }
}
