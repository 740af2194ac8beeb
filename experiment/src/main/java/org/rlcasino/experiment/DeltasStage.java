package org.rlcasino.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.rlcasino.io.config.MaskQualitySection;
import org.rlcasino.io.deltas.CheckpointRef;
import org.rlcasino.io.deltas.CheckpointSeries;
import org.rlcasino.io.deltas.DeltaExtractor;
import org.rlcasino.io.deltas.TensorSelection;

/** External checkpoints → {@code deltas/deltas.arrow} (one delta per consecutive pair), via io.deltas. */
final class DeltasStage implements Stage {
    static final String NAME = "deltas";
    static final String OUTPUT = "deltas.arrow";

    private final Path checkpoints;
    private final MaskQualitySection section;

    DeltasStage(Path checkpoints, MaskQualitySection section) {
        this.checkpoints = checkpoints;
        this.section = section;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> dependencies() {
        return List.of();
    }

    @Override
    public String inputs() throws IOException {
        StringBuilder sb = new StringBuilder("include=").append(section.include()).append(" exclude=").append(section.exclude())
                .append(" tolerance=").append(section.tolerance()).append('\n');
        sb.append(listing(checkpoints));
        return sb.toString();
    }

    /** Every file under the checkpoint directory with its size and modification time. */
    static String listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("experiment.checkpoints: " + dir + " is not a directory (give a directory of "
                    + "checkpoint-<step>/ directories or step_<n>.safetensors files)");
        }
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                sb.append(dir.relativize(p)).append(' ').append(Files.size(p)).append(' ')
                        .append(Files.getLastModifiedTime(p).toMillis()).append('\n');
            }
        }
        return sb.toString();
    }

    @Override
    public List<String> outputs() {
        return List.of(OUTPUT);
    }

    @Override
    public void run(Path dir, StageContext context) throws IOException {
        List<CheckpointRef> series = CheckpointSeries.scan(checkpoints);
        DeltaExtractor.Options options = DeltaExtractor.Options.defaults()
                .withSelection(new TensorSelection(section.include(), section.exclude()))
                .withTolerance(section.tolerance());
        DeltaExtractor.Result r = DeltaExtractor.extract(series, dir.resolve(OUTPUT), options, context.progress());
        context.log().printf("  %d checkpoints → %d deltas of %,d entries%n", series.size(), r.steps().size(), r.elementsPerStep());
    }
}
