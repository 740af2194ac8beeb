package org.rlcasino.io.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TRL's dataset formats from JSON Lines, and every kind of row that does not fit, by file and line. */
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
        assertThat(plain.row()).isEqualTo(1);
        assertThat(plain.prompt()).isEqualTo(new DatasetText.Plain("2+2="));
        assertThat(plain.rejected()).isEqualTo(new DatasetText.Plain("5"));
        assertThat(r.examples().get(1).row()).as("blank lines count").isEqualTo(3);
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
}
