package org.rlcasino.io.deltas;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which tensors to take, by glob on their names ({@code *} any characters including dots,
 * {@code ?} one character): a tensor is selected when it matches an include pattern (or none
 * are given) and no exclude pattern. E.g. {@code --exclude '*.ln_*' --exclude 'wte.*'}.
 */
public record TensorSelection(List<String> include, List<String> exclude) {
    public static final TensorSelection ALL = new TensorSelection(List.of(), List.of());

    public TensorSelection {
        include = include == null ? List.of() : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        for (String g : include) {
            requirePattern(g);
        }
        for (String g : exclude) {
            requirePattern(g);
        }
    }

    private static void requirePattern(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("tensor patterns must not be blank");
        }
    }

    public boolean selects(String name) {
        boolean in = include.isEmpty();
        for (String g : include) {
            in |= matches(g, name);
        }
        if (!in) {
            return false;
        }
        for (String g : exclude) {
            if (matches(g, name)) {
                return false;
            }
        }
        return true;
    }

    /** The selected names in order; an include pattern that matches nothing is an error (likely a typo). */
    public List<String> apply(List<String> names) {
        for (String g : include) {
            if (names.stream().noneMatch(n -> matches(g, n))) {
                throw new IllegalArgumentException("--include '" + g + "' matches no tensor (names look like '"
                        + (names.isEmpty() ? "" : names.getFirst()) + "')");
            }
        }
        List<String> selected = new ArrayList<>();
        for (String n : names) {
            if (selects(n)) {
                selected.add(n);
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("no tensor left after --include " + include + " --exclude " + exclude);
        }
        return selected;
    }

    static boolean matches(String glob, String name) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return name.matches(regex.toString());
    }
}
