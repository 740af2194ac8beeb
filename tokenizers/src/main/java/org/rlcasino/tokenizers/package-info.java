/**
 * Hugging Face tokenizers read from {@code tokenizer.json} (+ {@code tokenizer_config.json}) and
 * the chat templates of {@code tokenizer_config.json} ({@code org.rlcasino.tokenizers.chat}).
 */
package org.rlcasino.tokenizers;
