package org.rlcasino.io.safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.core.JsonGenerator;

import org.rlcasino.io.AtomicFileWriter;

/**
 * Writes safetensors files that PyTorch's {@code safetensors.torch.load_file} and Hugging Face
 * {@code transformers} read: the header JSON ({@code __metadata__} first, then the tensors in the
 * order they were added) padded with spaces to a multiple of 8 bytes, then each tensor's
 * little-endian bytes in that same order, contiguous from offset 0 with no gaps. Files are
 * written to a temporary file and atomically renamed ({@link AtomicFileWriter}).
 *
 * <p>All tensors are declared before any data is written, so the header is known up front and a
 * tensor's data can be produced while writing, chunk by chunk ({@link TensorSource}): a file far
 * larger than memory needs only a 64 KiB buffer. Arrays passed to {@code add} are kept by
 * reference, not copied, until {@link #write(Path)} returns.
 *
 * <pre>{@code
 * SafetensorsWriter.builder()
 *         .metadata("format", "pt")          // transformers refuses files without it
 *         .add("wte.weight", Dtype.BF16, new long[] {50257, 768}, weights)
 *         .add("mask", Dtype.BOOL, new long[] {768}, sink -> sink.writeBooleans(active, 0, 768))
 *         .build()
 *         .write(Path.of("model.safetensors"));
 * }</pre>
 *
 * <p>F16 values are rounded with {@link Float#floatToFloat16} and BF16 values with
 * {@link BFloat16#fromFloat}: round to nearest, ties to even, as PyTorch does.
 */
public final class SafetensorsWriter {
    private static final int CHUNK_BYTES = 1 << 16;

    private final Map<String, String> metadata;
    private final List<SafetensorsEntry> tensors;
    private final List<TensorSource> sources;
    private final byte[] header;

