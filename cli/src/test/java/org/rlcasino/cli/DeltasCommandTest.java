package org.rlcasino.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.DeltaStreamReader;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsWriter;

import static org.assertj.core.api.Assertions.assertThat;

class DeltasCommandTest {
    @TempDir
    Path dir;

    private Path checkpoint(String name, float shift) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        float[] w = new float[64];
        float[] ln = new float[8];
        for (int i = 0; i < w.length; i++) {
            w[i] = i * 0.5f + (i % 3 == 0 ? shift : 0);
        }
        SafetensorsWriter.builder()
                .add("h.0.w", Dtype.BF16, new long[] {8, 8}, w)
                .add("h.0.ln_1.weight", Dtype.F32, new long[] {8}, ln)
                .build().write(p);
        return p;
    }

    @Test
    void writesTheDeltasOfTheGivenCheckpoints() throws Exception {
        Path a = checkpoint("run/checkpoint-100/model.safetensors", 0);
        Path b = checkpoint("run/checkpoint-200/model.safetensors", 1);
        Path c = checkpoint("run/checkpoint-300/model.safetensors", 3);
        Path out = dir.resolve("deltas.arrow");
        CliRun r = CliRun.run("deltas", "--quiet", "-o", out.toString(), "--exclude", "*.ln_*",
                a.getParent().toString(), b.getParent().toString(), c.getParent().toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 steps × 1 tensors × 64 deltas (steps 200,300; start basis)");
        Path steps = dir.resolve("step-deltas.arrow");
        CliRun s = CliRun.run("deltas", "--quiet", "-o", steps.toString(), "--exclude", "*.ln_*", "--basis", "step",
                a.getParent().toString(), b.getParent().toString(), c.getParent().toString());
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.out()).contains("(steps 200,300; step basis)");
        // element 0 moves by 1 at step 200 and by 2 more at step 300: start deltas 1, 3; step deltas 1, 2
        for (Path file : List.of(out, steps)) {
            try (BufferAllocator allocator = new RootAllocator();
                 DeltaStreamReader reader = DeltaStreamReader.open(file, allocator)) {
                assertThat(reader.basis()).isEqualTo(file == out ? DeltaBasis.START : DeltaBasis.STEP);
                assertThat(reader.tensors().names()).containsExactly("h.0.w");
                assertThat(reader.next()).isTrue();
                assertThat(reader.step()).isEqualTo(200);
                assertThat(reader.value(0)).isEqualTo(1f);
                assertThat(reader.value(1)).isEqualTo(0f);
                while (reader.step() != 300) {
                    assertThat(reader.next()).isTrue();
                }
                assertThat(reader.value(0)).isEqualTo(file == out ? 3f : 2f);
            }
        }
    }

    @Test
    void stepsFromADirectoryAndTolerance() throws Exception {
        checkpoint("hf/checkpoint-10/model.safetensors", 0);
        checkpoint("hf/checkpoint-2/model.safetensors", 0);
        checkpoint("hf/checkpoint-30/model.safetensors", 1e-6f);
        Path out = dir.resolve("d.arrow");
        CliRun r = CliRun.run("deltas", "--quiet", "-o", out.toString(), "--steps-from", dir.resolve("hf").toString(),
                "--tolerance", "1e-5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("steps 10,30").contains("tolerance 1.00e-05");
    }

    @Test
    void badInputExitsWithTwoAndLeavesNoFile() throws Exception {
        Path a = checkpoint("x/a.safetensors", 0);
        Path out = dir.resolve("never.arrow");
        CliRun r = CliRun.run("deltas", "--quiet", "-o", out.toString(), a.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("at least two checkpoints");

        r = CliRun.run("deltas", "--quiet", "-o", out.toString(), a.toString(), dir.resolve("missing.safetensors").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no such checkpoint");

        Path text = Files.writeString(dir.resolve("x/b.safetensors"), "not a safetensors file");
        r = CliRun.run("deltas", "--quiet", "-o", out.toString(), a.toString(), text.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("b.safetensors");

        r = CliRun.run("deltas", "--quiet", "-o", out.toString(), "--verbose", a.toString(), text.toString());
        assertThat(r.err()).contains("at org.rlcasino");

        r = CliRun.run("deltas", "--quiet", "-o", out.toString(), "--steps-from", dir.toString(), a.toString(), a.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("either checkpoints or --steps-from");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void benchDeltasRunsOnATinySeries() {
        CliRun r = CliRun.run("bench", "deltas", "--size", "20M", "--checkpoints", "2", "--quiet", "--dir", dir.resolve("s").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("sequential mmap read", "casino deltas:", "peak memory");
        r = CliRun.run("bench", "deltas", "--dtype", "I32", "--quiet");
        assertThat(r.code()).isEqualTo(2);
    }

    @Test
    void anOutputThatIsAnInputCheckpointIsRefusedAndTheCheckpointKept() throws Exception {
        Path a = checkpoint("series/step_1.safetensors", 0);
        Path b = checkpoint("series/step_2.safetensors", 1);
        byte[] before = Files.readAllBytes(b);
        CliRun r = CliRun.run("deltas", "--quiet", "-o", b, a, b);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: -o " + b + " is the input CKPT").contains("write the output to another file");
        assertThat(Files.readAllBytes(b)).isEqualTo(before);

        r = CliRun.run("deltas", "--quiet", "-o", b, "--steps-from", dir.resolve("series"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("-o " + b + " is the input --steps-from " + b);
        assertThat(Files.readAllBytes(b)).isEqualTo(before);
        try (var files = Files.list(dir.resolve("series"))) {
            assertThat(files).hasSize(2);
        }
    }

    @Test
    void theSameCheckpointTwiceIsRefusedAndDecreasingStepsWarn() throws Exception {
        Path a = checkpoint("c/step_1.safetensors", 0);
        Path b = checkpoint("c/step_2.safetensors", 1);
        Path out = dir.resolve("d.arrow");
        CliRun twice = CliRun.run("deltas", "--quiet", "-o", out, a, b, dir.resolve("c/../c/step_1.safetensors"));
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("is given twice (checkpoints 1 and 3", "give each checkpoint once");
        assertThat(out).doesNotExist();

        CliRun reversed = CliRun.run("deltas", "--quiet", "-o", out, b, a);
        assertThat(reversed.code()).as(reversed.err()).isZero();
        assertThat(reversed.err()).contains("warning: the checkpoint names carry steps 2, 1, which do not increase");
    }

    @Test
    void specialFilesAsCheckpointsAreRefusedBeforeOpening() throws Exception {
        Path a = checkpoint("s/a.safetensors", 0);
        Path out = dir.resolve("d.arrow");
        CliRun zero = CliRun.run("deltas", "--quiet", "-o", out, a, "/dev/zero");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).isEqualTo("error: /dev/zero (CKPT): is a character device, not a regular file: give the file itself "
                + "(casino maps and seeks its inputs, it cannot read a stream)\n");
        Path fifo = dir.resolve("s/b.safetensors");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            CliRun pipe = CliRun.run("deltas", "--quiet", "-o", out, a, fifo); // would block forever if opened
            assertThat(pipe.code()).isEqualTo(2);
            assertThat(pipe.err()).contains("b.safetensors (CKPT): is a FIFO (named pipe)");
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void outputConditionsAreOneLineEach() throws Exception {
        Path a = checkpoint("t/a.safetensors", 0);
        Path b = checkpoint("t/b.safetensors", 1);
        Path file = Files.writeString(dir.resolve("plain"), "x");
        Object[][] outs = {
                {dir.resolve("plain/d.arrow"), "is a regular file, not a directory, so nothing can be created under it"},
                {dir.resolve("t"), "is a directory; give a file name for the output"},
                {dir.resolve("n".repeat(260)), "file name too long (260 bytes"},
                {Path.of("/dev/null"), "/dev/null: is a character device; outputs are written to a temporary file renamed over"},
        };
        for (Object[] c : outs) {
            CliRun r = CliRun.run("deltas", "--quiet", "-o", c[0], a, b);
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: -o ").contains((String) c[1]);
            assertThat(r.err().strip().lines()).hasSize(1);
        }
        assertThat(Files.readString(file)).isEqualTo("x");
        assertThat(Path.of("/dev/null")).satisfies(p -> assertThat(Files.isRegularFile(p)).isFalse());
    }
}
