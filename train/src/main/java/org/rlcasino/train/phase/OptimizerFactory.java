package org.rlcasino.train.phase;

import java.util.Locale;

import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.config.OptimizerSection;
import org.rlcasino.io.config.ScheduleSection;
import org.rlcasino.optimizer.AdamW;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.optimizer.BsrAdamW;
import org.rlcasino.optimizer.BsrAdamWOptions;
import org.rlcasino.optimizer.LearningRateSchedule;
import org.rlcasino.optimizer.NonFinitePolicy;
import org.rlcasino.optimizer.Optimizer;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.ParameterLayout;

/** Turns a run-config optimizer section (and a mask) into an {@link Optimizer}. */
public final class OptimizerFactory {
    private OptimizerFactory() {}

    public static AdamWConfig adamWConfig(OptimizerSection s) {
        NonFinitePolicy policy = NonFinitePolicy.valueOf(s.nonFinite().toUpperCase(Locale.ROOT).replace('-', '_'));
        ScheduleSection sc = s.schedule();
        LearningRateSchedule schedule = switch (sc.kind()) {
            case "linear-warmup" -> LearningRateSchedule.linearWarmup(sc.warmupSteps());
            case "cosine" -> LearningRateSchedule.cosine(sc.warmupSteps(), sc.totalSteps(), sc.minFactor());
            default -> LearningRateSchedule.constant();
        };
        return new AdamWConfig(s.lr(), s.beta1(), s.beta2(), s.eps(), s.weightDecay(), s.epsInsideSqrt(), s.maxGradNorm(),
                policy, schedule);
    }

    /**
     * Dense AdamW when {@code mask} is null, else BSR-AdamW over the mask (tensors it leaves out
     * stay frozen), laid out in the mask file's own block structure where it stores one and in
     * {@code blockShape} blocks elsewhere.
     */
    public static Optimizer create(AdamWConfig config, ParameterLayout layout, MaskSource.Mask mask, BlockShape blockShape,
                                   Backend backend) {
        if (mask == null) {
            return new AdamW(config, layout, backend);
        }
        return new BsrAdamW(config, layout, mask.indices(), mask.blocks(), BsrAdamWOptions.DEFAULTS.withBlockShape(blockShape),
                backend);
    }
}
