package org.rlcasino.io.config;

import java.util.List;
import java.util.Set;

/** Checks shared by the experiment sections. */
final class Sections {
    private Sections() {}

    /** A list of sparsity percentages, each in (0, 100), no repeats; {@code defaults} when absent. */
    static List<Double> sparsities(String field, List<Double> values, List<Double> defaults) {
        if (values == null) {
            return defaults;
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(field + " must list at least one percentage in (0, 100)");
        }
        for (Double s : values) {
            if (s == null || !(s > 0 && s < 100)) {
                throw new IllegalArgumentException(field + ": each sparsity must be a percentage in (0, 100), got " + s);
            }
        }
        if (Set.copyOf(values).size() != values.size()) {
            throw new IllegalArgumentException(field + " lists a sparsity twice: " + values);
        }
        return List.copyOf(values);
    }
}
