package org.rlcasino.io.data;

import java.util.List;

import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.IntType;
import org.apache.parquet.format.LogicalType;
import org.apache.parquet.format.MicroSeconds;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.TimeUnit;
import org.apache.parquet.format.TimestampType;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.VariantType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

import static org.apache.parquet.format.FieldRepetitionType.OPTIONAL;
import static org.apache.parquet.format.FieldRepetitionType.REPEATED;
import static org.apache.parquet.format.FieldRepetitionType.REQUIRED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A footer's flat schema list as parquet-column's MessageType. */
class ParquetSchemaTest {
    private static SchemaElement group(String name, FieldRepetitionType repetition, int children) {
        return new SchemaElement(name).setRepetition_type(repetition).setNum_children(children);
    }

    private static SchemaElement leaf(String name, FieldRepetitionType repetition, Type type) {
        return new SchemaElement(name).setRepetition_type(repetition).setType(type);
    }

    @Test
    void elementsBecomeTheMessageTypeWithAnnotationsIdsAndNesting() {
        List<SchemaElement> elements = List.of(
                new SchemaElement("schema").setNum_children(5),
                leaf("id", REQUIRED, Type.INT64).setField_id(7),
                leaf("name", OPTIONAL, Type.BYTE_ARRAY).setConverted_type(ConvertedType.UTF8),
                leaf("price", OPTIONAL, Type.FIXED_LEN_BYTE_ARRAY).setType_length(5).setConverted_type(ConvertedType.DECIMAL)
                        .setPrecision(10).setScale(2),
                leaf("when", OPTIONAL, Type.INT64).setLogicalType(LogicalType.TIMESTAMP(
                        new TimestampType(true, TimeUnit.MICROS(new MicroSeconds())))),
                group("tags", OPTIONAL, 1).setConverted_type(ConvertedType.LIST),
                group("list", REPEATED, 1),
                leaf("element", OPTIONAL, Type.INT32).setLogicalType(LogicalType.INTEGER(new IntType((byte) 16, true))));
        MessageType expected = MessageTypeParser.parseMessageType("""
                message schema {
                  required int64 id = 7;
                  optional binary name (STRING);
                  optional fixed_len_byte_array(5) price (DECIMAL(10,2));
                  optional int64 when (TIMESTAMP(MICROS,true));
                  optional group tags (LIST) {
                    repeated group list {
                      optional int32 element (INTEGER(16,true));
                    }
                  }
                }""");
        MessageType schema = ParquetSchema.of(elements);
        assertThat(schema).isEqualTo(expected);
        assertThat(schema.getType("id").getId().intValue()).isEqualTo(7);
    }

    @Test
    void aLogicalTypeNewerThanTheReaderLeavesTheConvertedType() {
        MessageType schema = ParquetSchema.of(List.of(new SchemaElement("m").setNum_children(1),
                leaf("text", REQUIRED, Type.BYTE_ARRAY).setLogicalType(new LogicalType()).setConverted_type(ConvertedType.UTF8)));
        assertThat(schema).isEqualTo(MessageTypeParser.parseMessageType("message m { required binary text (STRING); }"));
    }

    @Test
    void logicalTypesWithoutAJsonFormAreRefusedByName() {
        assertThatThrownBy(() -> ParquetSchema.of(List.of(new SchemaElement("m").setNum_children(1),
                group("v", OPTIONAL, 2).setLogicalType(LogicalType.VARIANT(new VariantType())),
                leaf("metadata", REQUIRED, Type.BYTE_ARRAY), leaf("value", REQUIRED, Type.BYTE_ARRAY))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("column 'v' has logical type VARIANT, which has no JSON form here");
    }

    @Test
    void listsThatDoNotMakeASchemaAreRefused() {
        assertThatThrownBy(() -> ParquetSchema.of(List.of())).hasMessage("the footer has no schema");
        assertThatThrownBy(() -> ParquetSchema.of(List.of(new SchemaElement("m").setNum_children(2), leaf("a", REQUIRED, Type.INT32))))
                .hasMessage("the schema ends inside a group (1 fields missing)");
        assertThatThrownBy(() -> ParquetSchema.of(List.of(new SchemaElement("m").setNum_children(1), leaf("a", REQUIRED, Type.INT32),
                leaf("b", REQUIRED, Type.INT32)))).hasMessage("the schema has elements after its last field ('b')");
        assertThatThrownBy(() -> ParquetSchema.of(List.of(new SchemaElement("m").setNum_children(1),
                new SchemaElement("a").setType(Type.INT32)))).hasMessage("schema field 'a' has no repetition");
        assertThatThrownBy(() -> ParquetSchema.of(List.of(new SchemaElement("m").setNum_children(1),
                leaf("a", REQUIRED, Type.INT32).setConverted_type(ConvertedType.UTF8))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("schema field 'a': ");
    }
}
