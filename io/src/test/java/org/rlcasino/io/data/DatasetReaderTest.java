package org.rlcasino.io.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TRL's dataset formats from JSON Lines and Parquet, and every kind of row that does not fit, by file and
 * line (or Parquet row); Parquet files that cannot be read are refused whole.
 */
class DatasetReaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    @Test
    void standardAndConversationalPreferencesAndAnImplicitPrompt() throws Exception {
        Path f = file("prefs.jsonl",
                "{\"prompt\": \"2+2=\", \"chosen\": \"4\", \"rejected\": \"5\"}",
                "",
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"2+3?\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"5\"}],"
                        + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"6\"}]}",
                "{\"chosen\": [{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"1+1?\"},"
                        + " {\"role\": \"assistant\", \"content\": \"2\"}], \"rejected\": [{\"role\": \"system\", \"content\": \"be brief\"},"
                        + " {\"role\": \"user\", \"content\": \"1+1?\"}, {\"role\": \"assistant\", \"content\": \"3\"}]}");
        DatasetReader.Result<PreferenceExample> r = DatasetReader.preferences(f, DatasetReader.Columns.TRL, DatasetReader.BadRows.FAIL);
        assertThat(r.examples()).hasSize(3);
        assertThat(r.skipped()).isZero();
        PreferenceExample plain = r.examples().get(0);
        assertThat(plain.where()).isEqualTo(f + ":1");
        assertThat(plain.prompt()).isEqualTo(new DatasetText.Plain("2+2="));
        assertThat(plain.rejected()).isEqualTo(new DatasetText.Plain("5"));
        assertThat(r.examples().get(1).where()).as("blank lines count").isEqualTo(f + ":3");
        assertThat(r.examples().get(1).chosen()).isEqualTo(new DatasetText.Conversation(List.of(new ChatMessage("assistant", "5"))));
        PreferenceExample implicit = r.examples().get(2);
        assertThat(((DatasetText.Conversation) implicit.prompt()).messages()).extracting(ChatMessage::role).containsExactly("system", "user");
        assertThat(implicit.chosen()).isEqualTo(new DatasetText.Conversation(List.of(new ChatMessage("assistant", "2"))));
        assertThat(implicit.rejected()).isEqualTo(new DatasetText.Conversation(List.of(new ChatMessage("assistant", "3"))));
    }

    @Test
    void promptsWithRenamedColumnsAndNumericAnswers() throws Exception {
        Path f = file("prompts.jsonl",
                "{\"question\": \"What is 6*7?\", \"solution\": 42}",
                "{\"question\": [{\"role\": \"user\", \"content\": \"Say hi\"}]}",
                "{\"question\": \"x\", \"solution\": \"\\\\boxed{3}\"}");
        DatasetReader.Columns c = new DatasetReader.Columns("question", null, null, "solution");
        DatasetReader.Result<PromptExample> r = DatasetReader.prompts(f, c, DatasetReader.BadRows.FAIL);
        assertThat(r.examples()).extracting(PromptExample::answer).containsExactly("42", null, "\\boxed{3}");
        assertThat(r.examples().get(1).prompt().conversational()).isTrue();
    }

    @Test
    void badRowsAreSkippedAndCountedOrFailTheReadByFileAndLine() throws Exception {
        Path f = file("mixed.jsonl",
                "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}",
                "{\"prompt\": \"a\", \"chosen\": \"b\"}",
                "not json",
                "[1, 2]",
                "{\"prompt\": \"a\", \"chosen\": 7, \"rejected\": \"c\"}",
                "{\"prompt\": \"a\", \"chosen\": [{\"role\": \"assistant\"}], \"rejected\": \"c\"}",
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"q\"}], \"chosen\": \"b\", \"rejected\": \"c\"}",
                "{\"chosen\": \"b\", \"rejected\": \"c\"}",
                "{\"prompt\": \"a\", \"chosen\": [], \"rejected\": \"c\"}");
        DatasetReader.Result<PreferenceExample> r = DatasetReader.preferences(f, DatasetReader.Columns.TRL, DatasetReader.BadRows.SKIP);
        assertThat(r.examples()).hasSize(1);
        assertThat(r.skipped()).isEqualTo(8);
        assertThat(r.problems()).hasSize(8);
        assertThat(r.problems().get(0)).isEqualTo("mixed.jsonl:2: column 'rejected' is missing (columns: prompt, chosen)");
        assertThat(r.problems().get(1)).startsWith("mixed.jsonl:3: not valid JSON");
        assertThat(r.problems().get(2)).isEqualTo("mixed.jsonl:4: a row must be a JSON object, got array");
        assertThat(r.problems().get(3)).contains(":5: column 'chosen' must be a string or a list of messages, got number");
        assertThat(r.problems().get(4)).contains(":6: column 'chosen' message 0 must be");
        assertThat(r.problems().get(5)).contains(":7: prompt, chosen and rejected must be all strings or all conversations");
        assertThat(r.problems().get(6)).contains(":8: column 'prompt' is missing");
        assertThat(r.problems().get(7)).contains(":9: column 'chosen' is an empty conversation");
        assertThatThrownBy(() -> DatasetReader.preferences(f, DatasetReader.Columns.TRL, DatasetReader.BadRows.FAIL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mixed.jsonl:2: column 'rejected' is missing").hasMessageContaining("badRows");
    }

    @Test
    void aMissingEmptyOrAllBadFileIsRefused() throws Exception {
        assertThatThrownBy(() -> DatasetReader.prompts(dir.resolve("none.jsonl"), DatasetReader.Columns.TRL, DatasetReader.BadRows.FAIL))
                .hasMessageContaining("none.jsonl: no such dataset file");
        Path empty = file("empty.jsonl", "");
        assertThatThrownBy(() -> DatasetReader.prompts(empty, DatasetReader.Columns.TRL, DatasetReader.BadRows.FAIL))
                .hasMessageContaining("no usable row (the file is empty)");
        Path bad = file("bad.jsonl", "{\"q\": 1}");
        assertThatThrownBy(() -> DatasetReader.prompts(bad, DatasetReader.Columns.TRL, DatasetReader.BadRows.SKIP))
                .hasMessageContaining("no usable row (1 skipped; first: bad.jsonl:1: column 'prompt' is missing");
        assertThat(DatasetReader.BadRows.parse("SKIP")).isEqualTo(DatasetReader.BadRows.SKIP);
        assertThatThrownBy(() -> DatasetReader.BadRows.parse("ignore")).hasMessageContaining("'skip' or 'fail'");
    }

    private static final DatasetReader.Columns TRL = DatasetReader.Columns.TRL;

    /** The preferences, or the prompts, of a fixture, by its name's first word. */
    private static DatasetReader.Result<?> read(Path file, DatasetReader.Columns columns, DatasetReader.BadRows badRows) throws Exception {
        return ParquetFixtures.name(file).startsWith("prompts-")
                ? DatasetReader.prompts(file, columns, badRows) : DatasetReader.preferences(file, columns, badRows);
    }

    static List<Path> parquetFixtures() {
        return ParquetFixtures.all().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parquetFixtures")
    void aParquetFileReadsAsItsJsonLinesTwin(Path parquet) throws Exception {
        DatasetReader.Result<?> fromParquet = read(parquet, TRL, DatasetReader.BadRows.FAIL);
        assertThat(fromParquet.examples()).isNotEmpty();
        DatasetReader.Result<?> fromJsonLines = read(ParquetFixtures.jsonl(parquet), TRL, DatasetReader.BadRows.FAIL);
        assertThat(fromParquet.examples()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("where")
                .isEqualTo(fromJsonLines.examples());
        assertThat(fromParquet.skipped()).isEqualTo(fromJsonLines.skipped());
        assertThat(fromParquet.examples().getFirst().toString()).contains(parquet + ":row 1");
    }

    /** A directory is a dataset in shards: its files in name order, one format; bad rows named by their shard. */
    @Test
    void aDirectoryOfShardsReadsAsOneDataset() throws Exception {
        Path shards = dir.resolve("shards");
        Files.createDirectories(shards);
        Files.writeString(shards.resolve("train-00001-of-00002.jsonl"), "{\"prompt\": \"c\", \"answer\": 3}\n{\"q\": 1}\n");
        Files.writeString(shards.resolve("train-00000-of-00002.jsonl"), "{\"prompt\": \"a\", \"answer\": 1}\n{\"prompt\": \"b\"}\n");
        Files.writeString(shards.resolve("README.md"), "not a shard");
        DatasetReader.Result<PromptExample> r = DatasetReader.prompts(shards, TRL, DatasetReader.BadRows.SKIP);
        assertThat(r.examples()).extracting(e -> ((DatasetText.Plain) e.prompt()).text()).containsExactly("a", "b", "c");
        assertThat(r.examples().get(2).where()).isEqualTo(shards.resolve("train-00001-of-00002.jsonl") + ":1");
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.problems()).containsExactly("train-00001-of-00002.jsonl:2: column 'prompt' is missing (columns: q)");
        assertThatThrownBy(() -> DatasetReader.prompts(shards, TRL, DatasetReader.BadRows.FAIL))
                .hasMessageStartingWith(shards.resolve("train-00001-of-00002.jsonl") + ":2: column 'prompt' is missing");

        Path parquetShards = dir.resolve("parquet-shards");
        Files.createDirectories(parquetShards);
        Path fixture = ParquetFixtures.get("prompts-lz4-dict-v1-groups-pages.parquet");
        Files.copy(fixture, parquetShards.resolve("part-0.parquet"));
        Files.copy(fixture, parquetShards.resolve("part-1.parquet"));
        assertThat(DatasetReader.prompts(parquetShards, TRL, DatasetReader.BadRows.SKIP).examples())
                .hasSize(2 * DatasetReader.prompts(fixture, TRL, DatasetReader.BadRows.SKIP).examples().size());

        Files.copy(shards.resolve("train-00000-of-00002.jsonl"), parquetShards.resolve("extra.jsonl"));
        assertThatThrownBy(() -> DatasetReader.prompts(parquetShards, TRL, DatasetReader.BadRows.SKIP))
                .hasMessageContaining("holds both .jsonl and .parquet files");
        Path empty = dir.resolve("empty-dir");
        Files.createDirectories(empty);
        assertThatThrownBy(() -> DatasetReader.prompts(empty, TRL, DatasetReader.BadRows.SKIP))
                .hasMessageContaining("a directory without .jsonl or .parquet files");
    }

    @Test
    void parquetRowsThatDoNotFitAreNamedByRow() throws Exception {
        Path prompts = ParquetFixtures.get("prompts-lz4-dict-v1-groups-pages.parquet");
        assertThatThrownBy(() -> DatasetReader.preferences(prompts, TRL, DatasetReader.BadRows.FAIL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(prompts + ":row 1: column 'chosen' is missing (columns: prompt, answer, id, score, flag, "
                        + "tags, counts, created)");
        DatasetReader.Columns idAsPrompt = new DatasetReader.Columns("id", null, null, null);
        assertThatThrownBy(() -> DatasetReader.prompts(prompts, idAsPrompt, DatasetReader.BadRows.FAIL))
                .hasMessageStartingWith(prompts + ":row 1: column 'id' must be a string or a list of messages, got number");
        assertThatThrownBy(() -> DatasetReader.prompts(prompts, idAsPrompt, DatasetReader.BadRows.SKIP))
                .hasMessage(prompts + ": no usable row (50 skipped; first: prompts-lz4-dict-v1-groups-pages.parquet:row 1: "
                        + "column 'id' must be a string or a list of messages, got number)");

        // Every fourth answer is null: as a prompt column, those rows are bad and the rest are read.
        Path conversations = ParquetFixtures.get("prompts-zstd-dict-v2-groups.parquet");
        DatasetReader.Result<PromptExample> r = DatasetReader.prompts(conversations, new DatasetReader.Columns("answer", null, null, "id"),
                DatasetReader.BadRows.SKIP);
        assertThat(r.examples()).hasSize(23).extracting(PromptExample::where)
                .startsWith(conversations + ":row 1", conversations + ":row 2", conversations + ":row 3", conversations + ":row 5");
        assertThat(r.skipped()).isEqualTo(7);
        assertThat(r.problems()).first().asString()
                .startsWith("prompts-zstd-dict-v2-groups.parquet:row 4: column 'answer' is missing (columns: prompt, answer,");
    }

    @Test
    void theFormatFollowsTheNameAndTheFileMustAgree() throws Exception {
        Path json = file("rows.parquet", "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}");
        assertThatThrownBy(() -> DatasetReader.preferences(json, TRL, DatasetReader.BadRows.SKIP))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(json + ": not a Parquet file: it does not start with PAR1");
        Path misnamed = Files.copy(ParquetFixtures.get("preferences-none-dict-v1.parquet"), dir.resolve("rows.jsonl"));
        assertThatThrownBy(() -> DatasetReader.preferences(misnamed, TRL, DatasetReader.BadRows.SKIP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(misnamed + ": a Parquet file (it starts with PAR1) whose name does not end with .parquet; rename it to "
                        + "read it as Parquet");
        Path upper = Files.copy(ParquetFixtures.get("preferences-none-dict-v1.parquet"), dir.resolve("ROWS.PARQUET"));
        assertThat(DatasetReader.preferences(upper, TRL, DatasetReader.BadRows.FAIL).examples()).hasSize(40);
        assertThatThrownBy(() -> DatasetReader.prompts(dir.resolve("none.parquet"), TRL, DatasetReader.BadRows.FAIL))
                .hasMessage(dir.resolve("none.parquet") + ": no such dataset file");
    }

    private static void assertRefusedWhole(Path file, String problem) {
        for (DatasetReader.BadRows badRows : DatasetReader.BadRows.values()) {
            assertThatThrownBy(() -> DatasetReader.preferences(file, TRL, badRows)).as(badRows.name())
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(file + ": " + problem);
        }
    }

    @Test
    void aParquetFileThatCannotBeReadFailsWholeWhateverBadRowsSays() throws Exception {
        byte[] whole = Files.readAllBytes(ParquetFixtures.get("preferences-none-dict-v1.parquet"));
        assertRefusedWhole(Files.write(dir.resolve("truncated.parquet"), Arrays.copyOf(whole, whole.length / 2)),
                "not a whole Parquet file: it starts with PAR1 but does not end with it (truncated?)");
        assertRefusedWhole(ParquetFixtures.get("bad/brotli.parquet"),
                "row group 0, column 'prompt': compression BROTLI is not supported (supported: [UNCOMPRESSED, GZIP, SNAPPY, ZSTD, LZ4_RAW])");
        assertRefusedWhole(ParquetFixtures.get("bad/raw-bytes.parquet"),
                "column 'blob' holds raw bytes (BINARY without a STRING or DECIMAL annotation), which has no JSON form here");
    }
}
