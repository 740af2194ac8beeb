package org.rlcasino.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Sequential read bandwidth through memory-mapped files: maps each file, reads every 8-byte word in
 * order, unmaps. The yardstick for anything that streams checkpoints (e.g. {@code casino deltas}).
 */
public final class MappedReadBandwidth {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MappedReadBandwidth() {}

    /** Bytes read and seconds taken. */
    public record Result(long bytes, double seconds) {
        public double gbPerSecond() {
            return bytes / seconds / 1e9;
        }
    }

    /** Reads all of {@code files} once. */
    public static Result measure(List<Path> files) throws IOException {
        long bytes = 0;
        long checksum = 0;
        long t0 = System.nanoTime();
        for (Path file : files) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                 Arena arena = Arena.ofConfined()) {
                long size = channel.size();
                MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                long words = size / 8;
                for (long w = 0; w < words; w++) {
                    checksum += segment.get(WORD, w * 8);
                }
                for (long b = words * 8; b < size; b++) {
                    checksum += segment.get(ValueLayout.JAVA_BYTE, b);
                }
                bytes += size;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (checksum == 42) {
            System.err.print(""); // keeps the reads from being optimised away
        }
        return new Result(bytes, seconds);
    }
}
