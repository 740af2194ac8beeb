package org.rlcasino.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.tokenizers.Tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code casino chat-template}: the text transformers renders (the tokenizers module's goldens),
 * printed exactly; --template, --tools and --tokens; one-line errors with exit code 2.
 */
class ChatTemplateCommandTest {
    private static final Path CHAT = Path.of("../tokenizers/src/test/resources/chat");
    private static final Path TRAINED_LLAMA = Path.of("../tokenizers/src/test/resources/tokenizer/trained-llama3.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The case {@code name} of conversations.json and transformers' text for it with {@code template}. */
    private static Map<String, Object> conversation(String name) throws Exception {
        return JSON.readValue(CHAT.resolve("conversations.json").toFile(), new TypeReference<List<Map<String, Object>>>() {}).stream()
                .filter(c -> c.get("name").equals(name)).findFirst().orElseThrow();
    }

    private static String expected(String template, String name) throws Exception {
        return (String) JSON.readValue(CHAT.resolve("expected-" + template + ".json").toFile(), new TypeReference<List<Map<String, Object>>>() {})
                .stream().filter(c -> c.get("name").equals(name)).findFirst().orElseThrow().get("text");
    }

    @Test
    void printsTheRenderedTextExactly() throws Exception {
        Path messages = dir.resolve("messages.json");
        JSON.writeValue(messages.toFile(), conversation("system-multi-turn").get("messages"));
        CliRun run = CliRun.run("chat-template", "--model", CHAT.resolve("qwen3"), "--messages", messages, "--add-generation-prompt");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(expected("qwen3", "system-multi-turn"));

        CliRun noPrompt = CliRun.run("chat-template", "--model", CHAT.resolve("qwen3"), "--messages", messages);
        assertThat(noPrompt.out()).isEqualTo(expected("qwen3", "system-multi-turn").replaceAll("<\\|im_start\\|>assistant\n$", ""));
    }

    @Test
    void takesToolsFromTheMessagesFileOrFromToolsAndATemplateFile() throws Exception {
        Map<String, Object> tools = conversation("tools");
        Path both = dir.resolve("both.json");
        JSON.writeValue(both.toFile(), Map.of("messages", tools.get("messages"), "tools", tools.get("tools")));
        CliRun inFile = CliRun.run("chat-template", "--template", CHAT.resolve("qwen3/tokenizer_config.json"), "--messages", both,
                "--add-generation-prompt");
        assertThat(inFile.code()).as(inFile.err()).isZero();
        assertThat(inFile.out()).isEqualTo(expected("qwen3", "tools"));

        Path messages = dir.resolve("messages.json");
        Path toolsFile = dir.resolve("tools.json");
        JSON.writeValue(messages.toFile(), tools.get("messages"));
        JSON.writeValue(toolsFile.toFile(), tools.get("tools"));
        CliRun separate = CliRun.run("chat-template", "--template", CHAT.resolve("macros/chat_template.jinja"), "--messages", messages,
                "--tools", toolsFile, "--add-generation-prompt");
        assertThat(separate.code()).as(separate.err()).isZero();
        assertThat(separate.out()).isEqualTo(expected("macros", "tools"));
    }

    @Test
    void tokensAreTheTextEncodedWithoutSpecialTokensAdded() throws Exception {
        Path model = Files.createDirectory(dir.resolve("model"));
        Files.copy(CHAT.resolve("llama3/tokenizer_config.json"), model.resolve("tokenizer_config.json"));
        Files.copy(TRAINED_LLAMA, model.resolve("tokenizer.json"));
        Path messages = Files.writeString(dir.resolve("m.json"), "[{\"role\": \"user\", \"content\": \"Hello world\"}]");
        CliRun run = CliRun.run("chat-template", "--model", model, "--messages", messages, "--add-generation-prompt", "--tokens");
        assertThat(run.code()).as(run.err()).isZero();
        String text = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello world<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n";
        assertThat(run.out()).startsWith(text + "\n").endsWith("]\n");
        int[] ids = JSON.readValue(run.out().substring(text.length() + 1).strip(), int[].class);
        assertThat(ids).containsExactly(Tokenizer.load(model).encode(text, false));
        assertThat(ids[0]).isZero(); // <|begin_of_text|> once: the template's, none added by the post-processor
        assertThat(ids[1]).isEqualTo(2);
    }

    @Test
    void badInputExitsWithOneLine() throws Exception {
        Path messages = Files.writeString(dir.resolve("m.json"), "[{\"role\": \"user\", \"content\": \"one\"}, {\"role\": \"user\", \"content\": \"two\"}]");
        CliRun refused = CliRun.run("chat-template", "--model", CHAT.resolve("gemma3"), "--messages", messages);
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err().strip()).isEqualTo("error: the chat template refused the conversation: Conversation roles must alternate "
                + "user/assistant/user/assistant/... (raise_exception on template line 19 of " + CHAT.resolve("gemma3/tokenizer_config.json") + ")");

        CliRun noTemplate = CliRun.run("chat-template", "--model", dir, "--messages", messages);
        assertThat(noTemplate.code()).isEqualTo(2);
        assertThat(noTemplate.err().strip()).startsWith("error: " + dir + " has no chat template").doesNotContain("\n");

        Path unsupported = Files.writeString(dir.resolve("t.jinja"), "{% for m in messages %}\n{% include 'x.jinja' %}{% endfor %}");
        CliRun refusedTag = CliRun.run("chat-template", "--template", unsupported, "--messages", messages);
        assertThat(refusedTag.code()).isEqualTo(2);
        assertThat(refusedTag.err()).contains(unsupported + ", template line 2: unsupported Jinja tag 'include'");

        CliRun noTokenizer = CliRun.run("chat-template", "--model", CHAT.resolve("gemma3"), "--messages", messages, "--tokens");
        assertThat(noTokenizer.code()).isEqualTo(2);
        assertThat(noTokenizer.err()).contains("has no tokenizer.json");

        Path notMessages = Files.writeString(dir.resolve("bad.json"), "{\"role\": \"user\"}");
        CliRun bad = CliRun.run("chat-template", "--model", CHAT.resolve("qwen3"), "--messages", notMessages);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("expected a JSON list of messages");

        assertThat(CliRun.run("chat-template", "--model", CHAT.resolve("qwen3")).code()).isEqualTo(2); // no --messages
    }

    @Test
    void helpSaysWhatItDoes() {
        CliRun help = CliRun.run("chat-template", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--model").contains("--template").contains("--messages").contains("--add-generation-prompt")
                .contains("--tools").contains("--tokens").contains("apply_chat_template");
    }
}
