package org.rlcasino.io.config;

import java.util.Locale;

/** What a training phase optimises: supervised fine-tuning, DPO on sampled preference pairs, or GRPO. */
public enum PhaseKind {
    /** Supervised fine-tuning on the task's answers. */
    SFT,
    /** Direct preference optimisation on (right, wrong) pairs sampled from the policy, against a frozen reference. */
    DPO,
    /** Group-relative policy optimisation on sampled groups, optionally with a KL penalty to a frozen reference. */
    GRPO;

    /** The name in run-configs and reports: {@code sft}, {@code dpo}, {@code grpo}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the phase samples from the policy (DPO, GRPO). */
    public boolean reinforcement() {
        return this != SFT;
    }

    /** Parses a label, ignoring case; the error lists the valid ones. */
    public static PhaseKind parse(String text) {
        for (PhaseKind k : values()) {
            if (k.label().equalsIgnoreCase(text == null ? "" : text.strip())) {
                return k;
            }
        }
        throw new IllegalArgumentException("kind must be 'sft', 'dpo' or 'grpo', got "
                + (text == null ? "nothing" : "'" + text + "'"));
    }
}
