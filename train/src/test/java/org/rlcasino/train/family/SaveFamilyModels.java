package org.rlcasino.train.family;

import java.nio.file.Files;
import java.nio.file.Path;

import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.kernels.JvmBackend;

/**
 * Saves the four tiny family models of DecoderModelTest through {@link DecoderModel#save} (BF16,
 * sharded at 20 kB, with an index) into {@code OUT/<family>/} with the logits the saved model gives
 * here ({@code java_logits.txt}), for {@code train/src/test/python/check_saved_models.py} to load with
 * transformers and compare; and, as {@code OUT/<family>-trained/}, the final directory of a short
 * trainer run (SFT, then GRPO with BSR-AdamW at 90 %) started from each model (run-config
 * {@code model.init}), with its logits likewise. Not a test: run it from the repository root when changing how models are
 * saved, e.g. {@code java -cp cli/target/casino.jar:train/target/test-classes --add-modules=jdk.incubator.vector
 * --add-opens=java.base/java.nio=ALL-UNNAMED org.rlcasino.train.family.SaveFamilyModels /tmp/saved}.
 */
public final class SaveFamilyModels {
    private SaveFamilyModels() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "saved-family-models");
        int[] tokens = {3, 14, 15, 9, 2, 6, 5, 35, 8};
        for (String family : new String[] {"llama", "qwen2", "qwen3", "gemma3"}) {
            try (JvmBackend backend = new JvmBackend(2, 1 << 14);
                 DecoderModel model = DecoderModel.open(Path.of("train/src/test/resources/families/" + family + "-model"), backend)) {
                Path target = out.resolve(family);
                model.save(target, Dtype.BF16, 20_000);
                writeLogits(target, tokens, backend);
                System.out.println("saved " + target);
                Path trained = train(family, out.resolve("runs").resolve(family), backend);
                Path copy = out.resolve(family + "-trained");
                Files.createDirectories(copy);
                try (var files = Files.list(trained)) {
                    for (Path f : files.toList()) {
                        Files.copy(f, copy.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                writeLogits(copy, tokens, backend);
                System.out.println("trained " + copy);
            }
        }
    }

    private static void writeLogits(Path directory, int[] tokens, JvmBackend backend) throws Exception {
        try (DecoderModel back = DecoderModel.open(directory, backend)) {
            float[] logits = back.logits(tokens, 1, tokens.length);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < logits.length; i++) {
                text.append(i == 0 ? "" : ",").append(logits[i]);
            }
            Files.writeString(directory.resolve("java_logits.txt"), text + "\n");
        }
    }

    /** Runs SFT then a BSR-AdamW GRPO phase from the family's tiny model; returns the last phase's final directory. */
    private static Path train(String family, Path runDir, JvmBackend backend) {
        String json = """
                {"name": "%s-trained", "seed": 2,
                 "model": {"init": "%s"},
                 "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 10},
                 "optimizer": {"lr": 1e-2},
                 "phases": [{"name": "sft", "kind": "sft", "steps": 4, "batchSize": 4, "logDeltas": {}},
                            {"name": "rl", "kind": "grpo", "steps": 3, "batchSize": 2, "groupSize": 3, "optimizer": "bsr-adamw",
                             "mask": {"fromPhase": "sft", "sparsity": 90}}]}
                """.formatted(family, Path.of("train/src/test/resources/families/" + family + "-model").toAbsolutePath());
        org.rlcasino.io.config.RunConfig config = org.rlcasino.io.config.RunConfigLoader.parse(family + ".json",
                json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (var phase : config.phases()) {
            org.rlcasino.train.phase.PhaseTrainer.run(config, phase.name(), runDir, backend, false, null);
        }
        return runDir.resolve("rl").resolve("final");
    }
}
