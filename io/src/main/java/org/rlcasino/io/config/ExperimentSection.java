package org.rlcasino.io.config;

/**
 * SKELETON (eval issue fills it in): what {@code casino run} measures and reports.
 */
public record ExperimentSection(String checkpoints) {
}
