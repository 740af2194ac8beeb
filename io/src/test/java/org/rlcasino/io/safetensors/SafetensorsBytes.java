package org.rlcasino.io.safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors bytes by hand, including broken ones, for the tests. */
final class SafetensorsBytes {
    private SafetensorsBytes() {}

    /** The 8-byte little-endian {@code length}, then {@code header}, then {@code dataBytes} bytes 0, 1, 2, … */
    static byte[] file(long length, byte[] header, int dataBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] prefix = new byte[8];
        MemorySegment.ofArray(prefix).set(ElementDecoder.I64_LE, 0, length);
        out.writeBytes(prefix);
        out.writeBytes(header);
        for (int i = 0; i < dataBytes; i++) {
            out.write(i);
        }
        return out.toByteArray();
    }

    /** A file with this header JSON (its true length) and {@code dataBytes} data bytes. */
    static byte[] file(String headerJson, int dataBytes) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return file(header.length, header, dataBytes);
    }

    /** Writes {@code bytes} to {@code dir/name} and returns the path. */
    static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tensor entry of a header: {@code "name":{"dtype":..,"shape":[..],"data_offsets":[b,e]}}. */
    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }
}
