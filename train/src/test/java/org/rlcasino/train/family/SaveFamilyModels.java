package org.rlcasino.train.family;

import java.nio.file.Files;
import java.nio.file.Path;

import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.kernels.JvmBackend;

/**
 * Saves the four tiny family models of DecoderModelTest through {@link DecoderModel#save} (BF16,
 * sharded at 20 kB, with an index) into {@code OUT/<family>/} with the logits the saved model gives
 * here ({@code java_logits.txt}), for {@code train/src/test/python/check_saved_models.py} to load with
 * transformers and compare. Not a test: run it from the repository root when changing how models are
 * saved, e.g. {@code java -cp cli/target/casino.jar:train/target/test-classes --add-modules=jdk.incubator.vector
 * org.rlcasino.train.family.SaveFamilyModels /tmp/saved}.
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
                try (DecoderModel back = DecoderModel.open(target, backend)) {
                    float[] logits = back.logits(tokens, 1, 9);
                    StringBuilder text = new StringBuilder();
                    for (int i = 0; i < logits.length; i++) {
                        text.append(i == 0 ? "" : ",").append(logits[i]);
                    }
                    Files.writeString(target.resolve("java_logits.txt"), text + "\n");
                }
                System.out.println("saved " + target);
            }
        }
    }
}