    private SafetensorsWriter(Map<String, String> metadata, List<Declared> declared) {
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        List<SafetensorsEntry> infos = new ArrayList<>();
        List<TensorSource> srcs = new ArrayList<>();
        long offset = 0;
        for (Declared d : declared) {
            long bytes = SafetensorsEntry.byteCount(d.shape(), d.dtype());
            if (offset > Long.MAX_VALUE - bytes) {
                throw new IllegalArgumentException("tensor '" + d.name() + "': the data would exceed 2^63 bytes");
            }
            infos.add(new SafetensorsEntry(d.name(), d.dtype(), d.shape(), offset, offset + bytes));
            srcs.add(d.source());
            offset += bytes;
        }
        this.tensors = List.copyOf(infos);
        this.sources = List.copyOf(srcs);
        this.header = headerBytes(this.metadata, this.tensors);
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The {@code __metadata__} entries, in insertion order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensors with the data offsets they will have, in file order. */
    public List<SafetensorsEntry> tensors() {
        return tensors;
    }

    /** The size of the file {@link #write(Path)} produces. */
    public long fileSize() {
        long size = SafetensorsHeader.LENGTH_BYTES + header.length;
        return tensors.isEmpty() ? size : size + tensors.getLast().dataEnd();
    }

    /** The 8-byte length and the padded header JSON: the file's first bytes. */
    public byte[] headerBytes() {
        byte[] out = new byte[SafetensorsHeader.LENGTH_BYTES + header.length];
        MemorySegment.ofArray(out).set(ElementDecoder.I64_LE, 0, header.length);
        System.arraycopy(header, 0, out, SafetensorsHeader.LENGTH_BYTES, header.length);
        return out;
    }

    /**
     * Writes the file atomically: to a temporary file beside {@code target}, renamed over it when
     * complete. If a source or the disk fails, neither {@code target} (an existing one is kept)
     * nor the temporary file is left changed.
     */
    public void write(Path target) throws IOException {
        AtomicFileWriter.write(target, this::writeTo);
    }

    /** Writes the file's bytes to {@code out} (not atomic; {@link #write(Path)} is). */
    public void writeTo(OutputStream out) throws IOException {
        out.write(headerBytes());
        byte[] buffer = new byte[CHUNK_BYTES];
        for (int i = 0; i < tensors.size(); i++) {
            SafetensorsEntry t = tensors.get(i);
            TensorSink sink = new TensorSink(t, out, buffer);
            sources.get(i).writeTo(sink);
            sink.finish();
        }
        out.flush();
    }

    /** Header JSON, compact ({@code json.dumps(header, separators=(",", ":"))}), padded with spaces. */
    private static byte[] headerBytes(Map<String, String> metadata, List<SafetensorsEntry> tensors) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator g = SafetensorsHeader.MAPPER.getFactory().createGenerator(json)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            for (SafetensorsEntry t : tensors) {
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", t.dtype().safetensorsName());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(t.dataStart());
                g.writeNumber(t.dataEnd());
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padding = (8 - json.size() % 8) % 8;
        json.writeBytes(" ".repeat(padding).getBytes(StandardCharsets.US_ASCII));
        return json.toByteArray();
    }

    /** Produces one tensor's data while the file is written, in row-major order, in any number of chunks. */
    @FunctionalInterface
    public interface TensorSource {
        /** Writes exactly the tensor's element count through {@code sink}. */
        void writeTo(TensorSink sink) throws IOException;
    }

    /**
     * Receives one tensor's elements and encodes them as its dtype: floats for F64/F32/F16/BF16;
     * ints or longs for I64/I32/I16/I8/U8/BOOL (each value must fit: U8 in [0, 255], BOOL 0 or 1);
     * bytes for I8, U8 (as unsigned) and BOOL; booleans for BOOL and U8.
     */
    public static final class TensorSink {
        private final SafetensorsEntry tensor;
        private final OutputStream out;
        private final byte[] buffer;
        private final MemorySegment stage;
        private final int size;
        private long written;
        private boolean finished;

        private TensorSink(SafetensorsEntry tensor, OutputStream out, byte[] buffer) {
            this.tensor = tensor;
            this.out = out;
            this.buffer = buffer;
            this.stage = MemorySegment.ofArray(buffer);
            this.size = tensor.dtype().byteSize();
        }

        /** The tensor being written. */
        public SafetensorsEntry tensor() {
            return tensor;
        }

        /** Elements still to write. */
        public long remaining() {
            return tensor.numel() - written;
        }

        /** Writes {@code src[offset, offset + length)} to an F64, F32, F16 or BF16 tensor. */
        public void writeFloats(float[] src, int offset, int length) throws IOException {
            begin("writeFloats", src.length, offset, length, tensor.dtype().isFloatingPoint());
            int perChunk = CHUNK_BYTES / size;
            for (int done = 0; done < length; ) {
                int n = Math.min(perChunk, length - done);
                int from = offset + done;
                switch (tensor.dtype()) {
                    case F32 -> MemorySegment.copy(src, from, stage, ElementDecoder.F32_LE, 0, n);
                    case BF16 -> {
                        for (int i = 0; i < n; i++) {
                            stage.set(ElementDecoder.I16_LE, 2L * i, BFloat16.fromFloat(src[from + i]));
                        }
                    }
                    case F16 -> {
                        for (int i = 0; i < n; i++) {
                            stage.set(ElementDecoder.I16_LE, 2L * i, Float.floatToFloat16(src[from + i]));
                        }
                    }
                    case F64 -> {
                        for (int i = 0; i < n; i++) {
                            stage.set(ElementDecoder.F64_LE, 8L * i, src[from + i]);
                        }
                    }
                    default -> throw new AssertionError(tensor.dtype());
                }
                flushChunk(n);
                done += n;
            }
        }

        /** Writes {@code src[offset, offset + length)} to an integer or BOOL tensor. */
        public void writeInts(int[] src, int offset, int length) throws IOException {
            begin("writeInts", src.length, offset, length, !tensor.dtype().isFloatingPoint());
            int perChunk = CHUNK_BYTES / size;
            for (int done = 0; done < length; ) {
                int n = Math.min(perChunk, length - done);
                int from = offset + done;
                if (tensor.dtype() == Dtype.I32) {
                    MemorySegment.copy(src, from, stage, ElementDecoder.I32_LE, 0, n);
                } else {
                    for (int i = 0; i < n; i++) {
                        putInteger(i, src[from + i]);
                    }
                }
                flushChunk(n);
                done += n;
            }
        }

        /** Writes {@code src[offset, offset + length)} to an integer or BOOL tensor. */
        public void writeLongs(long[] src, int offset, int length) throws IOException {
            begin("writeLongs", src.length, offset, length, !tensor.dtype().isFloatingPoint());
            int perChunk = CHUNK_BYTES / size;
            for (int done = 0; done < length; ) {
                int n = Math.min(perChunk, length - done);
                int from = offset + done;
                if (tensor.dtype() == Dtype.I64) {
                    MemorySegment.copy(src, from, stage, ElementDecoder.I64_LE, 0, n);
                } else {
                    for (int i = 0; i < n; i++) {
                        putInteger(i, src[from + i]);
                    }
                }
                flushChunk(n);
                done += n;
            }
        }

        /** Writes {@code src[offset, offset + length)} to an I8, U8 (bytes taken as unsigned) or BOOL (0/1) tensor. */
        public void writeBytes(byte[] src, int offset, int length) throws IOException {
            Dtype dtype = tensor.dtype();
            begin("writeBytes", src.length, offset, length, dtype == Dtype.I8 || dtype == Dtype.U8 || dtype == Dtype.BOOL);
            if (dtype == Dtype.BOOL) {
                for (int i = 0; i < length; i++) {
                    if (src[offset + i] != 0 && src[offset + i] != 1) {
                        throw outOfRange(written + i, src[offset + i]);
                    }
                }
            }
            out.write(src, offset, length);
            written += length;
        }

        /** Writes {@code src[offset, offset + length)} to a BOOL or U8 tensor as 1 and 0. */
        public void writeBooleans(boolean[] src, int offset, int length) throws IOException {
            begin("writeBooleans", src.length, offset, length, tensor.dtype() == Dtype.BOOL || tensor.dtype() == Dtype.U8);
            for (int done = 0; done < length; ) {
                int n = Math.min(CHUNK_BYTES, length - done);
                for (int i = 0; i < n; i++) {
                    buffer[i] = src[offset + done + i] ? (byte) 1 : (byte) 0;
                }
                flushChunk(n);
                done += n;
            }
        }

        private void begin(String method, int srcLength, int offset, int length, boolean accepted) {
            if (finished) {
                throw new IllegalStateException("tensor '" + tensor.name() + "': " + method + " after its source returned");
            }
            if (!accepted) {
                throw new IllegalArgumentException("tensor '" + tensor.name() + "' is " + tensor.dtype() + "; "
                        + method + " cannot write it");
            }
            Objects.checkFromIndexSize(offset, length, srcLength);
            if (length > remaining()) {
                throw new IllegalStateException("tensor '" + tensor.name() + "': " + method + " of " + length
                        + " elements but only " + remaining() + " of its " + tensor.numel() + " remain");
            }
        }

        private void putInteger(int i, long v) {
            long at = (long) i * size;
            switch (tensor.dtype()) {
                case I64 -> stage.set(ElementDecoder.I64_LE, at, v);
                case I32 -> {
                    check(i, v, Integer.MIN_VALUE, Integer.MAX_VALUE);
                    stage.set(ElementDecoder.I32_LE, at, (int) v);
                }
                case I16 -> {
                    check(i, v, Short.MIN_VALUE, Short.MAX_VALUE);
                    stage.set(ElementDecoder.I16_LE, at, (short) v);
                }
                case I8 -> {
                    check(i, v, Byte.MIN_VALUE, Byte.MAX_VALUE);
                    stage.set(ValueLayout.JAVA_BYTE, at, (byte) v);
                }
                case U8 -> {
                    check(i, v, 0, 255);
                    stage.set(ValueLayout.JAVA_BYTE, at, (byte) v);
                }
                case BOOL -> {
                    check(i, v, 0, 1);
                    stage.set(ValueLayout.JAVA_BYTE, at, (byte) v);
                }
                default -> throw new AssertionError(tensor.dtype());
            }
        }

        private void check(int i, long v, long min, long max) {
            if (v < min || v > max) {
                throw outOfRange(written + i, v);
            }
        }

        private IllegalArgumentException outOfRange(long element, long value) {
            String range = switch (tensor.dtype()) {
                case BOOL -> "0 or 1";
                case U8 -> "[0, 255]";
                case I8 -> "[-128, 127]";
                case I16 -> "[-32768, 32767]";
                default -> "[" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "]";
            };
            return new IllegalArgumentException("tensor '" + tensor.name() + "': element " + element + " is " + value
                    + ", outside " + tensor.dtype() + "'s range " + range);
        }

        private void flushChunk(int elements) throws IOException {
            out.write(buffer, 0, elements * size);
            written += elements;
        }

        private void finish() {
            finished = true;
            if (written != tensor.numel()) {
                throw new IllegalStateException("tensor '" + tensor.name() + "': its source wrote " + written + " of "
                        + tensor.numel() + " elements");
            }
        }
    }

    private record Declared(String name, Dtype dtype, long[] shape, TensorSource source) {}

    /** Collects metadata and tensor declarations; {@link #build()} fixes the layout. */
    public static final class Builder {
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final List<Declared> declared = new ArrayList<>();
        private final Set<String> names = new HashSet<>();

        private Builder() {}

        /**
         * Adds a {@code __metadata__} entry (transformers wants {@code "format": "pt"}).
         *
         * @throws IllegalArgumentException when the key was already added
         */
        public Builder metadata(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (metadata.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException("metadata key '" + key + "' is already set");
            }
            return this;
        }

        /** Adds every entry of {@code entries}, as {@link #metadata(String, String)}. */
        public Builder metadata(Map<String, String> entries) {
            entries.forEach(this::metadata);
            return this;
        }

        /** A tensor of dtype F64, F32, F16 or BF16 with these values (row-major; kept by reference). */
        public Builder add(String name, Dtype dtype, long[] shape, float[] values) {
            requireLength(name, shape, values.length);
            return declare(name, dtype, shape, dtype.isFloatingPoint(), "float[]",
                    sink -> sink.writeFloats(values, 0, values.length));
        }

        /** A tensor of an integer dtype or BOOL with these values (each must fit the dtype). */
        public Builder add(String name, Dtype dtype, long[] shape, int[] values) {
            requireLength(name, shape, values.length);
            return declare(name, dtype, shape, !dtype.isFloatingPoint(), "int[]",
                    sink -> sink.writeInts(values, 0, values.length));
        }

        /** A tensor of an integer dtype or BOOL with these values (each must fit the dtype). */
        public Builder add(String name, Dtype dtype, long[] shape, long[] values) {
            requireLength(name, shape, values.length);
            return declare(name, dtype, shape, !dtype.isFloatingPoint(), "long[]",
                    sink -> sink.writeLongs(values, 0, values.length));
        }

        /** A tensor of dtype I8, U8 (bytes taken as unsigned) or BOOL (bytes 0 or 1). */
        public Builder add(String name, Dtype dtype, long[] shape, byte[] values) {
            requireLength(name, shape, values.length);
            return declare(name, dtype, shape, dtype == Dtype.I8 || dtype == Dtype.U8 || dtype == Dtype.BOOL, "byte[]",
                    sink -> sink.writeBytes(values, 0, values.length));
        }

        /** A BOOL tensor. */
        public Builder add(String name, long[] shape, boolean[] values) {
            requireLength(name, shape, values.length);
            return declare(name, Dtype.BOOL, shape, true, "boolean[]",
                    sink -> sink.writeBooleans(values, 0, values.length));
        }

        /** A tensor whose data {@code source} writes while the file is written. */
        public Builder add(String name, Dtype dtype, long[] shape, TensorSource source) {
            Objects.requireNonNull(source, "source");
            return declare(name, dtype, shape, true, null, source);
        }

        /** The writer for the tensors added so far, in that order. */
        public SafetensorsWriter build() {
            return new SafetensorsWriter(metadata, declared);
        }

        private Builder declare(String name, Dtype dtype, long[] shape, boolean accepted, String values,
                                TensorSource source) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            if (name.isEmpty() || name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("'" + name + "' cannot be a tensor name");
            }
            if (!accepted) {
                throw new IllegalArgumentException("tensor '" + name + "': " + values + " values cannot be written as "
                        + dtype);
            }
            long[] copy = shape.clone();
            if (SafetensorsEntry.byteCount(copy, dtype) < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(copy)
                        + " has a negative dimension or more than 2^63 bytes as " + dtype);
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("tensor '" + name + "' is already added");
            }
            declared.add(new Declared(name, dtype, copy, source));
            return this;
        }

        private static void requireLength(String name, long[] shape, int length) {
            long numel = SafetensorsEntry.elementCount(shape);
            if (numel >= 0 && numel != length) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " has "
                        + numel + " elements but " + length + " values were given");
            }
        }
    }
}
