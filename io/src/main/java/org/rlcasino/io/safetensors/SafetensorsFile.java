package org.rlcasino.io.safetensors;

import org.rlcasino.io.NameSuggestions;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One safetensors file, memory-mapped read-only as a single {@link MemorySegment} (so files over
 * 2 GiB work and every offset is a long). Opening validates the whole header (see
 * {@link SafetensorsFormatException}); tensors are then slices of the mapping, and bytes are copied
 * only when converted into a Java array.
 *
 * <p>Reads may run concurrently from several threads. {@link #close()} unmaps the file; slices
 * handed out before become unusable.
 *
 * <pre>{@code
 * try (SafetensorsFile file = SafetensorsFile.open(Path.of("model.safetensors"))) {
 *     float[] wte = file.readFloats("wte.weight");          // F32, F16 or BF16 -> float
 * }
 * }</pre>
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The most elements a Java array reliably holds. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, String> metadata;
    private final List<SafetensorsEntry> tensors;
    private final Map<String, SafetensorsEntry> byName;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.metadata = header.metadata();
        this.tensors = header.tensors();
        Map<String, SafetensorsEntry> map = new LinkedHashMap<>();
        for (SafetensorsEntry t : tensors) {
            map.put(t.name(), t);
        }
        this.byName = map;
    }

    /**
     * Maps and validates {@code path}.
     *
     * @throws SafetensorsFormatException when the file is not valid safetensors
     * @throws IllegalArgumentException when it is a directory, device, FIFO or socket
     * @throws IOException when it cannot be read
     */
    public static SafetensorsFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        // Before opening: a FIFO would block open() forever and a device like /dev/zero never ends.
        org.rlcasino.io.PathGuard.requireRegularFile(path, "a safetensors file");
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            // Mapping needs a non-empty region; a file this short fails the header check anyway.
            MemorySegment content = size < SafetensorsHeader.LENGTH_BYTES
                    ? MemorySegment.ofArray(Files.readAllBytes(path))
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            SafetensorsHeader header = SafetensorsHeader.parse(path, content);
            MemorySegment data = content.asSlice(header.dataStart()).asReadOnly();
            return new SafetensorsFile(path, arena, data, header);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The path this file was opened with. */
    public Path path() {
        return path;
    }

    /** The {@code __metadata__} entries in header order (empty when the file has none); unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensors in file order (by data offset); unmodifiable. */
    public List<SafetensorsEntry> tensors() {
        return tensors;
    }

    /** Whether the file has a tensor called {@code name}. */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /**
     * The tensor called {@code name}.
     *
     * @throws IllegalArgumentException naming the nearest names when there is none
     */
    public SafetensorsEntry tensor(String name) {
        SafetensorsEntry t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": " + NameSuggestions.missing(name, byName.keySet()));
        }
        return t;
    }

    /** The tensor's bytes as a read-only slice of the mapping (little-endian, no copy). */
    public MemorySegment slice(String name) {
        return slice(tensor(name));
    }

    MemorySegment slice(SafetensorsEntry t) {
        return data.asSlice(t.dataStart(), t.byteSize());
    }

    /**
     * The whole tensor as floats, converted from its dtype (F32, F16 and BF16 exactly, F64 rounded,
     * integers and BOOL as their values).
     *
     * @throws IllegalArgumentException when it has more elements than a Java array holds (read it
     *     in ranges instead)
     */
    public float[] readFloats(String name) {
        SafetensorsEntry t = tensor(name);
        float[] dst = new float[wholeLength(t)];
        ElementDecoder.toFloats(slice(t), t.dtype(), 0, dst, 0, dst.length);
        return dst;
    }

    /**
     * Converts elements {@code [elementOffset, elementOffset + count)} of the flattened (row-major)
     * tensor into {@code dst[dstOffset, dstOffset + count)}, as {@link #readFloats(String)} does.
     */
    public void readFloats(String name, long elementOffset, float[] dst, int dstOffset, int count) {
        SafetensorsEntry t = tensor(name);
        checkRange(t, elementOffset, dst.length, dstOffset, count);
        ElementDecoder.toFloats(slice(t), t.dtype(), elementOffset, dst, dstOffset, count);
    }

    /**
     * {@code dst[dstOffset + i] = this[elementOffset + i] − before[elementOffset + i]} in float32
     * for tensor {@code name} of both files (same element count), each element converted as
     * {@link #readFloats(String, long, float[], int, int)} does; one pass instead of two reads and
     * a subtraction, with the same result.
     */
    public void readFloatDifference(String name, SafetensorsFile before, long elementOffset, float[] dst, int dstOffset,
                                    int count) {
        SafetensorsEntry t = tensor(name);
        SafetensorsEntry b = before.tensor(name);
        checkRange(t, elementOffset, dst.length, dstOffset, count);
        before.checkRange(b, elementOffset, dst.length, dstOffset, count);
        ElementDecoder.differenceToFloats(slice(t), t.dtype(), before.slice(b), b.dtype(), elementOffset, dst, dstOffset, count);
    }

    /**
     * The whole tensor of an integer dtype (I64, I32, I16, I8, U8 unsigned, BOOL as 0/1) as ints.
     *
     * @throws IllegalArgumentException for a floating-point tensor, or an I64 value outside the int range
     */
    public int[] readInts(String name) {
        SafetensorsEntry t = tensor(name);
        requireInteger(t, "readInts");
        int[] dst = new int[wholeLength(t)];
        readInts(t, 0, dst, 0, dst.length);
        return dst;
    }

    /** Elements {@code [elementOffset, elementOffset + count)} as ints, as {@link #readInts(String)}. */
    public void readInts(String name, long elementOffset, int[] dst, int dstOffset, int count) {
        SafetensorsEntry t = tensor(name);
        checkRange(t, elementOffset, dst.length, dstOffset, count);
        readInts(t, elementOffset, dst, dstOffset, count);
    }

    private void readInts(SafetensorsEntry t, long elementOffset, int[] dst, int dstOffset, int count) {
        requireInteger(t, "readInts");
        int bad = ElementDecoder.toInts(slice(t), t.dtype(), elementOffset, dst, dstOffset, count);
        if (bad >= 0) {
            long at = elementOffset + bad;
            throw new IllegalArgumentException(path + ": tensor '" + t.name() + "': element " + at + " is "
                    + slice(t).get(ElementDecoder.I64_LE, at * 8) + ", outside the int range; use readLongs");
        }
    }

    /** The whole tensor of an integer dtype as longs (U8 unsigned, BOOL as 0/1). */
    public long[] readLongs(String name) {
        SafetensorsEntry t = tensor(name);
        requireInteger(t, "readLongs");
        long[] dst = new long[wholeLength(t)];
        ElementDecoder.toLongs(slice(t), t.dtype(), 0, dst, 0, dst.length);
        return dst;
    }

    /** Elements {@code [elementOffset, elementOffset + count)} as longs, as {@link #readLongs(String)}. */
    public void readLongs(String name, long elementOffset, long[] dst, int dstOffset, int count) {
        SafetensorsEntry t = tensor(name);
        checkRange(t, elementOffset, dst.length, dstOffset, count);
        requireInteger(t, "readLongs");
        ElementDecoder.toLongs(slice(t), t.dtype(), elementOffset, dst, dstOffset, count);
    }

    /** Unmaps the file; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }

    private int wholeLength(SafetensorsEntry t) {
        if (t.numel() > MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException(path + ": tensor '" + t.name() + "' has " + t.numel()
                    + " elements, more than a Java array holds; read it in ranges (elementOffset, count)");
        }
        return (int) t.numel();
    }

    private void requireInteger(SafetensorsEntry t, String method) {
        if (t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(path + ": tensor '" + t.name() + "' is " + t.dtype() + "; " + method
                    + " needs an integer or BOOL tensor (use readFloats)");
        }
    }

    private void checkRange(SafetensorsEntry t, long elementOffset, int dstLength, int dstOffset, int count) {
        Objects.checkFromIndexSize(dstOffset, count, dstLength);
        if (elementOffset < 0 || elementOffset > t.numel() - count) {
            throw new IndexOutOfBoundsException(path + ": tensor '" + t.name() + "': elements [" + elementOffset
                    + ", " + (elementOffset + count) + ") are outside its " + t.numel() + " elements");
        }
    }
}
