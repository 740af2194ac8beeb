package org.rlcasino.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;

/**
 * Times PyTorch's CPU {@code torch.optim.AdamW} (for-loop and foreach implementations) on the same
 * tensor shapes and thread count, by running a bundled script with a Python that has torch
 * (Debian's {@code python3-torch} under {@code /usr/bin/python3}). Optional: when no such Python
 * exists the comparison is skipped with the reason.
 */
public final class TorchAdamWComparison {
    private static final String SCRIPT = "torch_adamw_bench.py";

    /**
     * Outcome of the comparison.
     *
     * @param skippedBecause why it did not run, or null
     * @param torchVersion   torch's version
     * @param forLoopMs      median ms per step, {@code foreach=False}
     * @param foreachMs      median ms per step, {@code foreach=True}
     */
    public record Result(String skippedBecause, String torchVersion, int threads, double forLoopMs, double foreachMs) {
        static Result skipped(String why) {
            return new Result(why, null, 0, Double.NaN, Double.NaN);
        }

        /** The faster of the two PyTorch implementations. */
        public double bestMs() {
            return Math.min(forLoopMs, foreachMs);
        }
    }

    private TorchAdamWComparison() {}

    /** Runs the PyTorch benchmark with {@code python} (e.g. {@code /usr/bin/python3}). */
    public static Result run(Path python, ParameterLayout layout, int threads, int repeats) {
        if (!Files.isExecutable(python)) {
            return Result.skipped(python + " not found");
        }
        Path script = null;
        try {
            script = Files.createTempFile("rlcasino-torch-adamw-", ".py");
            try (InputStream in = TorchAdamWComparison.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException("bundled " + SCRIPT + " is missing from the jar");
                }
                Files.write(script, in.readAllBytes());
            }
            List<String> shapes = new ArrayList<>();
            for (TensorView t : layout.tensors()) {
                int[] s = t.shape();
                shapes.add(s.length == 2 ? s[0] + "x" + s[1] : String.valueOf(t.size()));
            }
            ProcessBuilder pb = new ProcessBuilder(python.toString(), script.toString(),
                    "--shapes", String.join(",", shapes), "--threads", String.valueOf(threads),
                    "--repeats", String.valueOf(repeats));
            pb.redirectErrorStream(false);
            Process process = pb.start();
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return Result.skipped("the PyTorch benchmark did not finish in 30 minutes");
            }
            if (process.exitValue() != 0) {
                String message = new String(err, StandardCharsets.UTF_8).strip();
                if (message.contains("No module named 'torch'")) {
                    return Result.skipped(python + " has no torch (install Debian's python3-torch)");
                }
                int cut = Math.max(0, message.length() - 400);
                return Result.skipped("the PyTorch benchmark failed: " + message.substring(cut));
            }
            JsonNode json = new ObjectMapper().readTree(out);
            return new Result(null, json.get("torch").asText(), json.get("threads").asInt(),
                    json.get("for_loop").get("median_ms").asDouble(), json.get("foreach").get("median_ms").asDouble());
        } catch (IOException e) {
            return Result.skipped("could not run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.skipped("interrupted");
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // a temp file left in /tmp is harmless
                }
            }
        }
    }
}
