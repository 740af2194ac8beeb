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
}
