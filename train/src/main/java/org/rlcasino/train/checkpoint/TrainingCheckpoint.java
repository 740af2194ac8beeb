package org.rlcasino.train.checkpoint;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlcasino.io.AtomicFileWriter;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsFile;
import org.rlcasino.io.safetensors.SafetensorsWriter;
import org.rlcasino.optimizer.OptimizerState;
import org.rlcasino.train.model.Architecture;
import org.rlcasino.train.task.CharTokenizer;

/**
 * A resumable checkpoint of a phase, {@code checkpoints/step-N/}: the model directory
 * ({@link ModelCheckpoint}), {@code optimizer.safetensors} (m and v: dense, one per parameter, or
 * compact, one per active entry; step, skipped steps and active-set digest in the metadata) and
 * {@code trainer.json} (step, RNG state). The directory is written under a temporary name and renamed,
 * so a crash never leaves a half-written {@code step-N}.
 *
 * @param step     steps completed
 * @param rngState state of the phase's {@link org.rlcasino.train.rng.SplitMix64}
 * @param params   model parameters after {@code step}
 * @param state    optimizer state after {@code step}
 */
public record TrainingCheckpoint(int step, long rngState, float[] params, OptimizerState state) {
    public static final String DIRECTORY = "checkpoints";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes {@code phaseDir/checkpoints/step-<step>/}. */
    public void save(Path phaseDir, Architecture architecture, CharTokenizer tokenizer) throws IOException {
        Path root = phaseDir.resolve(DIRECTORY);
        Files.createDirectories(root);
        Path target = root.resolve("step-" + step);
        Path temp = root.resolve(".step-" + step + ".tmp");
        deleteTree(temp);
        ModelDirectory.save(temp, architecture, params, tokenizer);
        SafetensorsWriter.builder()
                .metadata("optimizer", state.optimizer())
                .metadata("step", Long.toString(state.step()))
                .metadata("skipped_steps", Long.toString(state.skippedSteps()))
                .metadata("active_set_digest", Long.toString(state.activeSetDigest()))
                .add("m", Dtype.F32, new long[]{state.m().length}, state.m())
                .add("v", Dtype.F32, new long[]{state.v().length}, state.v())
                .build().write(temp.resolve("optimizer.safetensors"));
        ObjectNode t = JSON.createObjectNode();
        t.put("step", step);
        t.put("rng_state", rngState);
        AtomicFileWriter.writeString(temp.resolve("trainer.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(t));
        deleteTree(target);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target);
        }
    }

    /** The latest complete checkpoint under {@code phaseDir/checkpoints}, if any. */
    public static Optional<Path> latest(Path phaseDir) throws IOException {
        Path root = phaseDir.resolve(DIRECTORY);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d+") && Files.isRegularFile(p.resolve("trainer.json")))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(5))));
        }
    }

    /** Reads a checkpoint directory written by {@link #save}. */
    public static TrainingCheckpoint load(Path dir) throws IOException {
        ModelDirectory model = ModelDirectory.load(dir);
        JsonNode t = JSON.readTree(Files.readString(dir.resolve("trainer.json")));
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("optimizer.safetensors"))) {
            var md = f.metadata();
            OptimizerState state = new OptimizerState(md.get("optimizer"), Long.parseLong(md.get("step")),
                    Long.parseLong(md.get("skipped_steps")), Long.parseLong(md.get("active_set_digest")),
                    f.readFloats("m"), f.readFloats("v"));
            return new TrainingCheckpoint(t.get("step").intValue(), t.get("rng_state").longValue(), model.params(), state);
        }
    }

    /** Deletes {@code dir} and everything below it, if it exists. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
