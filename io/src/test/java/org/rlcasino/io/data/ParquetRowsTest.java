package org.rlcasino.io.data;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each Parquet row is the JSON object its fixture's JSON line parses to (pyarrow's view of the same rows). */
class ParquetRowsTest {
    /** Exact decimals, so that DECIMAL columns compare digit for digit. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /** Numbers by value (the lines' decimals are BigDecimal, the rows' doubles double); everything else exactly. */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    @TempDir
    Path dir;

    static List<JsonNode> rows(Path parquet) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        try (ParquetRows in = ParquetRows.open(parquet)) {
            while (in.next()) {
                assertThat(in.row()).isEqualTo(rows.size() + 1);
                rows.add(in.node());
            }
        }
        return rows;
    }

    static List<JsonNode> lines(Path jsonl) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static void assertSameRows(List<JsonNode> actual, List<JsonNode> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            if (!actual.get(i).equals(BY_VALUE, expected.get(i))) {
                assertThat(actual.get(i).toPrettyString()).as("row " + (i + 1)).isEqualTo(expected.get(i).toPrettyString());
            }
        }
    }

    static List<Path> fixtures() {
        return ParquetFixtures.all().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyRowIsItsJsonLine(Path parquet) throws Exception {
        assertSameRows(rows(parquet), lines(ParquetFixtures.jsonl(parquet)));
    }

    @Test
    void numbersAreTheNodesJacksonParsesAndDecimalsKeepTheirScale() throws Exception {
        List<JsonNode> rows = rows(ParquetFixtures.get("prompts-snappy-dict-v1-types.parquet"));
        JsonNode first = rows.get(0);
        JsonNode second = rows.get(1);
        assertThat(first.get("i8")).isEqualTo(IntNode.valueOf(-128));
        assertThat(first.get("i64")).isEqualTo(LongNode.valueOf(Long.MIN_VALUE));
        assertThat(second.get("u32")).isEqualTo(LongNode.valueOf(4_294_967_295L));
        assertThat(second.get("u64")).isInstanceOf(BigIntegerNode.class).hasToString("18446744073709551615");
        assertThat(second.get("f32")).isEqualTo(DoubleNode.valueOf(-2.5));
        assertThat(first.get("f16")).isEqualTo(DoubleNode.valueOf(0.0999755859375));
        assertThat(first.get("dec_fixed")).isInstanceOf(DecimalNode.class).hasToString("17478816434208989061830308.9800");
        assertThat(second.get("dec_i64")).isInstanceOf(DecimalNode.class).hasToString("-612617713078.330");
        assertThat(rows).allSatisfy(r -> assertThat(r.get("nothing").isNull()).isTrue());
    }

    @Test
    void legacyTwoLevelListsAreArraysToo() throws Exception {
        // Rewrite the footer so that 'steps' (list<int32 not null>: the same levels) is the legacy
        // two-level 'optional group steps (LIST) { repeated int32 array; }'.
        Path types = ParquetFixtures.get("prompts-snappy-dict-v1-types.parquet");
        Path legacy = ParquetFixtures.withFooter(types, dir.resolve("legacy.parquet"), meta -> {
            int steps = 0;
            while (!meta.schema.get(steps).name.equals("steps")) {
                steps++;
            }
            assertThat(meta.schema.remove(steps + 1).name).isEqualTo("list");
            meta.schema.get(steps + 1).setName("array").setRepetition_type(FieldRepetitionType.REPEATED);
            for (RowGroup group : meta.row_groups) {
                group.columns.stream().map(c -> c.meta_data).filter(m -> m.path_in_schema.getFirst().equals("steps"))
                        .forEach(m -> m.setPath_in_schema(List.of("steps", "array")));
            }
        });

        List<JsonNode> rows = rows(legacy);
        List<JsonNode> lines = lines(ParquetFixtures.jsonl(types));
        assertSameRows(rows, lines);
        assertThat(rows).extracting(r -> r.get("steps").toString()).contains("[0,1,2]", "[]", "null");
    }

    @Test
    void aDictionaryThatCannotBeDecodedFailsTheReadNamingFileRowAndRowGroup() throws Exception {
        byte[] bytes = Files.readAllBytes(ParquetFixtures.get("preferences-none-dict-v1.parquet"));
        // The first chunk starts at byte 4 with its (uncompressed, PLAIN) dictionary page; its first
        // value's 4-byte length now overruns the page.
        ByteArrayInputStream in = new ByteArrayInputStream(bytes, 4, bytes.length - 4);
        Util.readPageHeader(in);
        int values = bytes.length - in.available();
        Arrays.fill(bytes, values, values + 4, (byte) 0x7f);
        Path damaged = dir.resolve("damaged.parquet");
        Files.write(damaged, bytes);
        assertThatThrownBy(() -> rows(damaged)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(damaged + ":row 1 (row group 0): cannot decode");
    }
}
