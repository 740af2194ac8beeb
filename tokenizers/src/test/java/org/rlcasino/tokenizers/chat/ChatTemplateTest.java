package org.rlcasino.tokenizers.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Conformance with transformers 5.18's {@code apply_chat_template(..., tokenize=False)}: every
 * conversation of src/test/resources/chat/conversations.json rendered with each template directory
 * there (Llama 3, Qwen 3 and Gemma 3's real templates, and test templates that use the rest of the
 * subset) gives exactly the text of expected-NAME.json, or, where transformers raised (the
 * template's {@code raise_exception}, or a template failing on a conversation), the same message;
 * src/test/python/chat_golden.py writes them. Also: how templates and special tokens are found in a
 * model directory (as transformers 5 finds them), and the API's errors.
 */
class ChatTemplateTest {
    static final Path RESOURCES = Path.of("src/test/resources/chat");
    /** chat_golden.py freezes transformers' clock here. */
    static final Clock FROZEN = Clock.fixed(LocalDateTime.of(2024, 7, 26, 9, 5, 3).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    static final List<String> TEMPLATES = List.of("llama3", "qwen3", "gemma3", "constructs", "macros");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Map<String, Object>> HI = List.of(Map.of("role", "user", "content", "Hi"));

    @TempDir
    Path dir;

    static Stream<Arguments> renders() throws IOException {
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        for (Map<String, Object> c : JSON.readValue(RESOURCES.resolve("conversations.json").toFile(),
                new TypeReference<List<Map<String, Object>>>() {})) {
            cases.put((String) c.get("name"), c);
        }
        List<Arguments> out = new ArrayList<>();
        for (String template : TEMPLATES) {
            for (Map<String, Object> expected : JSON.readValue(RESOURCES.resolve("expected-" + template + ".json").toFile(),
                    new TypeReference<List<Map<String, Object>>>() {})) {
                out.add(Arguments.of(template, expected.get("name"), cases.get((String) expected.get("name")), expected));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> snippets() throws IOException {
        List<Map<String, Object>> inputs = JSON.readValue(RESOURCES.resolve("snippets.json").toFile(),
                new TypeReference<List<Map<String, Object>>>() {});
        List<Map<String, Object>> expected = JSON.readValue(RESOURCES.resolve("expected-snippets.json").toFile(),
                new TypeReference<List<Map<String, Object>>>() {});
        assertThat(expected).hasSameSizeAs(inputs);
        List<Arguments> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(expected.get(i).get("name")).isEqualTo(inputs.get(i).get("name"));
            out.add(Arguments.of(inputs.get(i).get("name"), inputs.get(i), expected.get(i)));
        }
        return out.stream();
    }

    /**
     * The snippets of snippets.json (one construct each, rendered with one user message "hi" and the
     * snippet's variables) give jinja2's text; where jinja2 raised, they fail with jinja2's message,
     * and syntax errors (when the template is parsed) on jinja2's line.
     */
    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0}")
    @MethodSource("snippets")
    void snippetsRenderAsJinja2(String name, Map<String, Object> snippet, Map<String, Object> expected) {
        List<Map<String, Object>> messages = List.of(Map.of("role", "user", "content", "hi"));
        Map<String, Object> vars = (Map<String, Object>) snippet.getOrDefault("vars", Map.of());
        String template = (String) snippet.get("template");
        if (expected.containsKey("text")) {
            assertThat(ChatTemplate.of(template, Map.of()).withClock(FROZEN).render(messages, null, false, vars))
                    .isEqualTo(expected.get("text"));
            return;
        }
        ChatTemplateException e = catchThrowableOfType(ChatTemplateException.class,
                () -> ChatTemplate.of(template, Map.of()).withClock(FROZEN).render(messages, null, false, vars));
        assertThat(e).as("jinja2 raised " + expected.get("type") + ": " + expected.get("error")).isNotNull();
        assertThat(e.raisedByTemplate()).as(e.getMessage()).isEqualTo(expected.get("type").equals("TemplateError"));
        if (expected.containsKey("line") || expected.get("type").equals("SyntaxError")) {
            assertThat(e.line()).as(e.getMessage()).isEqualTo(expected.getOrDefault("line", 1));
        } else {
            assertThat(e.templateMessage()).isEqualTo(expected.get("error"));
        }
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("renders")
    void rendersAsTransformers(String template, String name, Map<String, Object> conversation, Map<String, Object> expected)
            throws IOException {
        ChatTemplate chat = ChatTemplate.fromModelDirectory(RESOURCES.resolve(template)).withClock(FROZEN);
        List<Map<String, Object>> messages = (List<Map<String, Object>>) conversation.get("messages");
        List<Map<String, Object>> tools = (List<Map<String, Object>>) conversation.get("tools");
        Map<String, Object> kwargs = (Map<String, Object>) conversation.getOrDefault("kwargs", Map.of());
        boolean prompt = (Boolean) conversation.get("add_generation_prompt");
        if (expected.containsKey("text")) {
            assertThat(chat.render(messages, tools, prompt, kwargs)).isEqualTo(expected.get("text"));
        } else {
            ChatTemplateException e = catchThrowableOfType(ChatTemplateException.class, () -> chat.render(messages, tools, prompt, kwargs));
            assertThat(e).as("transformers raised " + expected.get("type") + ": " + expected.get("error")).isNotNull();
            assertThat(e.raisedByTemplate()).as(e.getMessage()).isEqualTo(expected.get("type").equals("TemplateError"));
            assertThat(e.templateMessage()).isEqualTo(expected.get("error"));
        }
    }

    @Test
    void aChatTemplateJinjaFileWinsOverTheConfigsTemplate() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"config\", \"bos_token\": \"<s>\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ bos_token }}file\n");
        ChatTemplate chat = ChatTemplate.fromModelDirectory(dir);
        assertThat(chat.render(HI, false)).isEqualTo("<s>file");
        assertThat(chat.source()).isEqualTo(dir.resolve("chat_template.jinja").toString());
    }

    @Test
    void namedTemplatesPickToolUseWithToolsElseDefault() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"default\", \"template\": \"plain\"}, "
                + "{\"name\": \"tool_use\", \"template\": \"{{ tools | length }} tools\"}]}");
        ChatTemplate chat = ChatTemplate.fromModelDirectory(dir);
        assertThat(chat.render(HI, false)).isEqualTo("plain");
        assertThat(chat.render(HI, List.of(Map.of("type", "function")), false, Map.of())).isEqualTo("1 tools");

        Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(other.resolve("chat_template.jinja"), "default");
        Files.createDirectory(other.resolve("additional_chat_templates"));
        Files.writeString(other.resolve("additional_chat_templates/tool_use.jinja"), "tools");
        assertThat(ChatTemplate.fromModelDirectory(other).render(HI, List.of(), false, Map.of())).isEqualTo("tools");

        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"rag\", \"template\": \"x\"}]}");
        assertThatThrownBy(() -> ChatTemplate.fromModelDirectory(dir).render(HI, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none is named \"default\": rag");
    }

    @Test
    void specialTokensAreTheConfigsTokenEntries() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": "{{ bos_token }}|{{ eos_token }}|{{ image_token }}|{{ video_token }}|{{ pad_token }}|{{ add_bos_token }}",
                 "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
                 "eos_token": "</s>", "image_token": "<img>", "pad_token": null, "add_bos_token": true, "max_token": 5,
                 "extra_special_tokens": {"video_token": "<vid>"}}""");
        ChatTemplate chat = ChatTemplate.fromModelDirectory(dir);
        assertThat(chat.specialTokens()).containsExactly(Map.entry("bos_token", "<s>"), Map.entry("eos_token", "</s>"),
                Map.entry("image_token", "<img>"), Map.entry("video_token", "<vid>"));
        assertThat(chat.render(HI, false)).isEqualTo("<s>|</s>|<img>|<vid>||");
        // keyword arguments override special tokens, as in transformers
        assertThat(chat.render(HI, null, false, Map.of("eos_token", "E"))).isEqualTo("<s>|E|<img>|<vid>||");
        // a legacy special_tokens_map.json counts where the config has no added_tokens_decoder
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"bos_token\": {\"content\": \"<B>\"}, \"pad_token\": \"<P>\"}");
        assertThat(ChatTemplate.fromModelDirectory(dir).render(HI, false)).isEqualTo("<B>|</s>|<img>|<vid>|<P>|");
    }

    @Test
    void aDirectoryWithoutATemplateIsNamed() throws IOException {
        assertThatThrownBy(() -> ChatTemplate.fromModelDirectory(dir)).isInstanceOf(ChatTemplateException.class)
                .hasMessage(dir + " has no chat template: no chat_template.jinja, and no tokenizer_config.json; give a model directory "
                        + "with one, or the template file itself");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        assertThatThrownBy(() -> ChatTemplate.fromModelDirectory(dir)).hasMessageContaining("tokenizer_config.json has no \"chat_template\"");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": ");
        assertThatThrownBy(() -> ChatTemplate.fromModelDirectory(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokenizer_config.json: not valid JSON");
    }

    @Test
    void aTemplateFileTakesTheTokensOfTheConfigBesideIt() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"config {{ bos_token }}\", \"bos_token\": \"<s>\"}");
        Path jinja = Files.writeString(dir.resolve("mine.jinja"), "mine {{ bos_token }}");
        assertThat(ChatTemplate.fromFile(jinja).render(HI, false)).isEqualTo("mine <s>");
        assertThat(ChatTemplate.fromFile(dir.resolve("tokenizer_config.json")).render(HI, false)).isEqualTo("config <s>");
    }

    @Test
    void syntaxErrorsNameTheSourceAndLine() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"ok\\n{% if %}\"}");
        assertThatThrownBy(() -> ChatTemplate.fromModelDirectory(dir)).isInstanceOf(ChatTemplateException.class)
                .hasMessage(dir.resolve("tokenizer_config.json") + ", template line 2: expected an expression, got '%}'");
    }

    @Test
    void renderChecksItsArguments() {
        ChatTemplate chat = ChatTemplate.of("{{ messages | length }}", Map.of());
        assertThatThrownBy(() -> chat.render(List.of(), false)).hasMessageContaining("empty conversation");
        assertThatThrownBy(() -> chat.render(HI, null, false, Map.of("messages", List.of()))).hasMessageContaining("'messages'");
        assertThat(chat.render(HI, true)).isEqualTo("1");
    }

    @Test
    void theClockIsTheTemplatesClock() {
        ChatTemplate chat = ChatTemplate.of("{{ strftime_now('%Y-%m-%d %H:%M') }}", Map.of());
        Clock tokyo = Clock.fixed(LocalDateTime.of(2024, 7, 26, 9, 5).toInstant(ZoneOffset.UTC), ZoneId.of("Asia/Tokyo"));
        assertThat(chat.withClock(tokyo).render(HI, false)).isEqualTo("2024-07-26 18:05");
    }
}
