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

/**
 * Runs the bundled {@code torch_train_bench.py} (PyTorch side of {@code casino bench matmul} and
 * {@code casino bench train}) with a Python that has torch, e.g. Debian's {@code /usr/bin/python3}
 * with {@code python3-torch}. The script first finds which BLAS torch's matmuls run on and refuses
 * a generic reference BLAS; this class turns that, a missing Python or torch, and failures into a
 * {@link Outcome#skippedBecause() reason} instead of figures.
 */
public final class TorchBench {
    private static final String SCRIPT = "torch_train_bench.py";

    /**
     * What the script reported.
     *
     * @param skippedBecause why there are no torch figures (no Python, no torch, a generic BLAS, a failure), or null
     * @param torchVersion   torch's version, when the script ran
     * @param blas           the BLAS torch used (e.g. {@code OpenBLAS}), when the script ran
     * @param blasLibraries  the BLAS shared libraries mapped into the torch process
     * @param json           the script's whole answer (null when it did not run)
     */
    public record Outcome(String skippedBecause, String torchVersion, String blas, List<String> blasLibraries,
                          JsonNode json) {
        static Outcome skipped(String why) {
            return new Outcome(why, null, null, List.of(), null);
        }

        /** True when torch figures are present. */
        public boolean ran() {
            return skippedBecause == null;
        }
    }

    private TorchBench() {}

    /** Runs {@code python torch_train_bench.py args…}; waits at most {@code timeoutMinutes}. */
    public static Outcome run(Path python, List<String> args, int timeoutMinutes) {
        if (python == null || !Files.isExecutable(python)) {
            return Outcome.skipped(python + " not found");
        }
        Path script = null;
        try {
            script = Files.createTempFile("rlcasino-torch-bench-", ".py");
            try (InputStream in = TorchBench.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException("bundled " + SCRIPT + " is missing from the jar");
                }
                Files.write(script, in.readAllBytes());
            }
            List<String> command = new ArrayList<>();
            command.add(python.toString());
            command.add(script.toString());
            command.addAll(args);
            Path err = Files.createTempFile("rlcasino-torch-bench-", ".err");
            Process process;
            byte[] out;
            try {
                process = new ProcessBuilder(command).redirectError(err.toFile()).start();
                out = process.getInputStream().readAllBytes();
                if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    return Outcome.skipped("the PyTorch benchmark did not finish in " + timeoutMinutes + " minutes");
                }
                if (process.exitValue() != 0) {
                    String message = Files.readString(err, StandardCharsets.UTF_8).strip();
                    if (message.contains("No module named") && message.contains("torch")) {
                        return Outcome.skipped(python + " has no torch (install Debian's python3-torch)");
                    }
                    int cut = Math.max(0, message.length() - 400);
                    return Outcome.skipped("the PyTorch benchmark failed: " + message.substring(cut));
                }
            } finally {
                Files.deleteIfExists(err);
            }
            JsonNode json = new ObjectMapper().readTree(out);
            List<String> libraries = new ArrayList<>();
            json.path("blas").path("libraries").forEach(n -> libraries.add(n.asText()));
            String blas = json.path("blas").path("name").asText(null);
            String version = json.path("torch").asText(null);
            if (json.hasNonNull("refused")) {
                return new Outcome("refused: " + json.get("refused").asText(), version, blas, libraries, json);
            }
            return new Outcome(null, version, blas, libraries, json);
        } catch (IOException e) {
            return Outcome.skipped("could not run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.skipped("interrupted");
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
