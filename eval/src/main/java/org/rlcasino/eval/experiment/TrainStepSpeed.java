package org.rlcasino.eval.experiment;

import java.nio.file.Path;
import java.util.List;

import org.rlcasino.eval.bench.MaskShape;
import org.rlcasino.eval.bench.OptimizerBenchmark;
import org.rlcasino.eval.report.CsvTable;
import org.rlcasino.eval.report.SpeedReport;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.SpeedSection;
import org.rlcasino.tasks.JvmBackend;

/**
 * ADAPTER between the speed stage and the benchmarks: writes {@code speed.csv} (columns
 * {@link SpeedReport#COLUMNS}; one {@code dense} and one {@code bsr} row per sparsity, or one
 * dense row at sparsity 0 shared by all).
 *
 * <p>Today it times the optimizer step alone with {@link OptimizerBenchmark} (dense AdamW and
 * BSR-AdamW with a {@code maskShape} mask of {@code params} parameters, interleaved, after warm-up,
 * median and min/max), leaving the whole-step columns empty. The integrator wires the trainer's
 * {@code org.rlcasino.eval.bench.TrainStepBenchmark} here (whole step and optimizer step of the
 * configured model, with the sampling / forward+backward / optimizer split) by replacing the body
 * of {@link #measure}.
 */
final class TrainStepSpeed {
    private TrainStepSpeed() {}

    static void measure(RunConfig config, SpeedSection section, StageContext context, Path out) throws Exception {
        OptimizerBenchmark.Config bench = new OptimizerBenchmark.Config(section.params(), section.sparsities(),
                List.of(MaskShape.parse(section.maskShape())), section.warmup(), section.repeats(), config.seed(), true, 0);
        JvmBackend host = context.backend() instanceof JvmBackend jvm ? jvm : null;
        OptimizerBenchmark.Result result;
        try (JvmBackend own = host == null ? new JvmBackend(1, JvmBackend.DEFAULT_CHUNK_SIZE) : null) {
            result = new OptimizerBenchmark(context.backend(), host != null ? host : own).run(bench, progress(context));
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

    private static OptimizerBenchmark.Progress progress(StageContext context) {
        return new OptimizerBenchmark.Progress() {
            private StageContext.Progress bar = StageContext.Progress.NONE;

            @Override
            public void begin(String phase, long units) {
                bar.close();
                bar = context.progress().begin(phase, units);
            }

            @Override
            public void advance() {
                bar.advance(1);
            }

            @Override
            public void end() {
                bar.close();
                bar = StageContext.Progress.NONE;
            }
        };
    }
}
