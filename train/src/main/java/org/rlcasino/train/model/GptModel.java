package org.rlcasino.train.model;

import org.rlcasino.tasks.Backend;
import org.rlcasino.tasks.ParameterLayout;

/**
 * GPT-2 with all parameters in one flat buffer addressed through named views ({@link GptConfig#layout()}),
 * gradients likewise; forward and backward run as tornado-tasks kernels through a {@link Backend}.
 *
 * <p>SKELETON: the public API the trainer codes against; the model issue fills in the bodies.
 */
public final class GptModel implements AutoCloseable {
    private final GptConfig config;
    private final Backend backend;
    private final ParameterLayout layout;
    private final float[] parameters;
    private final float[] gradients;

    public GptModel(GptConfig config, Backend backend) {
        this.config = config;
        this.backend = backend;
        this.layout = config.layout();
        this.parameters = new float[layout.totalSize()];
        this.gradients = new float[layout.totalSize()];
    }

    public GptConfig config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    /** Names, shapes and offsets of the tensors in {@link #parameters()} and {@link #gradients()}. */
    public ParameterLayout layout() {
        return layout;
    }

    /** The flat parameter buffer (live; the optimizer updates it in place). */
    public float[] parameters() {
        return parameters;
    }

    /** The flat gradient buffer, same layout; {@link #backward} adds into it. */
    public float[] gradients() {
        return gradients;
    }

    /** GPT-2 initialisation from {@code seed}: N(0, 0.02) weights, residual projections scaled by 1/sqrt(2L), zero biases, unit LayerNorm weights. */
    public void initialize(long seed) {
        throw new UnsupportedOperationException("skeleton");
    }

    public void zeroGradients() {
        java.util.Arrays.fill(gradients, 0f);
    }

    /**
     * Runs the model on {@code batch} rows of {@code seqLen} tokens and returns, per position, the
     * log-probability of {@code targets[b*seqLen+t]} (0 where the target is negative: ignored).
     * The returned array and the activations stay valid until the next forward.
     */
    public float[] forward(int[] tokens, int[] targets, int batch, int seqLen) {
        throw new UnsupportedOperationException("skeleton");
    }

    /** Logits of the last forward, (batch·seqLen·V). */
    public float[] logits() {
        throw new UnsupportedOperationException("skeleton");
    }

    /**
     * Back-propagates {@code dLogProbs} (dLoss/d log p(target), one per position of the last
     * forward; 0 where ignored) and adds the parameter gradients into {@link #gradients()}.
     */
    public void backward(float[] dLogProbs) {
        throw new UnsupportedOperationException("skeleton");
    }

    @Override
    public void close() {
        // activations are plain arrays; the backend belongs to the caller
    }
}
