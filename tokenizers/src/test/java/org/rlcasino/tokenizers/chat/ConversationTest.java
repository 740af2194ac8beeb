package org.rlcasino.tokenizers.chat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Conversation files: a list of messages, or an object with messages and tools; bad files fail naming the file. */
class ConversationTest {
    @TempDir
    Path dir;

    @Test
    void readsAListOfMessages() throws Exception {
        Conversation c = Conversation.read(Files.writeString(dir.resolve("c.json"), "[{\"role\": \"user\", \"content\": \"Hi\", \"n\": 1}]"));
        assertThat(c.messages()).containsExactly(Map.of("role", "user", "content", "Hi", "n", 1));
        assertThat(c.tools()).isNull();
    }

    @Test
    void readsAnObjectWithMessagesAndTools() {
        Conversation c = Conversation.fromJson("{\"messages\": [{\"role\": \"user\", \"content\": null}], \"tools\": [{\"type\": \"function\"}]}", "x");
        assertThat(c.messages()).hasSize(1);
        assertThat(c.messages().get(0)).containsEntry("content", null);
        assertThat(c.tools()).containsExactly(Map.of("type", "function"));
    }

    @Test
    void readsToolFiles() throws Exception {
        Path list = Files.writeString(dir.resolve("tools.json"), "[{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]");
        Path object = Files.writeString(dir.resolve("tools2.json"), "{\"tools\": [{\"type\": \"function\"}]}");
        assertThat(Conversation.readTools(list)).hasSize(1);
        assertThat(Conversation.readTools(object)).containsExactly(Map.of("type", "function"));
    }

    @Test
    void badFilesNameTheFileAndTheProblem() {
        assertThatThrownBy(() -> Conversation.fromJson("[{\"role\": ", "m.json")).hasMessageStartingWith("m.json: not valid JSON");
        assertThatThrownBy(() -> Conversation.fromJson("{\"role\": \"user\"}", "m.json"))
                .hasMessageContaining("m.json: expected a JSON list of messages");
        assertThatThrownBy(() -> Conversation.fromJson("[\"hi\"]", "m.json")).hasMessage("m.json: the messages, item 0 is not a JSON object: hi");
        assertThatThrownBy(() -> Conversation.fromJson("{\"messages\": [], \"tool\": []}", "m.json")).hasMessageContaining("unknown key 'tool'");
        assertThatThrownBy(() -> Conversation.fromJson("{\"messages\": {}}", "m.json"))
                .hasMessage("m.json: \"messages\" must be a JSON list of objects");
    }
}
