package org.rlcasino.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.rlcasino.io.Progress;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;
import org.rlcasino.io.safetensors.SafetensorsWriter;

/**
 * A synthetic series of checkpoints like those of an RL fine-tuning run: θ_0 ~ N(0, 0.02²), and
 * at every later step a tenth of the entries (a different tenth each step) move by N(0, 1e-3²).
 * Values are a pure function of (seed, tensor, element, step), so each checkpoint is streamed to
 * disk without holding the model in memory, and regenerating gives the same files.
 * Layout: {@code <dir>/step_<k>.safetensors}, tensors {@code layers.<i>.weight} of 1024 × 4096.
 */
public final class SyntheticCheckpoints {
    /** Columns and rows of each synthetic tensor. */
    public static final int ROWS = 1024;
    public static final int COLUMNS = 4096;

    private SyntheticCheckpoints() {}

    /**
     * Writes (or reuses, when present with the right size) {@code checkpoints} checkpoints totalling
     * about {@code totalBytes} in {@code dtype}; returns their paths in step order.
     */
    public static List<Path> generate(Path dir, long totalBytes, int checkpoints, Dtype dtype, long seed,
                                      Progress progress) throws IOException {
        if (checkpoints < 2) {
            throw new IllegalArgumentException("checkpoints must be >= 2, got " + checkpoints);
        }
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("dtype must be a float type (F32, F16, BF16), got " + dtype);
        }
        long tensorBytes = (long) ROWS * COLUMNS * dtype.byteSize();
        int tensors = (int) Math.max(1, totalBytes / checkpoints / tensorBytes);
        Files.createDirectories(dir);
        List<Path> paths = new ArrayList<>();
        progress.begin("generate", (long) checkpoints * tensors);
        for (int step = 0; step < checkpoints; step++) {
            Path path = dir.resolve("step_" + step + ".safetensors");
            paths.add(path);
            if (matches(path, tensors, dtype)) {
                for (int t = 0; t < tensors; t++) {
                    progress.advance(1);
                }
                continue;
            }
            SafetensorsWriter.Builder builder = SafetensorsWriter.builder().metadata("format", "pt")
                    .metadata("rlcasino.synthetic", "seed=" + seed + ",step=" + step);
            for (int t = 0; t < tensors; t++) {
                int tensor = t;
                int at = step;
                builder.add("layers." + t + ".weight", dtype, new long[] {ROWS, COLUMNS}, sink -> {
                    float[] chunk = new float[COLUMNS];
                    for (int r = 0; r < ROWS; r++) {
                        long base = (long) r * COLUMNS;
                        for (int c = 0; c < COLUMNS; c++) {
                            chunk[c] = value(seed, tensor, base + c, at);
                        }
                        sink.writeFloats(chunk, 0, COLUMNS);
                    }
                    progress.advance(1);
                });
            }
            builder.build().write(path);
        }
        progress.end();
        return paths;
    }

    private static boolean matches(Path path, int tensors, Dtype dtype) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(path)) {
            return c.tensors().size() == tensors && c.tensors().getFirst().dtype() == dtype;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /** θ_step[i] of a tensor. */
    static float value(long seed, int tensor, long i, int step) {
        long key = seed * 0x9E3779B97F4A7C15L + ((long) tensor << 40) + i;
        double v = 0.02 * gaussian(mix(key));
        for (int s = 1; s <= step; s++) {
            long h = mix(key ^ (0xD1B54A32D192ED03L * s));
            if (Long.remainderUnsigned(h, 10) == 0) {
                v += 1e-3 * gaussian(mix(h));
            }
        }
        return (float) v;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** An approximately normal value from 64 random bits (sum of four uniforms, scaled to unit variance). */
    private static double gaussian(long bits) {
        double sum = 0;
        for (int k = 0; k < 4; k++) {
            sum += ((bits >>> (16 * k)) & 0xFFFF) / 65536.0;
        }
        return (sum - 2.0) * Math.sqrt(3.0);
    }
}
