package org.rlcasino.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFileWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesContentAndCreatesParents() throws IOException {
        Path target = dir.resolve("a/b/out.txt");
        AtomicFileWriter.writeString(target, "hello");
        assertThat(Files.readString(target)).isEqualTo("hello");
        assertThat(Files.list(target.getParent())).containsExactly(target);
    }

    @Test
    void replacesAnExistingFile() throws IOException {
        Path target = dir.resolve("out.txt");
        AtomicFileWriter.writeString(target, "old");
        AtomicFileWriter.writeString(target, "new");
        assertThat(Files.readString(target)).isEqualTo("new");
    }

    @Test
    void failureKeepsThePreviousFileAndLeavesNoTemporary() throws IOException {
        Path target = dir.resolve("out.txt");
        AtomicFileWriter.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFileWriter.write(target, out -> {
            out.write("half".getBytes());
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(Files.readString(target)).isEqualTo("old");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void failureOnANewFileLeavesNothing() throws IOException {
        Path target = dir.resolve("new.txt");
        assertThatThrownBy(() -> AtomicFileWriter.write(target, out -> {
            throw new IllegalStateException("bug");
        })).isInstanceOf(IllegalStateException.class);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void pendingFileAppearsOnlyOnCommit() throws IOException {
        Path target = dir.resolve("sub/out.bin");
        try (AtomicFileWriter.Pending pending = AtomicFileWriter.begin(target)) {
            pending.channel().write(java.nio.ByteBuffer.wrap("part 1, ".getBytes()));
            pending.channel().write(java.nio.ByteBuffer.wrap("part 2".getBytes()));
            assertThat(pending.temp().getParent()).isEqualTo(target.getParent());
            assertThat(target).doesNotExist();
            pending.commit();
            assertThatThrownBy(pending::commit).isInstanceOf(IllegalStateException.class);
        }
        assertThat(Files.readString(target)).isEqualTo("part 1, part 2");
        if (Files.getFileStore(target).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r--r--");
        }
        try (var files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void pendingFileClosedWithoutCommitLeavesThePreviousFile() throws IOException {
        Path target = dir.resolve("out.bin");
        AtomicFileWriter.writeString(target, "old");
        try (AtomicFileWriter.Pending pending = AtomicFileWriter.begin(target)) {
            pending.channel().write(java.nio.ByteBuffer.wrap("new".getBytes()));
        }
        assertThat(Files.readString(target)).isEqualTo("old");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void aSymbolicLinkIsWrittenThroughAndStaysALink() throws IOException {
        Path real = dir.resolve("data/real.txt");
        AtomicFileWriter.writeString(real, "old");
        Path link = dir.resolve("link.txt");
        Files.createSymbolicLink(link, Path.of("data/real.txt"));
        AtomicFileWriter.writeString(link, "new");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("new");
        assertThat(Files.readString(link)).isEqualTo("new");
        Path dangling = dir.resolve("dangling.txt");
        Files.createSymbolicLink(dangling, dir.resolve("made/by/the/write.txt"));
        AtomicFileWriter.writeString(dangling, "created");
        assertThat(Files.readString(dir.resolve("made/by/the/write.txt"))).isEqualTo("created");
    }

    @Test
    void onlyRegularFilesAreReplaced() throws Exception {
        Path fifo = dir.resolve("pipe");
        org.assertj.core.api.Assumptions.assumeThat(PathGuardTest.mkfifo(fifo)).isTrue();
        assertThatThrownBy(() -> AtomicFileWriter.writeString(fifo, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a FIFO (named pipe)");
        assertThat(PathGuard.describeType(fifo)).isEqualTo("a FIFO (named pipe)");
        Files.createDirectories(dir.resolve("d"));
        assertThatThrownBy(() -> AtomicFileWriter.begin(dir.resolve("d"))).hasMessageContaining("is a directory");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("pipe", "d");
        }
    }

    @Test
    void aGroupCommitsAllItsFilesTogether() throws IOException {
        Path a = dir.resolve("mask.arrow");
        Path b = dir.resolve("mask.safetensors");
        AtomicFileWriter.writeString(a, "old a");
        try (AtomicFileWriter.Group g = AtomicFileWriter.group()) {
            AtomicFileWriter.writeString(g.stage(a), "new a");
            AtomicFileWriter.writeString(g.stage(b), "new b");
            assertThat(Files.readString(a)).isEqualTo("old a");
            assertThat(b).doesNotExist();
            g.commit();
        }
        assertThat(Files.readString(a)).isEqualTo("new a");
        assertThat(Files.readString(b)).isEqualTo("new b");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(a, b);
        }
    }

    @Test
    void aGroupClosedWithoutCommitChangesNothing() throws IOException {
        Path a = dir.resolve("mask.arrow");
        AtomicFileWriter.writeString(a, "old a");
        try (AtomicFileWriter.Group g = AtomicFileWriter.group()) {
            AtomicFileWriter.writeString(g.stage(a), "new a");
            g.stage(dir.resolve("mask.safetensors")); // the second file fails before it is written
        }
        assertThat(Files.readString(a)).isEqualTo("old a");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(a);
        }
    }

    @Test
    void aGroupWhoseSecondRenameFailsPutsTheFirstTargetBack() throws IOException {
        Path a = dir.resolve("mask.arrow");
        Path b = dir.resolve("mask.safetensors");
        AtomicFileWriter.writeString(a, "old a");
        try (AtomicFileWriter.Group g = AtomicFileWriter.group()) {
            AtomicFileWriter.writeString(g.stage(a), "new a");
            AtomicFileWriter.writeString(g.stage(b), "new b");
            Files.createDirectories(b.resolve("in-the-way")); // a non-empty directory cannot be replaced
            assertThatThrownBy(g::commit).isInstanceOf(IOException.class);
        }
        assertThat(Files.readString(a)).isEqualTo("old a");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(a, b);
        }
    }
}
