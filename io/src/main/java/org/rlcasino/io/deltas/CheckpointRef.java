package org.rlcasino.io.deltas;

import java.nio.file.Path;

/**
 * One checkpoint of a training run.
 *
 * @param step training step it was saved at (from its name), or its position in the list given
 * @param path a safetensors file, a directory of shards, or a {@code model.safetensors.index.json}
 */
public record CheckpointRef(int step, Path path) {
    public CheckpointRef {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (path == null) {
            throw new IllegalArgumentException("checkpoint path must not be null");
        }
    }
}
