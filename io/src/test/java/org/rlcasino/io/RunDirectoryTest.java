package org.rlcasino.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

class RunDirectoryTest {
    @TempDir
    Path tmp;

    /** Makes what the path holds. */
    @FunctionalInterface
    interface Setup {
        void make(Path path) throws Exception;
    }

    /**
     * One row: what the path holds, the state, and whether a command that writes a run (without and
     * with its force option) and {@code casino report} (without and with --force) accept it.
     */
    record Row(String name, Setup setup, RunDirectory.State state, boolean write, boolean writeForced, boolean report,
               boolean reportForced) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("absent", p -> { }, RunDirectory.State.ABSENT, true, true, false, false),
                new Row("empty directory", Files::createDirectories, RunDirectory.State.EMPTY, true, true, false, true),
                new Row("only a lock file left by a killed run", p -> {
                    Files.createDirectories(p);
                    Files.writeString(p.resolve(RunDirectoryLock.FILE), "{}");
                }, RunDirectory.State.EMPTY, true, true, false, true),
                new Row("run directory (marker)", p -> new RunDirectory(p).mark("casino run x.json"),
                        RunDirectory.State.RUN, true, true, true, true),
                new Row("run of casino run before the marker (run-info.json)", p -> {
                    Files.createDirectories(p);
                    Files.writeString(p.resolve("run-info.json"), "{}");
                }, RunDirectory.State.RUN, true, true, true, true),
                new Row("run of casino train before the marker (run-config.json)", p -> {
                    Files.createDirectories(p.resolve("sft"));
                    Files.writeString(p.resolve("run-config.json"), "{}");
                }, RunDirectory.State.RUN, true, true, true, true),
                new Row("unrelated non-empty directory", p -> {
                    Files.createDirectories(p.resolve("speed"));
                    Files.writeString(p.resolve("speed/notes.txt"), "mine");
                    Files.writeString(p.resolve("report.md"), "my report");
                }, RunDirectory.State.OTHER, false, true, false, true),
                new Row("a marker that is a directory", p -> Files.createDirectories(p.resolve(RunDirectory.MARKER)),
                        RunDirectory.State.OTHER, false, true, false, true),
                new Row("a regular file", p -> Files.writeString(p, "text"), RunDirectory.State.NOT_A_DIRECTORY,
                        false, false, false, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void stateAndWhatEachCommandAccepts(Row row) throws Exception {
        Path path = tmp.resolve("dir");
        row.setup().make(path);
        RunDirectory dir = new RunDirectory(path);
        assertThat(dir.state()).isEqualTo(row.state());
        check(row.write(), () -> assertThat(dir.requireWritable(false, "add --force-dir")).isEqualTo(row.state()));
        check(row.writeForced(), () -> dir.requireWritable(true, "add --force-dir"));
        check(row.report(), () -> dir.requireRun(false, "add --force"));
        check(row.reportForced(), () -> dir.requireRun(true, "add --force"));
    }

    private void check(boolean accepted, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        if (accepted) {
            assertThatNoException().isThrownBy(call);
        } else {
            assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(tmp.resolve("dir").toString());
        }
    }

    @Test
    void refusalsNameTheDirectoryTheMarkerAndTheWayOut() throws Exception {
        Path path = tmp.resolve("mine");
        Files.createDirectories(path);
        Files.writeString(path.resolve("data.csv"), "a,b\n");
        RunDirectory dir = new RunDirectory(path);
        assertThatThrownBy(() -> dir.requireWritable(false, "add --force-dir to run into it anyway"))
                .hasMessage(path + " is not empty and is not a run directory (it has no run-manifest.json); choose a new or "
                        + "empty directory, or add --force-dir to run into it anyway");
        assertThatThrownBy(() -> dir.requireRun(false, "add --force to write a report into it anyway"))
                .hasMessageContaining(path + ": not a run directory (it has no run-manifest.json")
                .hasMessageEndingWith("add --force to write a report into it anyway");
        assertThatThrownBy(() -> new RunDirectory(path.resolve("data.csv")).requireWritable(true, ""))
                .hasMessageContaining("exists and is not a directory");
    }

    @Test
    void markWritesTheManifestOnceAndMakesTheDirectoryARun() throws Exception {
        Path path = tmp.resolve("run");
        RunDirectory dir = new RunDirectory(path);
        dir.mark("casino run cfg.json --out \"run\"");
        RunDirectory.Manifest m = JsonMapper.builder().build().readValue(path.resolve(RunDirectory.MARKER).toFile(),
                RunDirectory.Manifest.class);
        assertThat(m.format()).isEqualTo(RunDirectory.FORMAT);
        assertThat(m.version()).isEqualTo(1);
        assertThat(m.createdBy()).isEqualTo("casino run cfg.json --out \"run\"");
        assertThat(dir.state()).isEqualTo(RunDirectory.State.RUN);

        byte[] first = Files.readAllBytes(path.resolve(RunDirectory.MARKER));
        dir.mark("casino train other.json");
        assertThat(path.resolve(RunDirectory.MARKER)).hasBinaryContent(first);
    }
}
