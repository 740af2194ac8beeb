package org.rlcasino.experiment;

import java.nio.file.Path;
import java.util.List;

import org.rlcasino.bench.MaskShape;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.bench.OptimizerBenchmark;
import org.rlcasino.bench.TrainStepBenchmark;
import org.rlcasino.experiment.report.CsvTable;
import org.rlcasino.experiment.report.SpeedReport;
import org.rlcasino.io.config.ModelSection;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.SpeedSection;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.model.Architecture;
import org.rlcasino.train.model.GptConfig;
import org.rlcasino.train.task.CharTokenizer;

/**
 * ADAPTER between the speed stage and the benchmarks: writes {@code speed.csv} (columns
 * {@link SpeedReport#COLUMNS}; one {@code dense} and one {@code bsr} row per sparsity, or one
 * dense row at sparsity 0 shared by all).
 *
 * <p>With a {@code model} in the run-config it times whole training steps of that model with
 * {@link TrainStepBenchmark} (forward + backward + optimizer on a batch of {@code speed.batch}
 * sequences of maxSeqLen tokens; dense AdamW and BSR-AdamW with {@code maskShape} masks at each
 * sparsity, after warm-up, median and min/max, with the forward+backward / optimizer split).
 * Without a model (external checkpoints) it times the optimizer step alone with
 * {@link OptimizerBenchmark} on {@code params} parameters and leaves the whole-step columns empty.
 */
final class TrainStepSpeed {
    private TrainStepSpeed() {}

    static void measure(RunConfig config, SpeedSection section, StageContext context, Path out) throws Exception {
        if (config.model() != null) {
            measureTrainingSteps(config, section, context, out);
            return;
        }
        OptimizerBenchmark.Config bench = new OptimizerBenchmark.Config(section.params(), section.sparsities(),
                List.of(MaskShape.parse(section.maskShape())), section.warmup(), section.repeats(), config.seed(), true, 0);
        JvmBackend host = context.backend() instanceof JvmBackend jvm ? jvm : null;
        OptimizerBenchmark.Result result;
        try (JvmBackend own = host == null ? new JvmBackend(1, JvmBackend.DEFAULT_CHUNK_SIZE) : null) {
            result = new OptimizerBenchmark(context.backend(), host != null ? host : own).run(bench, context.progress());
        }
        String source = "optimizer step only (OptimizerBenchmark; " + section.params() + " params; " + section.maskShape()
                + " mask; " + result.backend() + ")";
        CsvTable.Builder csv = new CsvTable.Builder(SpeedReport.COLUMNS.toArray(String[]::new));
        for (OptimizerBenchmark.Row r : result.rows()) {
            String arm = r.optimizer().equals("adamw") ? "dense" : r.sparsity() > 0 ? "bsr" : null;
            if (arm != null) {
                csv.row(arm.equals("dense") ? 0.0 : r.sparsity(), arm, Double.NaN, Double.NaN, Double.NaN, r.medianMs(), r.minMs(),
                        r.maxMs(), Double.NaN, Double.NaN, source);
            }
        }
        csv.build().write(out);
    }

    private static void measureTrainingSteps(RunConfig config, SpeedSection section, StageContext context, Path out)
            throws java.io.IOException {
        ModelSection m = config.model();
        // the run's model: its model.init directory (any family, its weights), model.config's architecture with random
        // weights, else the random GPT-2 of the model section
        Path init = m.init() == null ? null : Path.of(m.init());
        Architecture shape = m.directory() != null ? ModelDirectory.readArchitecture(Path.of(m.directory()))
                : new GptConfig(CharTokenizer.tasks().vocabSize(), m.maxSeqLen(), m.layers(), m.heads(), m.channels());
        int seqLen = shape instanceof GptConfig gpt ? gpt.maxSeqLen() : Math.min(shape.maxSeqLen(), taskLength(config));
        TrainStepBenchmark.Config bench = new TrainStepBenchmark.Config(shape, section.batch(),
                context.backend().parallelism(), section.warmup(), section.repeats(), section.sparsities(),
                MaskShape.parse(section.maskShape()).block(), config.seed(), null, false,
                MaskShape.parse(section.maskShape()) == MaskShape.RANDOM ? BlockShape.DEFAULT : null, seqLen, init);
        // on the JVM a fresh pool of the run's thread count; on a device the run's own backend (its steps are what the run's were)
        TrainStepBenchmark.Result r = context.backend() instanceof JvmBackend
                ? TrainStepBenchmark.run(bench, context.progress())
                : TrainStepBenchmark.run(bench, context.backend(), context.progress());
        String source = "whole training step of the policy (forward + backward + optimizer; no sampling or reference model: "
                + "a DPO step with precomputed reference log-probs; TrainStepBenchmark; " + shape.family() + " " + r.params()
                + " params; B=" + r.batch() + " T=" + seqLen + "; " + section.maskShape() + " masks; " + r.backend() + ")";
        List<String> columns = new java.util.ArrayList<>(SpeedReport.COLUMNS);
        columns.addAll(SpeedReport.BACKWARD_COLUMNS);
        CsvTable.Builder csv = new CsvTable.Builder(columns.toArray(String[]::new));
        for (TrainStepBenchmark.Arm arm : r.arms()) {
            boolean dense = arm.optimizer().equals("adamw");
            csv.row(dense ? 0.0 : arm.sparsity(), dense ? "dense" : "bsr", arm.step().medianMs(), arm.step().minMs(),
                    arm.step().maxMs(), arm.optimizerStep().medianMs(), arm.optimizerStep().minMs(), arm.optimizerStep().maxMs(),
                    arm.forwardBackward().medianMs(), Double.NaN, source, arm.backwardInputMs(), arm.backwardParameterMs());
        }
        csv.build().write(out);
    }

    /** The longest prompt + answer + end token of the run's task: the trainer's sequence length. */
    private static int taskLength(RunConfig config) {
        var task = org.rlcasino.train.data.Tasks.open(config);
        return task.maxPromptLength() + task.maxCompletionTokens();
    }
}
