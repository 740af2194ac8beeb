package org.rlcasino.io.safetensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The parsed and validated header of a safetensors file: {@code u64} little-endian header length
 * N, N bytes of UTF-8 JSON, then the data section, which the tensors' {@code data_offsets} must
 * cover exactly: contiguous from 0, no overlaps, no gaps, nothing after the last tensor.
 *
 * @param metadata the {@code __metadata__} entries in header order (empty when absent)
 * @param tensors the tensors in file order (by data offset)
 * @param dataStart the file offset of the data section, {@code 8 + N}
 */
record SafetensorsHeader(Map<String, String> metadata, List<SafetensorsEntry> tensors, long dataStart) {

    /** The length field's byte count. */
    static final int LENGTH_BYTES = 8;
    /** The largest header accepted, as in the reference implementation (a guard against garbage lengths). */
    static final long MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";

    /** Jackson with duplicate keys and trailing content rejected (by default it keeps the last duplicate). */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    /** Parses and validates the header of {@code file}, whose whole content is {@code content}. */
    static SafetensorsHeader parse(Path file, MemorySegment content) {
        long size = content.byteSize();
        if (size < LENGTH_BYTES) {
            throw new SafetensorsFormatException(file, null, "file has " + size
                    + " bytes, fewer than the 8-byte header length that starts every safetensors file");
        }
        long headerLength = content.get(ElementDecoder.I64_LE, 0);
        if (headerLength < 0 || headerLength > size - LENGTH_BYTES) {
            throw new SafetensorsFormatException(file, null, "header length " + Long.toUnsignedString(headerLength)
                    + " goes beyond the end of the file (" + size + " bytes, so at most " + (size - LENGTH_BYTES)
                    + "); truncated, or not a safetensors file");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(file, null, "header length " + headerLength
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        String json = decodeUtf8(file, content.asSlice(LENGTH_BYTES, headerLength).toArray(ValueLayout.JAVA_BYTE));
        JsonNode root = readJson(file, json);
        if (!root.isObject()) {
            throw new SafetensorsFormatException(file, null, "header is " + describe(root)
                    + ", expected a JSON object of tensor entries");
        }
        Map<String, String> metadata = Map.of();
        List<SafetensorsEntry> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (entry.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, entry.getValue());
            } else {
                tensors.add(tensor(file, entry.getKey(), entry.getValue()));
            }
        }
        long dataStart = LENGTH_BYTES + headerLength;
        // Stable: tensors with equal offsets (empty ones) keep their header order.
        tensors.sort(Comparator.comparingLong(SafetensorsEntry::dataStart).thenComparingLong(SafetensorsEntry::dataEnd));
        checkCoverage(file, tensors, size - dataStart, size);
        return new SafetensorsHeader(metadata, List.copyOf(tensors), dataStart);
    }

