package org.rlcasino.io.config;

/**
 * SKELETON (train issue fills it in): one training phase of a run-config.
 *
 * @param name  unique phase name (its output directory)
 * @param kind  {@code sft}, {@code dpo} or {@code grpo}
 * @param from  phase whose final checkpoint this one starts from (default: the previous phase)
 * @param steps optimizer steps
 */
public record PhaseSection(String name, String kind, String from, Integer steps) {
}
