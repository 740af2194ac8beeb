package org.rlcasino.io.arrow;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a mask file records about how the mask was built.
 *
 * @param method         builder name: {@code sampled-global-threshold}, {@code global-topk}, {@code random}…
 * @param targetSparsity requested fraction of inactive entries, in [0, 1]
 * @param threshold      the score threshold the mask was cut at, if there is one
 * @param parameters     the builder's parameters as strings (seed, sample size, floor…)
 * @param blockShapes    tensor name → block shape, for the tensors whose block structure the file stores
 */
public record MaskFileInfo(String method, double targetSparsity, OptionalDouble threshold, Map<String, String> parameters,
                           Map<String, BlockShape> blockShapes) {
    public MaskFileInfo {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("method must be a non-blank name such as global-topk or random");
        }
        if (!(targetSparsity >= 0 && targetSparsity <= 1)) {
            throw new IllegalArgumentException("targetSparsity must be in [0, 1], got " + targetSparsity);
        }
        if (threshold == null) {
            throw new IllegalArgumentException("threshold must not be null (use OptionalDouble.empty())");
        }
        if (threshold.isPresent() && !Double.isFinite(threshold.getAsDouble())) {
            throw new IllegalArgumentException("threshold must be finite, got " + threshold.getAsDouble());
        }
        parameters = MetadataJson.copyStringMap("parameters", parameters);
        if (blockShapes == null) {
            throw new IllegalArgumentException("blockShapes must not be null (use an empty map)");
        }
        java.util.LinkedHashMap<String, BlockShape> copy = new java.util.LinkedHashMap<>();
        blockShapes.forEach((name, shape) -> {
            if (name == null || shape == null) {
                throw new IllegalArgumentException("blockShapes must not hold null names or shapes");
            }
            copy.put(name, shape);
        });
        blockShapes = java.util.Collections.unmodifiableMap(copy);
    }

    /** A mask without block structure. */
    public static MaskFileInfo of(String method, double targetSparsity, OptionalDouble threshold, Map<String, String> parameters) {
        return new MaskFileInfo(method, targetSparsity, threshold, parameters, Map.of());
    }

    public MaskFileInfo withBlockShapes(Map<String, BlockShape> blockShapes) {
        return new MaskFileInfo(method, targetSparsity, threshold, parameters, blockShapes);
    }
}
