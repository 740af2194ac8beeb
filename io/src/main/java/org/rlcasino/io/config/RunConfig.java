package org.rlcasino.io.config;

import java.util.regex.Pattern;

/**
 * A run-config: one experiment, as a JSON file under {@code run-configs/}. Loaded by
 * {@link RunConfigLoader}, which rejects unknown keys; every section validates itself and missing
 * optional fields take the defaults documented here and in the README. Later stages add their
 * own sections.
 *
 * @param name        run name, used for {@code runs/<name>/}: letters, digits, {@code . _ -}
 * @param description free text (optional)
 * @param seed        master seed (default 0)
 * @param backend     where kernels run (default: JVM on all processors)
 * @param optimizer   AdamW hyperparameters (default: PyTorch's)
 */
public record RunConfig(String name, String description, Long seed, BackendSection backend,
                        OptimizerSection optimizer) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public RunConfig {
        if (name == null) {
            throw new IllegalArgumentException("name is required (letters, digits, '.', '_' or '-')");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1-128 letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        description = description == null ? "" : description;
        seed = seed == null ? 0L : seed;
        backend = backend == null ? BackendSection.DEFAULTS : backend;
        optimizer = optimizer == null ? OptimizerSection.DEFAULTS : optimizer;
    }
}
