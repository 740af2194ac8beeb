package org.rlcasino.io.config;

/**
 * SKELETON (train issue fills it in): the GPT-2 model of a run-config.
 *
 * @param layers   transformer blocks
 * @param heads    attention heads
 * @param channels embedding width
 * @param maxSeqLen longest sequence
 * @param init     directory of a Hugging Face-style checkpoint to start from (absent: random init)
 */
public record ModelSection(Integer layers, Integer heads, Integer channels, Integer maxSeqLen, String init) {
}
