package org.rlcasino.io.config;

/**
 * SKELETON (train issue fills it in): the verifiable task of a run-config.
 *
 * @param kind {@code addition} or {@code reverse}
 */
public record TaskSection(String kind) {
}
