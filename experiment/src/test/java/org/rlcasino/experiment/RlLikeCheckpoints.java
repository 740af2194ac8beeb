package org.rlcasino.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsWriter;

/**
 * A small checkpoint series like an RL run's, as a TRL run writes it ({@code checkpoint-<step>/model.safetensors}):
 * a fixed 8 % of the entries drift steadily each step (the subnetwork RL changes), the rest only
 * jitter a little. Early deltas therefore predict the final mask well, and random masks do not.
 */
final class RlLikeCheckpoints {
    static final long[] SHAPE_A = {48, 64};
    static final long[] SHAPE_B = {256};

    private RlLikeCheckpoints() {}

    static Path write(Path dir, int checkpoints, long seed) throws IOException {
        int na = (int) (SHAPE_A[0] * SHAPE_A[1]);
        int nb = (int) SHAPE_B[0];
        int n = na + nb;
        SplittableRandom random = new SplittableRandom(seed);
        float[] theta = new float[n];
        float[] drift = new float[n];
        for (int i = 0; i < n; i++) {
            theta[i] = (float) (random.nextGaussian() * 0.02);
            drift[i] = random.nextDouble() < 0.08 ? (float) (random.nextGaussian() * 1e-3) : 0f;
        }
        for (int step = 0; step < checkpoints; step++) {
            if (step > 0) {
                for (int i = 0; i < n; i++) {
                    theta[i] += drift[i] + (float) (random.nextGaussian() * 2e-5);
                }
            }
            Path ckpt = dir.resolve("checkpoint-" + step * 10);
            Files.createDirectories(ckpt);
            float[] a = java.util.Arrays.copyOfRange(theta, 0, na);
            float[] b = java.util.Arrays.copyOfRange(theta, na, n);
            SafetensorsWriter.builder().metadata("format", "pt")
                    .add("model.a.weight", Dtype.F32, SHAPE_A, a)
                    .add("model.b.bias", Dtype.F32, SHAPE_B, b)
                    .build().write(ckpt.resolve("model.safetensors"));
        }
        return dir;
    }
}
