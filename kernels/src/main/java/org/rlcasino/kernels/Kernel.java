package org.rlcasino.kernels;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The kernels a {@link Backend} can launch. Each constant names the {@code *Kernels} class of a kernel
 * method whose name is the constant's without underscores, case aside ({@code SPARSE_ADAMW} →
 * {@link AdamWKernels#sparseAdamW}). The method is the one place its signature is written: the
 * argument types ({@link #parameterTypes()}), the JVM's call ({@link #runOnJvm}) and the TornadoVM
 * backend's task all come from it. Adding a kernel means adding a constant here, its JVM test against a
 * scalar oracle and its TornadoVM parity test.
 */
public enum Kernel {
    /** {@link AdamWKernels#adamW}(p, m, v, g, hyper). */
    ADAMW(AdamWKernels.class),
    /** {@link AdamWKernels#sparseAdamW}(p, m, v, g, indices, hyper). */
    SPARSE_ADAMW(AdamWKernels.class),
    /** {@link AdamWKernels#blockSparseAdamW}(p, m, v, g, runStart, runState, runLength, hyper). */
    BLOCK_SPARSE_ADAMW(AdamWKernels.class),
    /** {@link ReductionKernels#sumOfSquaresPartials}(partials, x, n, blockSize). */
    SUM_OF_SQUARES_PARTIALS(ReductionKernels.class),
    /** {@link ReductionKernels#gatheredSumOfSquaresPartials}(partials, x, indices, n, blockSize). */
    GATHERED_SUM_OF_SQUARES_PARTIALS(ReductionKernels.class),
    /** {@link ScoringKernels#magnitudeAccumulate}(score, delta, window). */
    MAGNITUDE_ACCUMULATE(ScoringKernels.class),
    /** {@link ScoringKernels#momentumUpdate}(velocities, previous, delta, window). */
    MOMENTUM_UPDATE(ScoringKernels.class),
    /** {@link ScoringKernels#momentumScore}(score, velocities, settings, scalars, n). */
    MOMENTUM_SCORE(ScoringKernels.class),
    /** {@link ScoringKernels#welfordUpdate}(mean, m2, delta, window, scalars). */
    WELFORD_UPDATE(ScoringKernels.class),
    /** {@link ScoringKernels#fisherScore}(score, mean, scalars). */
    FISHER_SCORE(ScoringKernels.class),
    /** {@link SelectionKernels#digitHistogramPartials}(partials, keys, params, radix, blockSize). */
    DIGIT_HISTOGRAM_PARTIALS(SelectionKernels.class),
    /** {@link SelectionKernels#countAbovePartials}(partials, keys, params, blockSize). */
    COUNT_ABOVE_PARTIALS(SelectionKernels.class),
    /** {@link MatmulKernels#matmulNN}(out, a, b, bias, dims). */
    MATMUL_NN(MatmulKernels.class),
    /** {@link MatmulKernels#matmulNT}(out, a, b, bias, dims). */
    MATMUL_NT(MatmulKernels.class),
    /** {@link MatmulKernels#matmulTN}(out, a, b, bias, dims). */
    MATMUL_TN(MatmulKernels.class),
    /** {@link BlockSparseMatmulKernels#blockSparseMatmulTN}(out, a, b, blocks, dims). */
    BLOCK_SPARSE_MATMUL_TN(BlockSparseMatmulKernels.class),
    /** {@link MatmulKernels#columnSum}(out, a, dims). */
    COLUMN_SUM(MatmulKernels.class),
    /** {@link EmbeddingKernels#tokenEmbeddingForward}(out, tokens, params, scale, dims). */
    TOKEN_EMBEDDING_FORWARD(EmbeddingKernels.class),
    /** {@link EmbeddingKernels#tokenEmbeddingBackward}(grads, dout, tokens, scale, dims). */
    TOKEN_EMBEDDING_BACKWARD(EmbeddingKernels.class),
    /** {@link RmsNormKernels#rmsNormForward}(out, rstd, x, params, eps, dims). */
    RMS_NORM_FORWARD(RmsNormKernels.class),
    /** {@link RmsNormKernels#rmsNormBackwardInput}(dx, dy, x, rstd, params, dims). */
    RMS_NORM_BACKWARD_INPUT(RmsNormKernels.class),
    /** {@link RmsNormKernels#rmsNormBackwardParams}(grads, dy, x, rstd, dims). */
    RMS_NORM_BACKWARD_PARAMS(RmsNormKernels.class),
    /** {@link GatedActivationKernels#swigluForward}(out, gate, up). */
    SWIGLU_FORWARD(GatedActivationKernels.class),
    /** {@link GatedActivationKernels#swigluBackward}(dgate, dup, dout, gate, up). */
    SWIGLU_BACKWARD(GatedActivationKernels.class),
    /** {@link GatedActivationKernels#gegluForward}(out, gate, up). */
    GEGLU_FORWARD(GatedActivationKernels.class),
    /** {@link GatedActivationKernels#gegluBackward}(dgate, dup, dout, gate, up). */
    GEGLU_BACKWARD(GatedActivationKernels.class),
    /** {@link GroupedAttentionKernels#groupedAttentionForward}(out, att, q, k, v, scale, dims). */
    GROUPED_ATTENTION_FORWARD(GroupedAttentionKernels.class),
    /** {@link GroupedAttentionKernels#groupedAttentionBackwardQuery}(dq, datt, dout, k, v, att, scale, dims). */
    GROUPED_ATTENTION_BACKWARD_QUERY(GroupedAttentionKernels.class),
    /** {@link GroupedAttentionKernels#groupedAttentionBackwardKeyValue}(dk, dv, dout, q, att, datt, scale, dims). */
    GROUPED_ATTENTION_BACKWARD_KEY_VALUE(GroupedAttentionKernels.class),
    /** {@link GroupedAttentionKernels#groupedAttentionDecode}(out, att, kCache, vCache, q, k, v, positions, scale, dims). */
    GROUPED_ATTENTION_DECODE(GroupedAttentionKernels.class),
    /** {@link RotaryKernels#rotaryForward}(x, cos, sin, positions, dims). */
    ROTARY_FORWARD(RotaryKernels.class),
    /** {@link RotaryKernels#rotaryBackward}(dx, cos, sin, positions, dims). */
    ROTARY_BACKWARD(RotaryKernels.class),
    /** {@link EmbeddingKernels#embeddingForward}(out, tokens, positions, params, dims). */
    EMBEDDING_FORWARD(EmbeddingKernels.class),
    /** {@link EmbeddingKernels#embeddingBackward}(grads, dout, tokens, positions, dims). */
    EMBEDDING_BACKWARD(EmbeddingKernels.class),
    /** {@link LayerNormKernels#layerNormForward}(out, mean, rstd, x, params, dims). */
    LAYER_NORM_FORWARD(LayerNormKernels.class),
    /** {@link LayerNormKernels#layerNormBackwardInput}(dx, dy, x, mean, rstd, params, dims). */
    LAYER_NORM_BACKWARD_INPUT(LayerNormKernels.class),
    /** {@link LayerNormKernels#layerNormBackwardParams}(grads, dy, x, mean, rstd, dims). */
    LAYER_NORM_BACKWARD_PARAMS(LayerNormKernels.class),
    /** {@link ActivationKernels#geluForward}(out, x). */
    GELU_FORWARD(ActivationKernels.class),
    /** {@link ActivationKernels#geluBackward}(dx, x, dy). */
    GELU_BACKWARD(ActivationKernels.class),
    /** {@link ActivationKernels#geluBackwardInPlace}(d, x). */
    GELU_BACKWARD_IN_PLACE(ActivationKernels.class),
    /** {@link ActivationKernels#zero}(x). */
    ZERO(ActivationKernels.class),
    /** {@link ActivationKernels#residualAddInPlace}(x, y). */
    RESIDUAL_ADD_IN_PLACE(ActivationKernels.class),
    /** {@link ActivationKernels#residualAdd}(out, a, b). */
    RESIDUAL_ADD(ActivationKernels.class),
    /** {@link AttentionKernels#attentionForward}(out, att, qkv, dims). */
    ATTENTION_FORWARD(AttentionKernels.class),
    /** {@link AttentionKernels#attentionBackwardQuery}(dqkv, datt, dout, qkv, att, dims). */
    ATTENTION_BACKWARD_QUERY(AttentionKernels.class),
    /** {@link AttentionKernels#attentionBackwardKeyValue}(dqkv, dout, qkv, att, datt, dims). */
    ATTENTION_BACKWARD_KEY_VALUE(AttentionKernels.class),
    /** {@link AttentionKernels#attentionDecode}(out, att, kCache, vCache, qkv, positions, dims). */
    ATTENTION_DECODE(AttentionKernels.class),
    /** {@link LogProbKernels#logProbForward}(logp, lse, logits, targets, inverseTemperature, dims). */
    LOG_PROB_FORWARD(LogProbKernels.class),
    /** {@link LogProbKernels#logProbBackward}(dlogits, logits, lse, targets, dlogp, inverseTemperature, dims). */
    LOG_PROB_BACKWARD(LogProbKernels.class),
    /** {@link DeltaKernels#captureReference}(reference, theta). */
    CAPTURE_REFERENCE(DeltaKernels.class),
    /** {@link DeltaKernels#startDelta}(delta, theta, origin). */
    START_DELTA(DeltaKernels.class),
    /** {@link DeltaKernels#stepDelta}(delta, previous, theta). */
    STEP_DELTA(DeltaKernels.class);

    private final Method method;
    private final List<Class<?>> parameterTypes;
    /** The kernel as {@code (Object[] arguments, int offset, int count) → void}. */
    private final MethodHandle jvm;

    Kernel(Class<?> owner) {
        this.method = find(owner, name());
        Class<?>[] p = method.getParameterTypes();
        this.parameterTypes = List.of(Arrays.copyOf(p, p.length - 2));
        try {
            MethodHandle direct = MethodHandles.publicLookup().unreflect(method);
            // (float[], int[], …, int offset, int count) → (Object, Object, …, int, int) → (Object[], int, int)
            MethodType generic = MethodType.genericMethodType(p.length - 2).changeReturnType(void.class)
                    .appendParameterTypes(int.class, int.class);
            this.jvm = direct.asType(generic).asSpreader(0, Object[].class, p.length - 2);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(method + " must be public", e);
        }
    }

    /**
     * The one public static void method of {@code owner} named like {@code constant}, ending in
     * {@code (…, int offset, int count)}; an {@link IllegalStateException} (failing the enum's
     * initialisation in every test) when there is none or more than one.
     */
    private static Method find(Class<?> owner, String constant) {
        String key = constant.replace("_", "").toLowerCase(Locale.ROOT);
        Method found = null;
        for (Method m : owner.getMethods()) {
            Class<?>[] p = m.getParameterTypes();
            boolean kernel = Modifier.isStatic(m.getModifiers()) && m.getReturnType() == void.class && p.length >= 3
                    && p[p.length - 1] == int.class && p[p.length - 2] == int.class;
            if (kernel && m.getName().toLowerCase(Locale.ROOT).equals(key)) {
                if (found != null) {
                    throw new IllegalStateException("Kernel." + constant + ": " + owner.getSimpleName() + " has two kernel "
                            + "methods named " + m.getName() + " (kernels are not overloaded)");
                }
                found = m;
            }
        }
        if (found == null) {
            throw new IllegalStateException("Kernel." + constant + ": " + owner.getSimpleName() + " has no public static void "
                    + "kernel method named like it ending in (…, int offset, int count)");
        }
        return found;
    }

    /** The kernel method. */
    public Method method() {
        return method;
    }

    /** Types of the kernel's arguments, without the trailing {@code offset, count}. */
    public List<Class<?>> parameterTypes() {
        return parameterTypes;
    }

    /** Runs the kernel method on this thread for iterations {@code [offset, offset+count)}. */
    void runOnJvm(Object[] arguments, int offset, int count) {
        try {
            jvm.invokeExact(arguments, offset, count);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(this + " threw " + e, e);
        }
    }
}
