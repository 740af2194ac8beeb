package org.rlcasino.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@link TorchBench} reads the script's answer, with a stand-in "python" (no torch needed). */
class TorchBenchTest {
    @TempDir
    Path dir;

    private Path fakePython(String stdout, int exitCode, String stderr) throws Exception {
        Path p = dir.resolve("python-" + exitCode + "-" + Math.abs(stdout.hashCode()));
        Files.writeString(p, "#!/bin/sh\ncat <<'EOF'\n" + stdout + "\nEOF\necho '" + stderr + "' >&2\nexit " + exitCode + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void aGenericBlasIsRefusedWithTheReason() throws Exception {
        Path python = fakePython("{\"torch\": \"1.13\", \"threads\": 2, \"blas\": {\"name\": \"generic reference BLAS\", "
                + "\"generic\": true, \"libraries\": [\"/usr/lib/x86_64-linux-gnu/blas/libblas.so.3\"]}, "
                + "\"refused\": \"torch runs on generic reference BLAS; install libopenblas0-pthread\"}", 0, "");
        TorchBench.Outcome o = TorchBench.run(python, List.of("matmul"), 1);
        assertThat(o.ran()).isFalse();
        assertThat(o.skippedBecause()).startsWith("refused:").contains("libopenblas0-pthread");
        assertThat(o.blas()).isEqualTo("generic reference BLAS");
        assertThat(o.blasLibraries()).containsExactly("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3");
    }

    @Test
    void anOptimisedBlasRuns() throws Exception {
        Path python = fakePython("{\"torch\": \"1.13\", \"threads\": 1, \"blas\": {\"name\": \"OpenBLAS\", \"generic\": false, "
                + "\"libraries\": [\"libopenblasp-r0.3.21.so\"]}, \"cases\": []}", 0, "");
        TorchBench.Outcome o = TorchBench.run(python, List.of("matmul"), 1);
        assertThat(o.ran()).isTrue();
        assertThat(o.torchVersion()).isEqualTo("1.13");
        assertThat(o.blas()).isEqualTo("OpenBLAS");
    }

    @Test
    void missingPythonOrTorchOrAFailureIsAReasonNotAnError() throws Exception {
        assertThat(TorchBench.run(dir.resolve("nope"), List.of(), 1).skippedBecause()).contains("not found");
        Path noTorch = fakePython("", 1, "ModuleNotFoundError: No module named 'torch'");
        assertThat(TorchBench.run(noTorch, List.of(), 1).skippedBecause()).contains("has no torch");
        Path broken = fakePython("", 3, "boom");
        assertThat(TorchBench.run(broken, List.of(), 1).skippedBecause()).contains("failed", "boom");
    }
}
