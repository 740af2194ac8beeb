package org.rlcasino.train.model;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.ParameterLayout;

/**
 * What a trainer needs to know about a model before it holds one: its family, the names and sizes
 * of its parameters, its vocabulary and context, what its activations and KV caches take on the
 * heap, and how to build it. {@link GptConfig} is GPT-2's; the Llama-family and Gemma 3 decoders
 * have theirs in {@code org.rlcasino.train.family}; a model directory names its own
 * ({@code org.rlcasino.train.checkpoint.ModelDirectory}).
 */
public interface Architecture {
    /** The Hugging Face {@code model_type}: gpt2, llama, mistral, qwen2, qwen3, gemma3_text. */
    String family();

    /** The parameters' Hugging Face names, shapes and offsets in the flat buffer. */
    ParameterLayout layout();

    int vocabSize();

    /** The longest sequence the model takes (GPT-2's n_positions, max_position_embeddings). */
    int maxSeqLen();

    /** Bytes of the activation buffers of one (rows, seqLen) batch shape, with or without the backward's. */
    long activationBytes(int rows, int seqLen, boolean backward);

    /** Bytes one generated row holds: its KV cache for {@code maxLength} positions and its logits. */
    long generationBytesPerRow(int maxLength);

    /** A model of this architecture on {@code backend}, its parameters zero until written. */
    LanguageModel create(Backend backend);
}
