package org.rlcasino.optimizer;

/**
 * Multiplies the base learning rate at each step, like PyTorch's {@code LambdaLR}: the factor for
 * the step about to be taken is {@code factor(t)}, where {@code t} counts the steps already
 * applied (0 for the first step). The warm-up and cosine shapes are those of Hugging Face
 * {@code transformers} ({@code get_constant_schedule_with_warmup},
 * {@code get_cosine_schedule_with_warmup}), so runs compare one to one with TRL runs.
 */
public sealed interface LearningRateSchedule {

    /** Factor for the step taken after {@code completedSteps} steps. */
    double factor(long completedSteps);

    /** The base learning rate at every step. */
    static LearningRateSchedule constant() {
        return new Constant();
    }

    /** Linear warm-up from 0 over {@code warmupSteps}, then constant: {@code min(1, t / warmupSteps)}. */
    static LearningRateSchedule linearWarmup(int warmupSteps) {
        return new LinearWarmup(warmupSteps);
    }

    /**
     * Linear warm-up over {@code warmupSteps}, then a half cosine from 1 down to {@code minFactor}
     * at {@code totalSteps}, and {@code minFactor} after.
     */
    static LearningRateSchedule cosine(int warmupSteps, int totalSteps, double minFactor) {
        return new Cosine(warmupSteps, totalSteps, minFactor);
    }

    /** Factor 1. */
    record Constant() implements LearningRateSchedule {
        @Override
        public double factor(long completedSteps) {
            return 1.0;
        }
    }

    /** {@code min(1, t / warmupSteps)}. */
    record LinearWarmup(int warmupSteps) implements LearningRateSchedule {
        public LinearWarmup {
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
            }
        }

        @Override
        public double factor(long completedSteps) {
            return warmup(completedSteps, warmupSteps);
        }
    }

    /**
     * {@code t / warmup} during warm-up, then
     * {@code minFactor + (1 − minFactor) · ½(1 + cos(π · min(1, (t − warmup) / (total − warmup))))}.
     */
    record Cosine(int warmupSteps, int totalSteps, double minFactor) implements LearningRateSchedule {
        public Cosine {
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
            }
            if (totalSteps < 1 || totalSteps < warmupSteps) {
                throw new IllegalArgumentException("totalSteps must be >= max(1, warmupSteps=" + warmupSteps
                        + "), got " + totalSteps);
            }
            if (!(minFactor >= 0 && minFactor <= 1)) {
                throw new IllegalArgumentException("minFactor must be in [0, 1], got " + minFactor);
            }
        }

        @Override
        public double factor(long completedSteps) {
            if (completedSteps < warmupSteps) {
                return warmup(completedSteps, warmupSteps);
            }
            double progress = (double) (completedSteps - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
            double cosine = 0.5 * (1.0 + Math.cos(Math.PI * Math.min(1.0, progress)));
            return minFactor + (1.0 - minFactor) * cosine;
        }
    }

    private static double warmup(long completedSteps, int warmupSteps) {
        return completedSteps < warmupSteps ? (double) completedSteps / Math.max(1, warmupSteps) : 1.0;
    }
}
