package org.rlcasino.tasks;

import java.util.List;

/**
 * The kernels a {@link Backend} can launch. Each constant names a kernel method, declares the types
 * of its arguments (all but the trailing {@code offset, count}), and runs it on the JVM; the
 * TornadoVM backend maps each constant to the same method by method reference. Adding a kernel
 * means adding a constant here, its JVM test against a scalar oracle, and its TornadoVM mapping
 * and parity test.
 */
public enum Kernel {
    /** {@link AdamWKernels#adamW}(p, m, v, g, hyper). */
    ADAMW(float[].class, float[].class, float[].class, float[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            AdamWKernels.adamW((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4],
                    offset, count);
        }
    },
    /** {@link AdamWKernels#sparseAdamW}(p, m, v, g, indices, hyper). */
    SPARSE_ADAMW(float[].class, float[].class, float[].class, float[].class, int[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            AdamWKernels.sparseAdamW((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (int[]) a[4],
                    (float[]) a[5], offset, count);
        }
    },
    /** {@link AdamWKernels#blockSparseAdamW}(p, m, v, g, runStart, runState, runLength, hyper). */
    BLOCK_SPARSE_ADAMW(float[].class, float[].class, float[].class, float[].class, int[].class, int[].class,
            int[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            AdamWKernels.blockSparseAdamW((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3],
                    (int[]) a[4], (int[]) a[5], (int[]) a[6], (float[]) a[7], offset, count);
        }
    },
    /** {@link ReductionKernels#sumOfSquaresPartials}(partials, x, n, blockSize). */
    SUM_OF_SQUARES_PARTIALS(float[].class, float[].class, int.class, int.class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ReductionKernels.sumOfSquaresPartials((float[]) a[0], (float[]) a[1], (int) a[2], (int) a[3],
                    offset, count);
        }
    },
    /** {@link ReductionKernels#gatheredSumOfSquaresPartials}(partials, x, indices, n, blockSize). */
    GATHERED_SUM_OF_SQUARES_PARTIALS(float[].class, float[].class, int[].class, int.class, int.class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ReductionKernels.gatheredSumOfSquaresPartials((float[]) a[0], (float[]) a[1], (int[]) a[2], (int) a[3],
                    (int) a[4], offset, count);
        }
    },
    /** {@link ScoringKernels#magnitudeAccumulate}(score, delta, window). */
    MAGNITUDE_ACCUMULATE(float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ScoringKernels.magnitudeAccumulate((float[]) a[0], (float[]) a[1], (int[]) a[2], offset, count);
        }
    },
    /** {@link ScoringKernels#momentumUpdate}(velocities, previous, delta, window). */
    MOMENTUM_UPDATE(float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ScoringKernels.momentumUpdate((float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], offset, count);
        }
    },
    /** {@link ScoringKernels#momentumScore}(score, velocities, settings, scalars, n). */
    MOMENTUM_SCORE(float[].class, float[].class, int[].class, float[].class, int.class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ScoringKernels.momentumScore((float[]) a[0], (float[]) a[1], (int[]) a[2], (float[]) a[3], (int) a[4],
                    offset, count);
        }
    },
    /** {@link ScoringKernels#welfordUpdate}(mean, m2, delta, window, scalars). */
    WELFORD_UPDATE(float[].class, float[].class, float[].class, int[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ScoringKernels.welfordUpdate((float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], (float[]) a[4],
                    offset, count);
        }
    },
    /** {@link ScoringKernels#fisherScore}(score, mean, scalars). */
    FISHER_SCORE(float[].class, float[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ScoringKernels.fisherScore((float[]) a[0], (float[]) a[1], (float[]) a[2], offset, count);
        }
    },
    /** {@link SelectionKernels#digitHistogramPartials}(partials, keys, params, radix, blockSize). */
    DIGIT_HISTOGRAM_PARTIALS(int[].class, int[].class, int[].class, int.class, int.class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            SelectionKernels.digitHistogramPartials((int[]) a[0], (int[]) a[1], (int[]) a[2], (int) a[3], (int) a[4],
                    offset, count);
        }
    },
    /** {@link SelectionKernels#countAbovePartials}(partials, keys, params, blockSize). */
    COUNT_ABOVE_PARTIALS(int[].class, int[].class, int[].class, int.class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            SelectionKernels.countAbovePartials((int[]) a[0], (int[]) a[1], (int[]) a[2], (int) a[3], offset, count);
        }
    },
    /** {@link MatmulKernels#matmulNN}(out, a, b, bias, dims). */
    MATMUL_NN(float[].class, float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            MatmulKernels.matmulNN((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (int[]) a[4],
                    offset, count);
        }
    },
    /** {@link MatmulKernels#matmulNT}(out, a, b, bias, dims). */
    MATMUL_NT(float[].class, float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            MatmulKernels.matmulNT((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (int[]) a[4],
                    offset, count);
        }
    },
    /** {@link MatmulKernels#matmulTN}(out, a, b, bias, dims). */
    MATMUL_TN(float[].class, float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            MatmulKernels.matmulTN((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (int[]) a[4],
                    offset, count);
        }
    },
    /** {@link BlockSparseMatmulKernels#blockSparseMatmulTN}(out, a, b, blocks, dims). */
    BLOCK_SPARSE_MATMUL_TN(float[].class, float[].class, float[].class, int[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            BlockSparseMatmulKernels.blockSparseMatmulTN((float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3],
                    (int[]) a[4], offset, count);
        }
    },
    /** {@link MatmulKernels#columnSum}(out, a, dims). */
    COLUMN_SUM(float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            MatmulKernels.columnSum((float[]) a[0], (float[]) a[1], (int[]) a[2], offset, count);
        }
    },
    // ---- GPT-2 model kernels (model branch) ----
    /** {@link EmbeddingKernels#embeddingForward}(out, tokens, positions, params, dims). */
    EMBEDDING_FORWARD(float[].class, int[].class, int[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            EmbeddingKernels.embeddingForward((float[]) a[0], (int[]) a[1], (int[]) a[2], (float[]) a[3], (int[]) a[4],
                    offset, count);
        }
    },
    /** {@link EmbeddingKernels#embeddingBackward}(grads, dout, tokens, positions, dims). */
    EMBEDDING_BACKWARD(float[].class, float[].class, int[].class, int[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            EmbeddingKernels.embeddingBackward((float[]) a[0], (float[]) a[1], (int[]) a[2], (int[]) a[3], (int[]) a[4],
                    offset, count);
        }
    },
    /** {@link LayerNormKernels#layerNormForward}(out, mean, rstd, x, params, dims). */
    LAYER_NORM_FORWARD(float[].class, float[].class, float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            LayerNormKernels.layerNormForward((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5],
                    offset, count);
        }
    },
    /** {@link LayerNormKernels#layerNormBackwardInput}(dx, dy, x, mean, rstd, params, dims). */
    LAYER_NORM_BACKWARD_INPUT(float[].class, float[].class, float[].class, float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            LayerNormKernels.layerNormBackwardInput((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (float[]) a[5], (int[]) a[6],
                    offset, count);
        }
    },
    /** {@link LayerNormKernels#layerNormBackwardParams}(grads, dy, x, mean, rstd, dims). */
    LAYER_NORM_BACKWARD_PARAMS(float[].class, float[].class, float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            LayerNormKernels.layerNormBackwardParams((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5],
                    offset, count);
        }
    },
    /** {@link ActivationKernels#geluForward}(out, x). */
    GELU_FORWARD(float[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ActivationKernels.geluForward((float[]) a[0], (float[]) a[1],
                    offset, count);
        }
    },
    /** {@link ActivationKernels#geluBackward}(dx, x, dy). */
    GELU_BACKWARD(float[].class, float[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ActivationKernels.geluBackward((float[]) a[0], (float[]) a[1], (float[]) a[2],
                    offset, count);
        }
    },
    /** {@link ActivationKernels#geluBackwardInPlace}(d, x). */
    GELU_BACKWARD_IN_PLACE(float[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ActivationKernels.geluBackwardInPlace((float[]) a[0], (float[]) a[1], offset, count);
        }
    },
    /** {@link ActivationKernels#zero}(x). */
    ZERO(float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ActivationKernels.zero((float[]) a[0], offset, count);
        }
    },
    /** {@link ActivationKernels#residualAddInPlace}(x, y). */
    RESIDUAL_ADD_IN_PLACE(float[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ActivationKernels.residualAddInPlace((float[]) a[0], (float[]) a[1], offset, count);
        }
    },
    /** {@link ActivationKernels#residualAdd}(out, a, b). */
    RESIDUAL_ADD(float[].class, float[].class, float[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            ActivationKernels.residualAdd((float[]) a[0], (float[]) a[1], (float[]) a[2],
                    offset, count);
        }
    },
    /** {@link AttentionKernels#attentionForward}(out, att, qkv, dims). */
    ATTENTION_FORWARD(float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            AttentionKernels.attentionForward((float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3],
                    offset, count);
        }
    },
    /** {@link AttentionKernels#attentionBackwardQuery}(dqkv, datt, dout, qkv, att, dims). */
    ATTENTION_BACKWARD_QUERY(float[].class, float[].class, float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            AttentionKernels.attentionBackwardQuery((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5],
                    offset, count);
        }
    },
    /** {@link AttentionKernels#attentionBackwardKeyValue}(dqkv, dout, qkv, att, datt, dims). */
    ATTENTION_BACKWARD_KEY_VALUE(float[].class, float[].class, float[].class, float[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            AttentionKernels.attentionBackwardKeyValue((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5],
                    offset, count);
        }
    },
    /** {@link AttentionKernels#attentionDecode}(out, att, kCache, vCache, qkv, positions, dims). */
    ATTENTION_DECODE(float[].class, float[].class, float[].class, float[].class, float[].class, int[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            AttentionKernels.attentionDecode((float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5], (int[]) a[6],
                    offset, count);
        }
    },
    /** {@link LogProbKernels#logProbForward}(logp, lse, logits, targets, dims). */
    LOG_PROB_FORWARD(float[].class, float[].class, float[].class, int[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            LogProbKernels.logProbForward((float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], (int[]) a[4],
                    offset, count);
        }
    },
    /** {@link LogProbKernels#logProbBackward}(dlogits, logits, lse, targets, dlogp, dims). */
    LOG_PROB_BACKWARD(float[].class, float[].class, float[].class, int[].class, float[].class, int[].class) {
        @Override
        void runOnJvm(Object[] a, int offset, int count) {
            LogProbKernels.logProbBackward((float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], (float[]) a[4], (int[]) a[5],
                    offset, count);
        }
    };

    private final List<Class<?>> parameterTypes;

    Kernel(Class<?>... parameterTypes) {
        this.parameterTypes = List.of(parameterTypes);
    }

    /** Types of the kernel's arguments, without the trailing {@code offset, count}. */
    public List<Class<?>> parameterTypes() {
        return parameterTypes;
    }

    /** Runs the kernel method on this thread for iterations {@code [offset, offset+count)}. */
    abstract void runOnJvm(Object[] arguments, int offset, int count);
}
