package org.rlcasino.tornado;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launch a TornadoVM user types: the SDK's own {@code tornado} launcher with the JVM options
 * docs/tornadovm.md gives, casino.jar and this module on the class path, and the command line in
 * {@code --params} (the launcher takes options after the main class as its own). A run-config whose
 * backend section asks for TornadoVM trains one short phase and writes its model; casino refuses such
 * a config where TornadoVM is not loaded, so a finished run ran on the device.
 */
@Tag("tornado")
class TornadoLauncherTest {
    static final String JVM_OPTIONS = "-Dtornado.load.annotation.parallel=org.rlcasino.kernels.Parallel "
            + "-Dtornado.enable.nativeFunctions=False -Dtornado.recover.bailout=False -Dtornado.tvm.maxbytecodesize=1048576 "
            + "--add-modules=jdk.incubator.vector --add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED";

    @TempDir
    Path dir;

    @BeforeAll
    static void present() {
        assumeTrue(System.getenv("TORNADOVM_HOME") != null, "TORNADOVM_HOME is not set: TornadoVM launcher test skipped");
    }

    @Test
    void theSdkLauncherTrainsARunConfigWithATornadoBackendSection() throws Exception {
        Path module = Path.of("").toAbsolutePath();
        Path casinoJar = module.resolveSibling("cli").resolve("target").resolve("casino.jar");
        assumeTrue(Files.isRegularFile(casinoJar), casinoJar + " is not built (mvn -Ptornado package -pl cli -am): launcher test skipped");
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, """
                {"name": "tiny", "seed": 3,
                 "model": {"layers": 1, "heads": 2, "channels": 16, "maxSeqLen": 8},
                 "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 8},
                 "backend": {"kind": "tornado"},
                 "phases": [{"name": "sft", "kind": "sft", "steps": 2, "batchSize": 4}]}
                """);
        Path out = dir.resolve("run");
        Path log = dir.resolve("launcher.log");
        String classPath = casinoJar + ":" + module.resolve("target").resolve("classes");
        Process p = new ProcessBuilder(List.of(Path.of(System.getenv("TORNADOVM_HOME"), "bin", "tornado").toString(),
                "--jvm=" + JVM_OPTIONS, "-cp", classPath, "org.rlcasino.cli.Casino",
                "--params", "train " + config + " --out " + out + " --quiet"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(5, TimeUnit.MINUTES);
        String output = read(log);
        if (!finished) {
            p.destroyForcibly();
        }
        System.out.println(output);
        assertThat(finished).as("finished within 5 minutes").isTrue();
        assertThat(p.exitValue()).as("exit status; output:\n" + output).isZero();
        assertThat(output).doesNotContain("Bailout");
        assertThat(out.resolve("sft").resolve("final").resolve("model.safetensors")).isRegularFile();
        assertThat(out.resolve("sft").resolve("summary.json")).isRegularFile();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
