package org.rlcasino.train.model;

import org.rlcasino.kernels.ParameterLayout;

/**
 * Shape of a GPT-2 model (Radford et al. 2019; Hugging Face {@code GPT2Config} names in brackets):
 * decoder-only, learned positional embeddings, pre-LayerNorm blocks, GELU (tanh approximation),
 * causal multi-head attention, a 4·C MLP, output head tied to the token embedding, LayerNorm eps 1e-5.
 *
 * @param vocabSize tokens in the vocabulary (V, {@code vocab_size})
 * @param maxSeqLen longest sequence (maxT, {@code n_positions})
 * @param numLayers transformer blocks (L, {@code n_layer})
 * @param numHeads  attention heads (NH, {@code n_head}); must divide {@code channels}
 * @param channels  embedding width (C, {@code n_embd})
 */
public record GptConfig(int vocabSize, int maxSeqLen, int numLayers, int numHeads, int channels) implements Architecture {
    /** LayerNorm epsilon of GPT-2. */
    public static final float LAYER_NORM_EPS = 1e-5f;

    public GptConfig {
        positive("vocabSize", vocabSize);
        positive("maxSeqLen", maxSeqLen);
        positive("numLayers", numLayers);
        positive("numHeads", numHeads);
        positive("channels", channels);
        if (channels % numHeads != 0) {
            throw new IllegalArgumentException("channels (" + channels + ") must be a multiple of numHeads ("
                    + numHeads + ")");
        }
        long params = parameterCount(vocabSize, maxSeqLen, numLayers, channels);
        if (params > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("model has " + params + " parameters; at most "
                    + (Integer.MAX_VALUE - 8) + " fit one flat float[] buffer");
        }
    }

    /** GPT-2 small (124M) with the given vocabulary and context. */
    public static GptConfig gpt2Small(int vocabSize, int maxSeqLen) {
        return new GptConfig(vocabSize, maxSeqLen, 12, 12, 768);
    }

    /** Channels per head. */
    public int headSize() {
        return channels / numHeads;
    }

    /** Total number of parameters (tied head counted once). */
    public int parameterCount() {
        return (int) parameterCount(vocabSize, maxSeqLen, numLayers, channels);
    }

    private static long parameterCount(long v, long t, long l, long c) {
        return v * c + t * c + l * (12 * c * c + 13 * c) + 2 * c;
    }

    /**
     * The named views of the flat parameter buffer, in Hugging Face GPT-2 names and layouts
     * (Conv1D weights stored (in, out)), in this order: {@code wte.weight} (V, C),
     * {@code wpe.weight} (maxT, C), then per block {@code h.{l}.ln_1.weight}, {@code .ln_1.bias},
     * {@code .attn.c_attn.weight} (C, 3C), {@code .attn.c_attn.bias}, {@code .attn.c_proj.weight}
     * (C, C), {@code .attn.c_proj.bias}, {@code .ln_2.weight}, {@code .ln_2.bias},
     * {@code .mlp.c_fc.weight} (C, 4C), {@code .mlp.c_fc.bias}, {@code .mlp.c_proj.weight} (4C, C),
     * {@code .mlp.c_proj.bias}, and finally {@code ln_f.weight}, {@code ln_f.bias}. Gradients use
     * the same layout.
     */
    public ParameterLayout layout() {
        int c = channels;
        ParameterLayout.Builder b = ParameterLayout.builder()
                .add("wte.weight", vocabSize, c)
                .add("wpe.weight", maxSeqLen, c);
        for (int l = 0; l < numLayers; l++) {
            String h = "h." + l + ".";
            b.add(h + "ln_1.weight", c).add(h + "ln_1.bias", c)
                    .add(h + "attn.c_attn.weight", c, 3 * c).add(h + "attn.c_attn.bias", 3 * c)
                    .add(h + "attn.c_proj.weight", c, c).add(h + "attn.c_proj.bias", c)
                    .add(h + "ln_2.weight", c).add(h + "ln_2.bias", c)
                    .add(h + "mlp.c_fc.weight", c, 4 * c).add(h + "mlp.c_fc.bias", 4 * c)
                    .add(h + "mlp.c_proj.weight", 4 * c, c).add(h + "mlp.c_proj.bias", c);
        }
        b.add("ln_f.weight", c).add("ln_f.bias", c);
        return b.build();
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + value);
        }
    }

    @Override
    public String family() {
        return "gpt2";
    }

    @Override
    public long activationBytes(int rows, int seqLen, boolean backward) {
        return GptModel.activationBytes(this, rows, seqLen, backward);
    }

    /** GPT-2's generator caches keys and values of every layer for maxSeqLen positions, whatever maxLength. */
    @Override
    public long generationBytesPerRow(int maxLength) {
        return 4L * 2 * numLayers * maxSeqLen * channels + 4L * vocabSize;
    }

    @Override
    public GptModel create(org.rlcasino.kernels.Backend backend) {
        return new GptModel(this, backend);
    }
}
