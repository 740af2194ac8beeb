package org.rlcasino.train.model;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.ParameterLayout;

/**
 * A causal language model as the trainer, the evaluator, the delta logger and the sampler use it,
 * whatever its family ({@link GptModel}; the Llama-family and Gemma 3 decoders of
 * {@code org.rlcasino.train.family}): one flat float32 parameter buffer with Hugging Face-named views
 * (so masks, deltas, scorers and the optimizers address every family alike), the log-probabilities
 * of targets, the gradient of {@code Σ dlogp·logp}, and KV-cache generation.
 *
 * <p>On a device backend the parameters and gradients live on the device between steps: read them
 * through {@link #parametersOnHost()} / {@link #gradientsOnHost()}, and after writing
 * {@link #parameters()} on the host call {@link #parametersWritten()}. Not thread-safe.
 */
public interface LanguageModel extends AutoCloseable {
    Architecture architecture();

    Backend backend();

    /** Names, shapes and offsets of the tensors in {@link #parameters()} and {@link #gradients()}. */
    default ParameterLayout layout() {
        return architecture().layout();
    }

    /** The flat parameter buffer (live; the optimizer updates it in place). */
    float[] parameters();

    /** {@link #parameters()} made current on the host. */
    float[] parametersOnHost();

    /** Announces that the host wrote {@link #parameters()}. */
    void parametersWritten();

    /**
     * Writes seeded random initial weights (Hugging Face's initialisation: normal with std 0.02 for
     * matrices and embeddings, GPT-2's residual projections scaled by 1/√(2·layers); biases 0; norm
     * weights at identity) and announces them.
     */
    void initialize(long seed);

    /** The flat gradient buffer, in the parameters' layout. */
    float[] gradients();

    /** {@link #gradients()} made current on the host. */
    float[] gradientsOnHost();

    /**
     * Readies {@link #gradients()} for the next {@link #backward}: after {@code zeroGradients();
     * backward(d)} the buffer holds the gradient of that one backward (entries outside a
     * {@link #restrictGradients gradient mask} keep whatever they held).
     */
    void zeroGradients();

    /**
     * Marks this model as one that only ever runs forward passes (a frozen reference): shapes prepared
     * from now on get no backward program. Must come before the first prepare or forward.
     */
    void forwardOnly();

    /** Prepares the programs of a (batch, seqLen) shape now rather than at its first forward. */
    void prepare(int batch, int seqLen);

    /**
     * The log-probability of {@code targets[b·T+t]} after {@code tokens} (B rows of T, each attending
     * causally within itself; a negative target is none: log-prob 0, no gradient). The returned array
     * is the model's own and stays valid until the next forward.
     */
    float[] forward(int[] tokens, int[] targets, int batch, int seqLen);

    /** The logits (B·T·V) of the last forward, on the host. */
    float[] logits();

    /** Back-propagates {@code dLogProbs} (one per position of the last forward) into {@link #gradients()}. */
    void backward(float[] dLogProbs);

    /**
     * From now on the backward computes weight gradients only where {@code mask} says (frozen tensors
     * none, block-masked weights their active blocks; input gradients stay dense), bit-identical to
     * the dense backward where computed; {@code null}: all of them.
     */
    void restrictGradients(GradientMask mask);

    /** The backward's gradient mask, or null when it computes every gradient. */
    GradientMask gradientMask();

    /**
     * From now on {@link #forward} gives log-probs of the logits divided by {@code temperature} (and
     * {@link #backward} their gradient), as TRL's GRPOTrainer computes them at its sampling
     * temperature; 1 (the default) is the plain log-softmax, bit for bit. {@link #logits()} stays
     * undivided. Prepared programs are rebuilt when it changes.
     */
    void logProbTemperature(double temperature);

    /** A KV-cache generator for up to {@code maxBatch} rows of up to {@code maxLength} tokens. */
    TokenGenerator generator(int maxBatch, int maxLength);

    /** Releases the model's programs on its backend (on a device: the parameters come back first). */
    @Override
    void close();
}
