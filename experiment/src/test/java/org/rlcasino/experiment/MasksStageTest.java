package org.rlcasino.experiment;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.config.QualitySection;
import org.rlcasino.io.deltas.CheckpointSeries;
import org.rlcasino.io.deltas.DeltaExtractor;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;

import static org.assertj.core.api.Assertions.assertThat;

/** The quality arms' masks are reproducible: the same inputs write the same bytes. */
class MasksStageTest {
    @TempDir
    Path dir;

    @Test
    void theSameInputsWriteByteIdenticalMaskFiles() throws Exception {
        Path deltas = dir.resolve("deltas.arrow");
        DeltaExtractor.extract(CheckpointSeries.scan(RlLikeCheckpoints.write(dir.resolve("ckpts"), 6, 5)), deltas,
                DeltaExtractor.Options.defaults(), Progress.NONE);
        QualitySection quality = new QualitySection("grpo", null, null, 1, List.of(90.0, 97.5),
                List.of("magnitude", "momentum-paper", "fisher"), 0, List.of(0L), false, false, List.of("element", "8x8"));
        MasksStage stage = new MasksStage(quality, "grpo", deltas, 5, 1e-8, DeltaBasis.START);
        List<String> files = stage.outputs();
        assertThat(files).hasSize(3 * 2 * 2);

        Path out = dir.resolve("masks");
        Map<String, byte[]> first = build(stage, out, files);
        StageRunner.clear(out);
        Map<String, byte[]> second = build(stage, out, files);
        for (String f : files) {
            assertThat(second.get(f)).as(f).isEqualTo(first.get(f));
        }
        // the provenance is written in the order the stage gives it, not in Map.of's per-JVM order
        try (BufferAllocator allocator = new RootAllocator();
             MaskFileReader m = MaskFileReader.open(out.resolve(files.getLast()), allocator)) {
            assertThat(m.provenance().keySet()).containsExactly("scores", "deltas_phase", "structure");
            assertThat(m.provenance()).containsEntry("deltas_phase", "grpo");
        }
    }

    private static Map<String, byte[]> build(MasksStage stage, Path out, List<String> files) throws Exception {
        Files.createDirectories(out);
        try (Backend backend = new JvmBackend(2, JvmBackend.DEFAULT_CHUNK_SIZE)) {
            stage.run(out, new StageContext(out, backend, Progress.NONE, new PrintWriter(new StringWriter())));
        }
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        for (String f : files) {
            bytes.put(f, Files.readAllBytes(out.resolve(f)));
        }
        return bytes;
    }
}
