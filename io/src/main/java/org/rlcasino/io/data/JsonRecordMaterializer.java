package org.rlcasino.io.data;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.LongFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DateLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.EnumLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.Float16LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.ListLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.MapLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.MapKeyValueTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.StringLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.UUIDLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.UnknownLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Builds each record of a Parquet file, through parquet-column's record assembly, as the Jackson object
 * that a JSON line with the same values parses to, so that {@link DatasetReader}'s column logic reads
 * both alike. A field that is null, or absent at its level, is JSON null; fields keep the schema's order.
 * <ul>
 *   <li>STRING, ENUM, JSON, UUID: text (JSON as its text, not parsed; UUID in its 8-4-4-4-12 form);</li>
 *   <li>INT32, INT64 and INTEGER: numbers, as Jackson parses them (an int when it fits, else a long;
 *       UINT64 above the long range a big integer); FLOAT, DOUBLE, FLOAT16: doubles; BOOLEAN: true/false;
 *       DECIMAL (on any physical type): the exact decimal;</li>
 *   <li>DATE, TIME, TIMESTAMP and legacy INT96 timestamps: ISO-8601 text as java.time writes it
 *       ({@code 2024-05-06}, {@code 13:45:10.250}, {@code 2024-05-06T13:45:10.250Z} when adjusted to UTC
 *       and INT96, {@code 2024-05-06T13:45:10.250} when local);</li>
 *   <li>LIST (three-level, and the legacy two-level forms) and an unannotated repeated field: array;
 *       MAP: object, the keys as text; other groups: object;</li>
 *   <li>refused by name when the schema holds them, before any row is read: raw BYTE_ARRAY and
 *       FIXED_LEN_BYTE_ARRAY (no string or decimal annotation), INTERVAL, BSON (and, in
 *       {@link ParquetSchema}, GEOMETRY, GEOGRAPHY, VARIANT).</li>
 * </ul>
 */
final class JsonRecordMaterializer extends RecordMaterializer<ObjectNode> {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Julian day number of 1970-01-01: INT96 timestamps count days from the Julian epoch. */
    private static final long JULIAN_EPOCH_DAY = 2_440_588L;

    private final ObjectConverter root;

    /**
     * @throws IllegalArgumentException the schema has a column with no JSON form (named)
     */
    JsonRecordMaterializer(MessageType schema) {
        root = new ObjectConverter(schema, "", node -> { });
    }

    @Override
    public ObjectNode getCurrentRecord() {
        return root.current;
    }

    @Override
    public GroupConverter getRootConverter() {
        return root;
    }

    /** The converter of a field at {@code path} that hands each of its values to {@code out}. */
    private static Converter converter(Type type, String path, Consumer<JsonNode> out) {
        if (type.isPrimitive()) {
            return value(type.asPrimitiveType(), path, out);
        }
        GroupType group = type.asGroupType();
        return switch (group.getLogicalTypeAnnotation()) {
            case null -> new ObjectConverter(group, path, out);
            case MapKeyValueTypeAnnotation _ -> new ObjectConverter(group, path, out);
            case ListLogicalTypeAnnotation _ -> new ListConverter(group, path, out);
            case MapLogicalTypeAnnotation _ -> new MapConverter(group, path, out);
            default -> throw unsupported(path, group.getLogicalTypeAnnotation().toString());
        };
    }

