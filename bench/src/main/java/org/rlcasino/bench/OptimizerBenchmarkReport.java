package org.rlcasino.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.rlcasino.io.AtomicFileWriter;

/** Renders an {@link OptimizerBenchmark.Result} as a text table and as JSON. */
public final class OptimizerBenchmarkReport {
    private OptimizerBenchmarkReport() {}

    /** The table printed by {@code casino bench optimizer}. */
    public static String table(OptimizerBenchmark.Result result, TorchAdamWComparison.Result torch) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%,d parameters in %d tensors, backend %s, Vector API %d lanes%s, %d repeats (median) after %d warm-up rounds%n",
                result.params(), result.tensors(), result.backend(), result.vectorLanes(),
                result.jvmFastPath() ? " (fast path on)" : " (fast path off: reference kernels)",
                result.repeats(), result.warmup()));
        if (result.triad() != null) {
            sb.append(String.format(Locale.ROOT, "STREAM triad (12 B/elem, %,d floats per array): best %.1f GB/s, median %.1f GB/s%n",
                    result.triad().elements(), result.triad().bestGBps(), result.triad().medianGBps()));
        }
        sb.append("Byte model: dense 28 B/param; sparse 3x64 B per touched cache line of p,g (element i on line (i+4)/16) + 16 B/active (m,v) + indices (4 B/active or 12 B/segment)\n\n");
        sb.append(String.format(Locale.ROOT, "%-10s %8s %-8s %12s %9s %17s %9s %10s %8s %7s %8s %8s %9s%n",
                "mask", "sparsity", "kernel", "active", "ms/step", "(min-max)", "ns/param", "model MB", "GB/s",
                "%triad", "bound x", "speedup", "state MB"));
        for (OptimizerBenchmark.Row row : result.rows()) {
            sb.append(String.format(Locale.ROOT, "%-10s %7.2f%% %-8s %,12d %9.3f %17s %9.4f %10.1f %8.1f %7s %8.1f %7.2fx %9.1f%n",
                    row.shape(), row.sparsity(), row.indexing().toLowerCase(Locale.ROOT), row.active(), row.medianMs(),
                    String.format(Locale.ROOT, "(%.3f-%.3f)", row.minMs(), row.maxMs()), row.nsPerParam(),
                    row.modelBytes() / 1e6, row.modelGBps(),
                    Double.isNaN(row.fractionOfTriad()) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * row.fractionOfTriad()),
                    row.modelSpeedup(), row.speedup(), row.stateBytes() / 1e6));
        }
        if (torch != null) {
            sb.append('\n');
            if (torch.skippedBecause() != null) {
                sb.append("PyTorch comparison skipped: ").append(torch.skippedBecause()).append('\n');
            } else {
                double dense = result.rows().getFirst().medianMs();
                sb.append(String.format(Locale.ROOT,
                        "PyTorch %s CPU AdamW, %d threads: for-loop %.2f ms/step (%.3f ns/param), foreach %.2f ms/step (%.3f ns/param); "
                                + "RL Casino dense AdamW is %.1fx faster than the faster of the two%n",
                        torch.torchVersion(), torch.threads(), torch.forLoopMs(), torch.forLoopMs() * 1e6 / result.params(),
                        torch.foreachMs(), torch.foreachMs() * 1e6 / result.params(), torch.bestMs() / dense));
            }
        }
        return sb.toString();
    }

    /** Writes the figures as JSON, atomically. */
    public static void writeJson(Path file, OptimizerBenchmark.Result result, TorchAdamWComparison.Result torch,
                                 Map<String, String> machine) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", "rlcasino.bench.optimizer");
        doc.put("version", 1);
        doc.put("machine", machine);
        doc.put("result", result);
        if (torch != null) {
            doc.put("torch", torch);
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        byte[] bytes = mapper.writeValueAsBytes(doc);
        AtomicFileWriter.write(file, out -> out.write(bytes));
    }
}
