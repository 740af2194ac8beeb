package org.rlcasino.io.config;

import java.util.Locale;

/**
 * The verifiable task of a run-config: prompts whose answers are checked by exact match.
 *
 * @param kind           {@code addition} ("37+45=" → "82"), {@code reverse} ("r1234=" → "4321") or
 *                       {@code sort} ("s3141=" → "1134") (required)
 * @param digits         addition: digits per operand (operands uniform in [0, 10^digits)); reverse/sort:
 *                       length of the digit string; in [1, 9] (default 2 for addition, 4 otherwise)
 * @param heldOutPrompts prompts in the held-out split, {@code >= 1} (default 256); they never appear in training
 * @param splitSeed      seed of the train/held-out split (default 0), independent of the run seed so
 *                       runs with different seeds evaluate on the same held-out prompts
 */
public record TaskSection(String kind, Integer digits, Integer heldOutPrompts, Long splitSeed) {
    public TaskSection {
        if (kind == null) {
            throw new IllegalArgumentException("kind is required: 'addition', 'reverse' or 'sort'");
        }
        kind = kind.toLowerCase(Locale.ROOT);
        if (!kind.equals("addition") && !kind.equals("reverse") && !kind.equals("sort")) {
            throw new IllegalArgumentException("kind must be 'addition', 'reverse' or 'sort', got '" + kind + "'");
        }
        digits = digits == null ? (kind.equals("addition") ? 2 : 4) : digits;
        if (digits < 1 || digits > 9) {
            throw new IllegalArgumentException("digits must be in [1, 9], got " + digits);
        }
        heldOutPrompts = ModelSection.atLeast("heldOutPrompts", heldOutPrompts, 256, 1);
        splitSeed = splitSeed == null ? 0L : splitSeed;
    }
}