    private static IllegalArgumentException unsupported(String path, String what) {
        return new IllegalArgumentException("column '" + path + "' holds " + what + ", which has no JSON form here");
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** A group as an object; a repeated field in it (outside a LIST) as an array of its values. */
    private static final class ObjectConverter extends GroupConverter {
        private final GroupType type;
        private final Consumer<JsonNode> out;
        private final Converter[] fields;
        private ObjectNode current;

        ObjectConverter(GroupType type, String path, Consumer<JsonNode> out) {
            this.type = type;
            this.out = out;
            fields = new Converter[type.getFieldCount()];
            for (int i = 0; i < fields.length; i++) {
                Type field = type.getType(i);
                String name = field.getName();
                Consumer<JsonNode> into = field.isRepetition(Type.Repetition.REPEATED)
                        ? v -> ((ArrayNode) current.get(name)).add(v)
                        : v -> current.set(name, v);
                fields[i] = converter(field, child(path, name), into);
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return fields[fieldIndex];
        }

        @Override
        public void start() {
            current = NODES.objectNode();
            for (Type field : type.getFields()) {
                current.set(field.getName(), field.isRepetition(Type.Repetition.REPEATED) ? NODES.arrayNode() : NullNode.getInstance());
            }
            out.accept(current);
        }

        @Override
        public void end() { }
    }

    /**
     * A LIST group as an array. Its one repeated field is the element itself in the legacy two-level forms
     * (a primitive, a group of several fields, or a group named {@code array} or {@code <list>_tuple}),
     * else a group whose one field is the element (the standard three levels), as the format's
     * backward-compatibility rules say.
     */
    private static final class ListConverter extends GroupConverter {
        private final Consumer<JsonNode> out;
        private final Converter repeated;
        private ArrayNode current;

        ListConverter(GroupType list, String path, Consumer<JsonNode> out) {
            this.out = out;
            if (list.getFieldCount() != 1 || !list.getType(0).isRepetition(Type.Repetition.REPEATED)) {
                throw unsupported(path, "a LIST group without exactly one repeated field");
            }
            Type field = list.getType(0);
            String fieldPath = child(path, field.getName());
            boolean twoLevel = field.isPrimitive() || field.asGroupType().getFieldCount() > 1
                    || field.getName().equals("array") || field.getName().equals(list.getName() + "_tuple");
            repeated = twoLevel
                    ? converter(field, fieldPath, v -> current.add(v))
                    : new ElementConverter(field.asGroupType().getType(0), child(fieldPath, field.asGroupType().getType(0).getName()));
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return repeated;
        }

        @Override
        public void start() {
            current = NODES.arrayNode();
            out.accept(current);
        }

        @Override
        public void end() { }

        /** The middle level of a three-level list: one entry of the array, null unless its element is present. */
        private final class ElementConverter extends GroupConverter {
            private final Converter element;

            ElementConverter(Type element, String path) {
                this.element = converter(element, path, v -> current.set(current.size() - 1, v));
            }

            @Override
            public Converter getConverter(int fieldIndex) {
                return element;
            }

            @Override
            public void start() {
                current.add(NullNode.getInstance());
            }

            @Override
            public void end() { }
        }
    }

    /** A MAP group as an object: its repeated key-value group's keys (as text) to their values. */
    private static final class MapConverter extends GroupConverter {
        private final Consumer<JsonNode> out;
        private final Converter entry;
        private ObjectNode current;

        MapConverter(GroupType map, String path, Consumer<JsonNode> out) {
            this.out = out;
            if (map.getFieldCount() != 1 || map.getType(0).isPrimitive() || !map.getType(0).isRepetition(Type.Repetition.REPEATED)
                    || map.getType(0).asGroupType().getFieldCount() > 2 || !map.getType(0).asGroupType().getType(0).isPrimitive()) {
                throw unsupported(path, "a MAP group other than one repeated group of a primitive key and a value");
            }
            entry = new EntryConverter(map.getType(0).asGroupType(), child(path, map.getType(0).getName()));
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return entry;
        }

        @Override
        public void start() {
            current = NODES.objectNode();
            out.accept(current);
        }

        @Override
        public void end() { }

        /** One key and its value (null when absent). */
        private final class EntryConverter extends GroupConverter {
            private final Converter[] fields;
            private JsonNode key;
            private JsonNode value;

            EntryConverter(GroupType entry, String path) {
                fields = new Converter[entry.getFieldCount()];
                fields[0] = converter(entry.getType(0), child(path, entry.getType(0).getName()), v -> key = v);
                if (fields.length == 2) {
                    fields[1] = converter(entry.getType(1), child(path, entry.getType(1).getName()), v -> value = v);
                }
            }

            @Override
            public Converter getConverter(int fieldIndex) {
                return fields[fieldIndex];
            }

            @Override
            public void start() {
                key = null;
                value = NullNode.getInstance();
            }

            @Override
            public void end() {
                if (key == null) {
                    throw new IllegalArgumentException("a map entry without a key");
                }
                current.set(key.asText(), value);
            }
        }
    }

    /** A column's values as JSON values; the column reader calls the method of the column's physical type. */
    private static final class ValueConverter extends PrimitiveConverter {
        private final Consumer<JsonNode> out;
        private final IntFunction<JsonNode> ints;
        private final LongFunction<JsonNode> longs;
        private final Function<Binary, JsonNode> binaries;

        ValueConverter(Consumer<JsonNode> out, IntFunction<JsonNode> ints, LongFunction<JsonNode> longs,
                       Function<Binary, JsonNode> binaries) {
            this.out = out;
            this.ints = ints;
            this.longs = longs;
            this.binaries = binaries;
        }

        @Override
        public void addBoolean(boolean value) {
            out.accept(BooleanNode.valueOf(value));
        }

        @Override
        public void addFloat(float value) {
            out.accept(DoubleNode.valueOf(value));
        }

        @Override
        public void addDouble(double value) {
            out.accept(DoubleNode.valueOf(value));
        }

        @Override
        public void addInt(int value) {
            out.accept(ints.apply(value));
        }

        @Override
        public void addLong(long value) {
            out.accept(longs.apply(value));
        }

        @Override
        public void addBinary(Binary value) {
            out.accept(binaries.apply(value));
        }
    }

    private static ValueConverter value(PrimitiveType type, String path, Consumer<JsonNode> out) {
        LogicalTypeAnnotation a = type.getLogicalTypeAnnotation();
        if (a instanceof UnknownLogicalTypeAnnotation) {
            return new ValueConverter(out, null, null, null); // a column of nulls: no value ever arrives
        }
        return switch (type.getPrimitiveTypeName()) {
            case BOOLEAN, FLOAT, DOUBLE -> new ValueConverter(out, null, null, null);
            case INT32 -> new ValueConverter(out, switch (a) {
                case null -> IntNode::valueOf;
                case IntLogicalTypeAnnotation i when !i.isSigned() && i.getBitWidth() == 32 -> v -> number(Integer.toUnsignedLong(v));
                case IntLogicalTypeAnnotation _ -> IntNode::valueOf;
                case DecimalLogicalTypeAnnotation d -> v -> decimal(BigInteger.valueOf(v), d);
                case DateLogicalTypeAnnotation _ -> v -> TextNode.valueOf(LocalDate.ofEpochDay(v).toString());
                case TimeLogicalTypeAnnotation t -> v -> time(v, t.getUnit());
                default -> throw unsupported(path, a + " on INT32");
            }, null, null);
            case INT64 -> new ValueConverter(out, null, switch (a) {
                case null -> JsonRecordMaterializer::number;
                case IntLogicalTypeAnnotation i when !i.isSigned() -> v -> v >= 0 ? number(v)
                        : BigIntegerNode.valueOf(new BigInteger(Long.toUnsignedString(v)));
                case IntLogicalTypeAnnotation _ -> JsonRecordMaterializer::number;
                case DecimalLogicalTypeAnnotation d -> v -> decimal(BigInteger.valueOf(v), d);
                case TimeLogicalTypeAnnotation t -> v -> time(v, t.getUnit());
                case TimestampLogicalTypeAnnotation t -> v -> timestamp(instant(v, t.getUnit()), t.isAdjustedToUTC());
                default -> throw unsupported(path, a + " on INT64");
            }, null);
            // 8 bytes of nanoseconds in the day, then 4 of the Julian day, little-endian; UTC by convention.
            case INT96 -> new ValueConverter(out, null, null, v -> {
                ByteBuffer b = ByteBuffer.wrap(v.getBytes()).order(ByteOrder.LITTLE_ENDIAN);
                return timestamp(Instant.ofEpochSecond((b.getInt(8) - JULIAN_EPOCH_DAY) * 86_400L, b.getLong(0)), true);
            });
            case BINARY, FIXED_LEN_BYTE_ARRAY -> new ValueConverter(out, null, null, switch (a) {
                case StringLogicalTypeAnnotation _, EnumLogicalTypeAnnotation _, JsonLogicalTypeAnnotation _ ->
                        v -> TextNode.valueOf(v.toStringUsingUTF8());
                case DecimalLogicalTypeAnnotation d -> v -> decimal(new BigInteger(v.getBytes()), d); // big-endian two's complement
                case UUIDLogicalTypeAnnotation _ -> v -> {
                    ByteBuffer b = ByteBuffer.wrap(v.getBytes());
                    return TextNode.valueOf(new UUID(b.getLong(0), b.getLong(8)).toString());
                };
                case Float16LogicalTypeAnnotation _ -> v -> {
                    ByteBuffer b = ByteBuffer.wrap(v.getBytes()).order(ByteOrder.LITTLE_ENDIAN);
                    return DoubleNode.valueOf(Float.float16ToFloat(b.getShort(0)));
                };
                case null -> throw unsupported(path, "raw bytes (" + type.getPrimitiveTypeName()
                        + " without a STRING or DECIMAL annotation)");
                default -> throw unsupported(path, a + " on " + type.getPrimitiveTypeName());
            });
        };
    }

    /** An integer as Jackson parses it from JSON: an int when it fits, else a long. */
    private static JsonNode number(long v) {
        return v == (int) v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
    }

    /** The exact decimal, its scale kept ({@code 12.50} stays {@code 12.50}). */
    private static JsonNode decimal(BigInteger unscaled, DecimalLogicalTypeAnnotation type) {
        return DecimalNode.valueOf(new BigDecimal(unscaled, type.getScale()));
    }

    private static long nanos(TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> 1_000_000L;
            case MICROS -> 1_000L;
            case NANOS -> 1L;
        };
    }

    private static JsonNode time(long v, TimeUnit unit) {
        return TextNode.valueOf(LocalTime.ofNanoOfDay(v * nanos(unit)).toString());
    }

    private static Instant instant(long v, TimeUnit unit) {
        long perSecond = 1_000_000_000L / nanos(unit);
        return Instant.ofEpochSecond(Math.floorDiv(v, perSecond), Math.floorMod(v, perSecond) * nanos(unit));
    }

    private static JsonNode timestamp(Instant instant, boolean utc) {
        return TextNode.valueOf(utc ? instant.toString() : LocalDateTime.ofInstant(instant, ZoneOffset.UTC).toString());
    }
}
