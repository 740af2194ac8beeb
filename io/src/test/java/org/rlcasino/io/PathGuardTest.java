package org.rlcasino.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class PathGuardTest {
    @TempDir
    static Path shared;

    /** One row of the table: a name, a way to build the declarations in a fresh directory, and the expected message (null: accepted). */
    record Case(String name, Function<Path, PathGuard> declare, String[] expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case refused(String name, Function<Path, PathGuard> declare, String... expected) {
        return new Case(name, declare, expected);
    }

    private static Case accepted(String name, Function<Path, PathGuard> declare) {
        return new Case(name, declare, null);
    }

    /** Lays out a directory: in.arrow, other.arrow, series/step_1.safetensors, series/checkpoint-2/model.safetensors, a file, a FIFO. */
    private static Path layout(Path dir) {
        try {
            Files.writeString(dir.resolve("in.arrow"), "input");
            Files.writeString(dir.resolve("other.arrow"), "other");
            Files.createDirectories(dir.resolve("series/checkpoint-2"));
            Files.writeString(dir.resolve("series/step_1.safetensors"), "ckpt1");
            Files.writeString(dir.resolve("series/checkpoint-2/model.safetensors"), "ckpt2");
            Files.writeString(dir.resolve("plain-file"), "x");
            Files.createSymbolicLink(dir.resolve("link-to-in"), dir.resolve("in.arrow"));
            Files.createSymbolicLink(dir.resolve("link-to-new"), dir.resolve("new-target.arrow"));
            Files.createLink(dir.resolve("hardlink-to-in"), dir.resolve("in.arrow"));
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = List.of(
                accepted("new output beside its input",
                        d -> PathGuard.create().inputFile("--deltas", d.resolve("in.arrow")).outputFile("-o", d.resolve("out.arrow"))),
                accepted("existing other file is replaced",
                        d -> PathGuard.create().inputFile("--deltas", d.resolve("in.arrow")).outputFile("-o", d.resolve("other.arrow"))),
                accepted("new file inside an input directory",
                        d -> PathGuard.create().input("--steps-from", d.resolve("series")).outputFile("-o", d.resolve("series/d.arrow"))),
                accepted("missing input is left to the reader",
                        d -> PathGuard.create().inputFile("--deltas", d.resolve("none.arrow")).outputFile("-o", d.resolve("out.arrow"))),
                accepted("symbolic link to a new file is written through",
                        d -> PathGuard.create().outputFile("-o", d.resolve("link-to-new"))),
                accepted("null paths are ignored",
                        d -> PathGuard.create().inputFile("--scores", null).outputFile("--safetensors", null)),
                refused("output is the input",
                        d -> PathGuard.create().inputFile("--deltas", d.resolve("in.arrow")).outputFile("-o", d.resolve("in.arrow")),
                        "-o ", "in.arrow is the input --deltas", "would destroy the input"),
                refused("output is the input spelled differently",
                        d -> PathGuard.create().inputFile("--scores", d.resolve("in.arrow"))
                                .outputFile("-o", d.resolve("series/../in.arrow")),
                        "is the same file as the input --scores"),
                refused("output is a symbolic link to the input",
                        d -> PathGuard.create().inputFile("--deltas", d.resolve("in.arrow")).outputFile("-o", d.resolve("link-to-in")),
                        "link-to-in is the same file as the input --deltas"),
                refused("output is a hard link to the input",
                        d -> PathGuard.create().inputFile("--deltas", d.resolve("in.arrow")).outputFile("-o", d.resolve("hardlink-to-in")),
                        "hardlink-to-in is the same file as the input --deltas"),
                refused("output is a checkpoint of --steps-from",
                        d -> PathGuard.create().input("--steps-from", d.resolve("series"))
                                .outputFile("-o", d.resolve("series/step_1.safetensors")),
                        "step_1.safetensors is the input --steps-from"),
                refused("output is a shard of a checkpoint directory, two levels down",
                        d -> PathGuard.create().input("CKPT", d.resolve("series"))
                                .outputFile("-o", d.resolve("series/checkpoint-2/model.safetensors")),
                        "model.safetensors is the input CKPT"),
                refused("two outputs name one file",
                        d -> PathGuard.create().outputFile("-o", d.resolve("m.arrow")).outputFile("--safetensors", d.resolve("m.arrow")),
                        "-o ", "and --safetensors ", "name the same file"),
                refused("output is a directory",
                        d -> PathGuard.create().outputFile("-o", d.resolve("series")), "series: is a directory"),
                refused("output under a regular file",
                        d -> PathGuard.create().outputFile("-o", d.resolve("plain-file/out.arrow")),
                        "plain-file is a regular file, not a directory"),
                refused("output name too long",
                        d -> PathGuard.create().outputFile("-o", d.resolve("x".repeat(300) + ".arrow")),
                        "file name too long (306 bytes"),
                refused("output to standard output",
                        d -> PathGuard.create().outputFile("-o", Path.of("-")), "-o -: this output cannot go to standard output"),
                refused("character device as output",
                        d -> PathGuard.create().outputFile("-o", Path.of("/dev/null")), "/dev/null: is a character device"),
                refused("directory as an input file",
                        d -> PathGuard.create().inputFile("--deltas", d.resolve("series")), "(--deltas): is a directory; give a file"),
                refused("character device as an input",
                        d -> PathGuard.create().input("CKPT", Path.of("/dev/zero")), "/dev/zero (CKPT): is a character device"),
                refused("output directory holds an input",
                        d -> PathGuard.create().inputFile("CONFIG", d.resolve("in.arrow")).outputDirectory("--out", d),
                        "--out ", "holds the input"),
                refused("output directory is a file",
                        d -> PathGuard.create().outputDirectory("--out", d.resolve("plain-file")), "is a regular file, not a directory"));
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checksEveryDeclaration(Case c) throws IOException {
        Path d = layout(Files.createTempDirectory(shared, "case"));
        PathGuard guard = c.declare().apply(d);
        if (c.expected() == null) {
            guard.check();
        } else {
            assertThatThrownBy(guard::check).isInstanceOf(IllegalArgumentException.class)
                    .message().contains(c.expected()).doesNotContain("\n");
        }
        assertThat(Files.readString(d.resolve("in.arrow"))).isEqualTo("input");
    }

    @Test
    void aFifoIsRefusedAsInputAndOutputWithoutOpeningIt() throws Exception {
        Path d = Files.createTempDirectory(shared, "fifo");
        Path fifo = d.resolve("pipe");
        assumeThat(mkfifo(fifo)).as("mkfifo available").isTrue();
        // opening a FIFO for reading would block this test forever; the guard only reads its attributes
        assertThatThrownBy(() -> PathGuard.create().inputFile("--deltas", fifo).check())
                .hasMessageContaining("pipe (--deltas): is a FIFO (named pipe), not a regular file");
        assertThatThrownBy(() -> PathGuard.create().outputFile("-o", fifo).check())
                .hasMessageContaining("is a FIFO (named pipe); outputs are written to a temporary file renamed over the target");
        assertThatThrownBy(() -> PathGuard.requireRegularFile(fifo, "a safetensors file"))
                .hasMessageContaining("is a FIFO (named pipe), not a safetensors file");
    }

    @Test
    void writeTargetFollowsSymbolicLinks() throws IOException {
        Path d = layout(Files.createTempDirectory(shared, "links"));
        assertThat(PathGuard.writeTarget(d.resolve("link-to-in"))).isEqualTo(d.resolve("in.arrow"));
        assertThat(PathGuard.writeTarget(d.resolve("link-to-new"))).isEqualTo(d.resolve("new-target.arrow"));
        Files.createSymbolicLink(d.resolve("loop-a"), d.resolve("loop-b"));
        Files.createSymbolicLink(d.resolve("loop-b"), d.resolve("loop-a"));
        assertThatThrownBy(() -> PathGuard.writeTarget(d.resolve("loop-a"))).hasMessageContaining("symbolic links");
    }

    @Test
    void anUnwritableDirectoryIsRefused() throws IOException {
        assumeThat(System.getProperty("user.name")).as("root may write anywhere").isNotEqualTo("root");
        Path d = Files.createTempDirectory(shared, "ro");
        assumeThat(d.toFile().setWritable(false, false)).isTrue();
        try {
            assertThatThrownBy(() -> PathGuard.writeTarget(d.resolve("out.arrow"))).hasMessageContaining("permission denied");
        } finally {
            d.toFile().setWritable(true, false);
        }
    }

    @Test
    void describesFileTypes() throws IOException {
        assertThat(PathGuard.describeType(shared)).isEqualTo("a directory");
        assertThat(PathGuard.describeType(Path.of("/dev/null"))).isEqualTo("a character device");
    }

    static boolean mkfifo(Path p) {
        try {
            return new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0 && Files.exists(p);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