    private static String decodeUtf8(Path file, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            throw new SafetensorsFormatException(file, null, String.format(
                    "header is not valid UTF-8: byte 0x%02X at header byte %d", bytes[at] & 0xFF, at));
        }
        return out.flip().toString();
    }

    private static JsonNode readJson(Path file, String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw jsonFailure(file, e);
        }
        if (root == null || root.isMissingNode()) {
            throw new SafetensorsFormatException(file, null, "header is empty, expected a JSON object");
        }
        return root;
    }

    /** A precise message for a duplicate key (the parser's context says where it is), else Jackson's. */
    private static SafetensorsFormatException jsonFailure(Path file, JacksonException e) {
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Duplicate") && e.getProcessor() instanceof JsonParser parser) {
            JsonStreamContext context = parser.getParsingContext();
            String key = context.getCurrentName();
            JsonStreamContext parent = context.getParent();
            if (key == null) {
                parent = null; // not a key's duplicate after all: report Jackson's message
            }
            if (parent != null && parent.inRoot()) {
                return new SafetensorsFormatException(file, key.equals(METADATA_KEY) ? null : key,
                        (key.equals(METADATA_KEY) ? METADATA_KEY : "name") + " appears twice in the header", e);
            }
            if (parent != null && parent.getParent() != null && parent.getParent().inRoot()) {
                String owner = parent.getCurrentName();
                return owner.equals(METADATA_KEY)
                        ? new SafetensorsFormatException(file, null, METADATA_KEY + ": key '" + key + "' appears twice", e)
                        : new SafetensorsFormatException(file, owner, "key \"" + key + "\" appears twice", e);
            }
        }
        JsonLocation location = e.getLocation();
        String where = location == null ? "" : " (at header character " + location.getCharOffset() + ")";
        return new SafetensorsFormatException(file, null, "header is not valid JSON: " + message + where, e);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, null, METADATA_KEY + " is " + describe(node)
                    + ", expected an object of string values");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new SafetensorsFormatException(file, null, METADATA_KEY + ": key '" + entry.getKey() + "' has "
                        + describe(entry.getValue()) + ", expected a string");
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static SafetensorsEntry tensor(Path file, String name, JsonNode node) {
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, name, "entry is " + describe(node)
                    + ", expected an object with \"dtype\", \"shape\" and \"data_offsets\"");
        }
        JsonNode dtypeNode = required(file, name, node, "dtype");
        if (!dtypeNode.isTextual()) {
            throw new SafetensorsFormatException(file, name, "\"dtype\" is " + describe(dtypeNode)
                    + ", expected a string such as \"F32\"");
        }
        Dtype dtype;
        try {
            dtype = Dtype.parse(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, name, e.getMessage(), e);
        }
        long[] shape = longs(file, name, required(file, name, node, "shape"), "shape", -1);
        long[] offsets = longs(file, name, required(file, name, node, "data_offsets"), "data_offsets", 2);
        for (long d : shape) {
            if (d < 0) {
                throw new SafetensorsFormatException(file, name, "shape " + Arrays.toString(shape)
                        + " has a negative dimension " + d);
            }
        }
        if (offsets[1] < offsets[0]) {
            throw new SafetensorsFormatException(file, name, "data_offsets " + Arrays.toString(offsets)
                    + " end before they begin");
        }
        long bytes = SafetensorsEntry.byteCount(shape, dtype);
        if (bytes < 0) {
            throw new SafetensorsFormatException(file, name, "shape " + Arrays.toString(shape)
                    + " needs more than 2^63 bytes as " + dtype);
        }
        long given = offsets[1] - offsets[0];
        if (bytes != given) {
            throw new SafetensorsFormatException(file, name, "shape " + Arrays.toString(shape) + " needs " + bytes
                    + " bytes as " + dtype + " but data_offsets " + Arrays.toString(offsets) + " give " + given);
        }
        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static JsonNode required(Path file, String name, JsonNode entry, String key) {
        JsonNode value = entry.get(key);
        if (value == null) {
            throw new SafetensorsFormatException(file, name, "entry has no \"" + key + "\"");
        }
        return value;
    }

    /** A JSON array of non-negative longs ({@code length} of them unless -1); shape checks its own signs. */
    private static long[] longs(Path file, String name, JsonNode node, String key, int length) {
        String expected = length < 0 ? "an array of integers" : "an array of " + length + " non-negative integers";
        if (!node.isArray()) {
            throw new SafetensorsFormatException(file, name, "\"" + key + "\" is " + describe(node)
                    + ", expected " + expected);
        }
        if (length >= 0 && node.size() != length) {
            throw new SafetensorsFormatException(file, name, "\"" + key + "\" " + node + " has " + node.size()
                    + " entries, expected " + length + " ([begin, end])");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber()) {
                throw new SafetensorsFormatException(file, name, "\"" + key + "\"[" + i + "] is " + describe(v)
                        + ", expected an integer");
            }
            if (!v.canConvertToLong()) {
                throw new SafetensorsFormatException(file, name, "\"" + key + "\"[" + i + "] " + v
                        + " does not fit in 64 bits");
            }
            values[i] = v.longValue();
            if (length >= 0 && values[i] < 0) {
                throw new SafetensorsFormatException(file, name, "\"" + key + "\" " + node + " has a negative offset");
            }
        }
        return values;
    }

    /**
     * The data section must be exactly the tensors' bytes: every tensor inside it and, sorted by
     * offset, each beginning where the previous ends, the first at 0, the last at the end.
     */
    private static void checkCoverage(Path file, List<SafetensorsEntry> sorted, long dataBytes, long fileSize) {
        for (SafetensorsEntry t : sorted) {
            if (t.dataEnd() > dataBytes) {
                throw new SafetensorsFormatException(file, t.name(), "data_offsets " + offsets(t)
                        + " end beyond the data section's " + dataBytes + " bytes (the file has " + fileSize
                        + " bytes; truncated?)");
            }
        }
        long covered = 0;
        SafetensorsEntry previous = null;
        for (SafetensorsEntry t : sorted) {
            if (t.dataStart() < covered) {
                throw new SafetensorsFormatException(file, t.name(), "data_offsets " + offsets(t)
                        + " overlap those of tensor '" + previous.name() + "' " + offsets(previous));
            }
            if (t.dataStart() > covered) {
                throw new SafetensorsFormatException(file, t.name(), "data_offsets " + offsets(t)
                        + " leave a gap: bytes [" + covered + ", " + t.dataStart() + ") of the data section belong to "
                        + (previous == null ? "no tensor (the data must start at offset 0)"
                                : "no tensor (after tensor '" + previous.name() + "' " + offsets(previous) + ")"));
            }
            covered = t.dataEnd();
            previous = t;
        }
        if (covered != dataBytes) {
            throw new SafetensorsFormatException(file, null, "the data section has " + dataBytes
                    + " bytes but the tensors cover only [0, " + covered + ")"
                    + (previous == null ? " (the header lists no tensors)" : "; bytes after tensor '"
                            + previous.name() + "' " + offsets(previous) + " belong to no tensor"));
        }
    }

    private static String offsets(SafetensorsEntry t) {
        return "[" + t.dataStart() + ", " + t.dataEnd() + "]";
    }

    /** E.g. {@code a number (3.5)}, {@code an array ([1,2])}, shortened. */
    static String describe(JsonNode node) {
        String kind = switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
        if (node.isNull()) {
            return kind;
        }
        String text = node.toString();
        return kind + " (" + (text.length() > 40 ? text.substring(0, 37) + "..." : text) + ")";
    }
}
