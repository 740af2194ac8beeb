package org.rlcasino.io.config;

import java.util.Locale;

/**
 * The verifiable task of a run-config: prompts whose answers are checked exactly; held-out accuracy
 * is always exact match, the reward that RL phases optimise is chosen by {@code reward}.
 *
 * @param kind           {@code addition} ("37+45=" → "82"), {@code reverse} ("r1234=" → "4321") or
 *                       {@code sort} ("s3141=" → "1134") (required)
 * @param digits         addition: digits of each operand (exactly that many: uniform in [10^(d-1), 10^d), [0, 10) for 1); reverse/sort:
 *                       length of the digit string; in [1, 9] (default 2 for addition, 4 otherwise)
 * @param heldOutPrompts prompts in the held-out split, {@code >= 1} (default 256); they never appear in training
 * @param splitSeed      seed of the train/held-out split (default 0), independent of the run seed so
 *                       runs with different seeds evaluate on the same held-out prompts
 * @param reward         {@code exact} (default: 1 for exactly the answer and the end token, else 0) or
 *                       {@code partial} (the fraction of the answer's characters and the end token
 *                       that the completion has at their positions: partial credit, 1 only when exact)
 */
public record TaskSection(String kind, Integer digits, Integer heldOutPrompts, Long splitSeed, String reward) {
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
        reward = reward == null ? "exact" : reward.toLowerCase(Locale.ROOT);
        if (!reward.equals("exact") && !reward.equals("partial")) {
            throw new IllegalArgumentException("reward must be 'exact' or 'partial', got '" + reward + "'");
        }
    }
}
