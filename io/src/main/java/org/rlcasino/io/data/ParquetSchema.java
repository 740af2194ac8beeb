package org.rlcasino.io.data;

import java.util.Iterator;
import java.util.List;

import org.apache.parquet.format.LogicalType;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.TimeUnit;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.OriginalType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * A Parquet footer's schema (a flat list of elements, depth first, each group followed by its
 * {@code num_children} fields) as parquet-column's {@link MessageType}: repetition, physical type and
 * length, logical type (else the legacy converted type, decimal precision and scale with it), field ids,
 * nested groups. Logical types outside what {@link JsonRecordMaterializer} can write as JSON (BSON, GEOMETRY,
 * GEOGRAPHY, VARIANT) are refused by name; a logical type newer than this reader is ignored, as the
 * format asks, leaving the physical type.
 */
final class ParquetSchema {
    private ParquetSchema() {}

    /**
     * The schema of {@code elements}.
     *
     * @throws IllegalArgumentException the elements do not make a schema, or use a refused logical type
     */
    static MessageType of(List<SchemaElement> elements) {
        if (elements == null || elements.isEmpty()) {
            throw new IllegalArgumentException("the footer has no schema");
        }
        Iterator<SchemaElement> it = elements.iterator();
        SchemaElement root = it.next();
        Types.MessageTypeBuilder message = Types.buildMessage();
        addFields(message, it, root.num_children);
        if (it.hasNext()) {
            throw new IllegalArgumentException("the schema has elements after its last field ('" + it.next().name + "')");
        }
        return message.named(root.name);
    }

    private static void addFields(Types.GroupBuilder<?> parent, Iterator<SchemaElement> it, int count) {
        for (int i = 0; i < count; i++) {
            if (!it.hasNext()) {
                throw new IllegalArgumentException("the schema ends inside a group (" + (count - i) + " fields missing)");
            }
            SchemaElement e = it.next();
            if (e.repetition_type == null) {
                throw new IllegalArgumentException("schema field '" + e.name + "' has no repetition");
            }
            Type.Repetition repetition = Type.Repetition.valueOf(e.repetition_type.name());
            Types.Builder<?, ?> field;
            if (e.type != null) {
                Types.PrimitiveBuilder<?> primitive = parent.primitive(physical(e.type), repetition);
                if (e.isSetType_length()) {
                    primitive.length(e.type_length);
                }
                field = primitive;
            } else {
                Types.GroupBuilder<?> group = parent.group(repetition);
                addFields(group, it, e.num_children);
                field = group;
            }
            LogicalTypeAnnotation annotation = annotation(e);
            if (annotation != null) {
                field.as(annotation);
            }
            if (e.isSetField_id()) {
                field.id(e.field_id);
            }
            try {
                field.named(e.name);
            } catch (IllegalStateException | IllegalArgumentException bad) {
                throw new IllegalArgumentException("schema field '" + e.name + "': " + bad.getMessage(), bad);
            }
        }
    }

    private static PrimitiveTypeName physical(org.apache.parquet.format.Type type) {
        return switch (type) {
            case BOOLEAN -> PrimitiveTypeName.BOOLEAN;
            case INT32 -> PrimitiveTypeName.INT32;
            case INT64 -> PrimitiveTypeName.INT64;
            case INT96 -> PrimitiveTypeName.INT96;
            case FLOAT -> PrimitiveTypeName.FLOAT;
            case DOUBLE -> PrimitiveTypeName.DOUBLE;
            case BYTE_ARRAY -> PrimitiveTypeName.BINARY;
            case FIXED_LEN_BYTE_ARRAY -> PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
        };
    }

    /** The element's logical type, else its converted type (whose names are parquet-column's OriginalType's). */
    @SuppressWarnings("deprecation")
    private static LogicalTypeAnnotation annotation(SchemaElement e) {
        if (e.isSetLogicalType()) {
            LogicalTypeAnnotation a = annotation(e.name, e.logicalType);
            if (a != null) {
                return a;
            }
        }
        if (!e.isSetConverted_type()) {
            return null;
        }
        return switch (e.converted_type) {
            case DECIMAL -> LogicalTypeAnnotation.decimalType(e.scale, e.precision);
            default -> LogicalTypeAnnotation.fromOriginalType(OriginalType.valueOf(e.converted_type.name()), null);
        };
    }

    /** The annotation of a logical type; null for one newer than this reader. */
    private static LogicalTypeAnnotation annotation(String field, LogicalType t) {
        if (t.getSetField() == null) {
            return null;
        }
        return switch (t.getSetField()) {
            case STRING -> LogicalTypeAnnotation.stringType();
            case ENUM -> LogicalTypeAnnotation.enumType();
            case JSON -> LogicalTypeAnnotation.jsonType();
            case UUID -> LogicalTypeAnnotation.uuidType();
            case FLOAT16 -> LogicalTypeAnnotation.float16Type();
            case UNKNOWN -> LogicalTypeAnnotation.unknownType();
            case LIST -> LogicalTypeAnnotation.listType();
            case MAP -> LogicalTypeAnnotation.mapType();
            case DATE -> LogicalTypeAnnotation.dateType();
            case INTEGER -> LogicalTypeAnnotation.intType(t.getINTEGER().bitWidth, t.getINTEGER().isSigned);
            case DECIMAL -> LogicalTypeAnnotation.decimalType(t.getDECIMAL().scale, t.getDECIMAL().precision);
            case TIME -> LogicalTypeAnnotation.timeType(t.getTIME().isAdjustedToUTC, unit(t.getTIME().unit));
            case TIMESTAMP -> LogicalTypeAnnotation.timestampType(t.getTIMESTAMP().isAdjustedToUTC, unit(t.getTIMESTAMP().unit));
            default -> throw new IllegalArgumentException("column '" + field + "' has logical type " + t.getSetField()
                    + ", which has no JSON form here");
        };
    }

    private static LogicalTypeAnnotation.TimeUnit unit(TimeUnit unit) {
        return LogicalTypeAnnotation.TimeUnit.valueOf(unit.getSetField().name());
    }
}
