package org.rlcasino.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.rlcasino.io.AtomicFileWriter;

/**
 * What one finished training phase reports, written as {@code summary.json} in the phase's
 * directory ({@code runs/<name>/<phase>/summary.json}) and read by {@code casino run}'s reports.
 * A phase whose directory holds a summary is finished.
 *
 * @param phase               phase name
 * @param kind                {@code sft}, {@code dpo} or {@code grpo}
 * @param optimizer           {@code adamw}, {@code bsr-adamw} or {@code random-mask}
 * @param sparsity            fraction of weights frozen (0 for dense)
 * @param seed                seed the phase ran with
 * @param steps               optimizer steps taken
 * @param heldOutAccuracy     exact-match accuracy on held-out prompts after the last step (greedy)
 * @param heldOutReward       mean reward of the task's reward function on held-out prompts after the last step
 *                            (greedy); equals the accuracy for a task rewarded by exact match only
 * @param meanStepMillis      mean wall time of a whole step
 * @param sampleMillis        mean time per step spent sampling (RL phases; 0 for SFT)
 * @param forwardBackwardMillis mean time per step in forward + backward
 * @param optimizerMillis     mean time per step in the optimizer
 * @param startHeldOutAccuracy greedy held-out accuracy of the phase's starting weights
 * @param heldOutPrompts      held-out prompts evaluated
 * @param deltaLogMillis      mean time per logged step spent writing weight deltas (0 without logging)
 * @param deltaSteps          steps whose deltas were logged
 * @param activeParameters    parameters the optimizer updates
 * @param totalParameters     parameters of the model
 * @param gradientBlockFill   share of the 2-D weights' blocks whose gradient the backward computed (1 for dense
 *                            phases; an element mask's block cover, or a block mask's density)
 */
public record PhaseSummary(String phase, String kind, String optimizer, double sparsity, long seed, int steps,
                           double heldOutAccuracy, double heldOutReward, double meanStepMillis,
                           double sampleMillis, double forwardBackwardMillis, double optimizerMillis,
                           double startHeldOutAccuracy, int heldOutPrompts, double deltaLogMillis, int deltaSteps,
                           long activeParameters, long totalParameters, double gradientBlockFill) {
    public static final String FILE_NAME = "summary.json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** A builder: the phase's name, kind and optimizer, then the figures by name. */
    public static Builder builder(String phase, String kind, String optimizer) {
        return new Builder(phase, kind, optimizer);
    }

    /** Collects a {@link PhaseSummary}'s figures by name (unset ones are 0, block fill 1). */
    public static final class Builder {
        private final String phase;
        private final String kind;
        private final String optimizer;
        private double sparsity;
        private long seed;
        private int steps;
        private double heldOutAccuracy;
        private double heldOutReward;
        private double meanStepMillis;
        private double sampleMillis;
        private double forwardBackwardMillis;
        private double optimizerMillis;
        private double startHeldOutAccuracy;
        private int heldOutPrompts;
        private double deltaLogMillis;
        private int deltaSteps;
        private long activeParameters;
        private long totalParameters;
        private double gradientBlockFill = 1.0;

        private Builder(String phase, String kind, String optimizer) {
            this.phase = phase;
            this.kind = kind;
            this.optimizer = optimizer;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder steps(int value) {
            steps = value;
            return this;
        }

        /** Held-out accuracy and mean reward after the last step, and the accuracy before the first. */
        public Builder heldOut(int prompts, double startAccuracy, double accuracy, double reward) {
            heldOutPrompts = prompts;
            startHeldOutAccuracy = startAccuracy;
            heldOutAccuracy = accuracy;
            heldOutReward = reward;
            return this;
        }

        /** Mean milliseconds per step: whole step, sampling, forward + backward, optimizer. */
        public Builder stepMillis(double step, double sample, double forwardBackward, double optimizer) {
            meanStepMillis = step;
            sampleMillis = sample;
            forwardBackwardMillis = forwardBackward;
            optimizerMillis = optimizer;
            return this;
        }

        /** Delta logging: mean milliseconds per logged step, and how many steps were logged. */
        public Builder deltaLog(double millisPerStep, int steps) {
            deltaLogMillis = millisPerStep;
            deltaSteps = steps;
            return this;
        }

        /** Parameters the optimizer updates of all the model's; sets the sparsity to 1 − active / total. */
        public Builder parameters(long active, long total) {
            activeParameters = active;
            totalParameters = total;
            sparsity = total == 0 ? 0 : 1 - (double) active / total;
            return this;
        }

        public Builder gradientBlockFill(double value) {
            gradientBlockFill = value;
            return this;
        }

        public PhaseSummary build() {
            return new PhaseSummary(phase, kind, optimizer, sparsity, seed, steps, heldOutAccuracy, heldOutReward,
                    meanStepMillis, sampleMillis, forwardBackwardMillis, optimizerMillis, startHeldOutAccuracy,
                    heldOutPrompts, deltaLogMillis, deltaSteps, activeParameters, totalParameters, gradientBlockFill);
        }
    }

    /** Writes {@code phaseDir/summary.json} atomically. */
    public void write(Path phaseDir) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(this);
        AtomicFileWriter.write(phaseDir.resolve(FILE_NAME), out -> out.write(bytes));
    }

    /** Reads {@code phaseDir/summary.json}. */
    public static PhaseSummary read(Path phaseDir) throws IOException {
        Path file = phaseDir.resolve(FILE_NAME);
        try {
            return JSON.readValue(Files.readAllBytes(file), PhaseSummary.class);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no phase summary (the phase has not finished)");
        }
    }

    /** Whether {@code phaseDir} holds a finished phase. */
    public static boolean exists(Path phaseDir) {
        return Files.isRegularFile(phaseDir.resolve(FILE_NAME));
    }
}
