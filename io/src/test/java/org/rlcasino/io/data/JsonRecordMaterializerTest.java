package org.rlcasino.io.data;

import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Nested shapes, fed to the converters as parquet-column's record assembly would (start, values, end),
 * and the schemas refused. The values of every type are checked against pyarrow in ParquetRowsTest.
 */
class JsonRecordMaterializerTest {
    private static JsonRecordMaterializer materializer(String schema) {
        return new JsonRecordMaterializer(MessageTypeParser.parseMessageType(schema));
    }

    private static GroupConverter group(GroupConverter parent, int field) {
        return parent.getConverter(field).asGroupConverter();
    }

    private static PrimitiveConverter value(GroupConverter parent, int field) {
        return parent.getConverter(field).asPrimitiveConverter();
    }

    /** A one-field record whose field is a list group, each element given as a group holding one int (null: none). */
    private static String listOfIntsInGroups(String schema, Integer... elements) {
        JsonRecordMaterializer m = materializer(schema);
        GroupConverter root = m.getRootConverter();
        root.start();
        GroupConverter list = group(root, 0);
        list.start();
        for (Integer e : elements) {
            GroupConverter entry = group(list, 0);
            entry.start();
            if (e != null) {
                value(entry, 0).addInt(e);
            }
            entry.end();
        }
        list.end();
        root.end();
        return m.getCurrentRecord().toString();
    }

    @Test
    void listsFollowTheFormatsBackwardCompatibilityRules() {
        assertThat(listOfIntsInGroups("message m { optional group l (LIST) { repeated group list { optional int32 element; } } }", 1, null, 3))
                .as("three levels: the repeated group's one field is the element").isEqualTo("{\"l\":[1,null,3]}");
        assertThat(listOfIntsInGroups("message m { optional group l (LIST) { repeated group array { optional int32 x; } } }", 1, null))
                .as("two levels: a group named array is the element").isEqualTo("{\"l\":[{\"x\":1},{\"x\":null}]}");
        assertThat(listOfIntsInGroups("message m { optional group l (LIST) { repeated group l_tuple { optional int32 x; } } }", 2))
                .as("two levels: a group named <list>_tuple is the element").isEqualTo("{\"l\":[{\"x\":2}]}");
        assertThat(listOfIntsInGroups(
                "message m { optional group l (LIST) { repeated group pair { optional int32 x; optional int32 y; } } }", 4))
                .as("two levels: a group of several fields is the element").isEqualTo("{\"l\":[{\"x\":4,\"y\":null}]}");

        JsonRecordMaterializer m = materializer(
                "message m { optional group l (LIST) { repeated int32 array; } optional group e (LIST) { repeated int32 e; } }");
        GroupConverter root = m.getRootConverter();
        root.start();
        GroupConverter list = group(root, 0);
        list.start();
        value(list, 0).addInt(5);
        value(list, 0).addInt(6);
        list.end();
        root.end();
        assertThat(m.getCurrentRecord().toString()).as("two levels: a repeated primitive is the element")
                .isEqualTo("{\"l\":[5,6],\"e\":null}");
    }

    @Test
    void repeatedFieldsOutsideAListAreArraysAndMapsAreObjectsKeyedByText() {
        JsonRecordMaterializer m = materializer("""
                message m {
                  repeated int32 r;
                  repeated group g { optional binary s (STRING); }
                  optional group counts (MAP) { repeated group key_value { required int32 key; optional int64 value; } }
                }""");
        GroupConverter root = m.getRootConverter();
        root.start();
        root.end();
        assertThat(m.getCurrentRecord().toString()).isEqualTo("{\"r\":[],\"g\":[],\"counts\":null}");

        root.start();
        value(root, 0).addInt(1);
        value(root, 0).addInt(2);
        GroupConverter g = group(root, 1);
        g.start();
        value(g, 0).addBinary(Binary.fromString("é"));
        g.end();
        GroupConverter counts = group(root, 2);
        counts.start();
        GroupConverter entry = group(counts, 0);
        entry.start();
        value(entry, 0).addInt(7);
        value(entry, 1).addLong(3_000_000_000L);
        entry.end();
        entry.start();
        value(entry, 0).addInt(8);
        entry.end();
        counts.end();
        root.end();
        assertThat(m.getCurrentRecord().toString())
                .isEqualTo("{\"r\":[1,2],\"g\":[{\"s\":\"é\"}],\"counts\":{\"7\":3000000000,\"8\":null}}");
    }

    @Test
    void columnsWithoutAJsonFormAreRefusedByNameAndPath() {
        assertThatThrownBy(() -> materializer("message m { optional group s { optional binary raw; } }"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("column 's.raw' holds raw bytes (BINARY without a STRING or DECIMAL annotation), which has no JSON form here");
        assertThatThrownBy(() -> materializer("message m { optional fixed_len_byte_array(12) iv (INTERVAL); }"))
                .hasMessage("column 'iv' holds INTERVAL on FIXED_LEN_BYTE_ARRAY, which has no JSON form here");
        assertThatThrownBy(() -> materializer("message m { optional binary doc (BSON); }"))
                .hasMessage("column 'doc' holds BSON on BINARY, which has no JSON form here");
        assertThatThrownBy(() -> materializer("message m { optional group l (LIST) { repeated int32 a; repeated int32 b; } }"))
                .hasMessage("column 'l' holds a LIST group without exactly one repeated field, which has no JSON form here");
        assertThatThrownBy(() -> materializer(
                "message m { optional group m (MAP) { repeated group kv { required group key { required int32 a; } } } }"))
                .hasMessage("column 'm' holds a MAP group other than one repeated group of a primitive key and a value, "
                        + "which has no JSON form here");
    }
}
