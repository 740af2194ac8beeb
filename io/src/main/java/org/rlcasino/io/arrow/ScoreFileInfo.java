package org.rlcasino.io.arrow;

import java.util.List;
import java.util.Map;

/**
 * What a score file records about how its scores were computed.
 *
 * @param method      scorer name: {@code magnitude}, {@code momentum}, {@code fisher}…
 * @param parameters  the scorer's parameters as strings (window, eps, variant…)
 * @param sourceSteps the delta steps the scores were computed from, ascending
 */
public record ScoreFileInfo(String method, Map<String, String> parameters, List<Integer> sourceSteps) {
    public ScoreFileInfo {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("method must be a non-blank name such as magnitude, momentum or fisher");
        }
        parameters = MetadataJson.copyStringMap("parameters", parameters);
        if (sourceSteps == null) {
            throw new IllegalArgumentException("sourceSteps must not be null (use an empty list)");
        }
        sourceSteps = List.copyOf(sourceSteps);
        for (int i = 1; i < sourceSteps.size(); i++) {
            if (sourceSteps.get(i) <= sourceSteps.get(i - 1)) {
                throw new IllegalArgumentException("sourceSteps must be strictly ascending, got " + sourceSteps);
            }
        }
    }
}
