package org.rlcasino.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class NamedFileChannelTest {
    @TempDir
    Path dir;

    @Test
    void aFullDiskNamesTheFile() throws IOException {
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC
        assumeThat(Files.isWritable(full)).isTrue();
        Path output = dir.resolve("deltas.arrow");
        try (FileChannel channel = new NamedFileChannel(FileChannel.open(full, StandardOpenOption.WRITE), output)) {
            assertThatThrownBy(() -> channel.write(ByteBuffer.allocate(4096)))
                    .isInstanceOfSatisfying(FileSystemException.class, e -> {
                        assertThat(e.getFile()).isEqualTo(output.toString());
                        assertThat(e.getReason()).containsIgnoringCase("no space left on device");
                    });
        }
    }

    @Test
    void delegatesReadsWritesAndPositions() throws IOException {
        Path p = dir.resolve("f.bin");
        try (FileChannel c = new NamedFileChannel(FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), p)) {
            c.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
            assertThat(c.position()).isEqualTo(4);
            assertThat(c.size()).isEqualTo(4);
            ByteBuffer b = ByteBuffer.allocate(2);
            c.read(b, 1);
            assertThat(b.array()).containsExactly(2, 3);
            c.truncate(2);
            c.force(true);
            assertThat(c.size()).isEqualTo(2);
        }
        assertThat(Files.readAllBytes(p)).containsExactly(1, 2);
    }
}
