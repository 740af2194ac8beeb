package org.rlcasino.io;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Near names for "no such name" messages (tensors, config keys), ranked by edit distance. */
public final class NameSuggestions {
    private static final int SHOWN = 5;

    private NameSuggestions() {}

    /** E.g. {@code no tensor 'h.0.attn.weight' among 148; nearest: 'h.0.attn.c_attn.weight', ...}. */
    public static String missing(String name, Collection<String> names) {
        if (names.isEmpty()) {
            return "no tensor '" + name + "' (there are no tensors)";
        }
        List<String> nearest = names.stream()
                .map(n -> new Ranked(n, distance(name, n)))
                .sorted(Comparator.comparingInt(Ranked::distance).thenComparing(Ranked::name))
                .limit(SHOWN)
                .map(r -> "'" + r.name() + "'")
                .toList();
        return "no tensor '" + name + "' among " + names.size() + "; nearest: " + String.join(", ", nearest);
    }

    private record Ranked(String name, int distance) {}

    /** Levenshtein distance (insertions, deletions, substitutions of chars). */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
