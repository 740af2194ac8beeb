package org.rlcasino.io.config;

import java.util.List;
import java.util.Set;

import org.rlcasino.io.arrow.BlockShape;

/** Checks shared by the experiment sections. */
final class Sections {
    private Sections() {}

    /**
     * Mask structures: each {@code element} (when {@code elementAllowed}) or a block shape {@code RxC}
     * ({@link BlockShape#parse}), no repeats; {@code defaults} when absent.
     */
    static List<String> maskStructures(String field, List<String> values, List<String> defaults, boolean elementAllowed) {
        if (values == null) {
            return defaults;
        }
        if (values.isEmpty() && elementAllowed) {
            throw new IllegalArgumentException(field + " must list at least one of element, 16x16, 32x32, …");
        }
        for (String b : values) {
            if (b == null || !(elementAllowed && b.equals("element")) && !blockShape(b)) {
                throw new IllegalArgumentException(field + ": '" + b + "' is " + (elementAllowed ? "neither element nor " : "not ")
                        + "a block shape RxC (16x16, 32x32, stripes 1x64 or 64x1)");
            }
        }
        if (Set.copyOf(values).size() != values.size()) {
            throw new IllegalArgumentException(field + " lists a structure twice: " + values);
        }
        return List.copyOf(values);
    }

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

    private static boolean blockShape(String text) {
        try {
            return BlockShape.parse(text).toString().equals(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
