package org.rlcasino.tokenizers.chat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.rlcasino.tokenizers.chat.JinjaNode.Stmt;

/**
 * A Hugging Face chat template, rendered as transformers 5's
 * {@code tokenizer.apply_chat_template(messages, tools=..., add_generation_prompt=..., tokenize=False, **kwargs)}
 * renders it: the same text for the templates of Llama 3, Qwen 3, Gemma 3 and the constructs they
 * use (docs/tokenizers.md lists the Jinja subset and what is refused).
 *
 * <pre>{@code
 * ChatTemplate template = ChatTemplate.fromModelDirectory(Path.of("MODEL_DIR"));
 * String prompt = template.render(List.of(Map.of("role", "user", "content", "Hi")), true);
 * }</pre>
 *
 * <p>The template sees what transformers passes: {@code messages}, {@code tools} (None without
 * tools), {@code documents} (None), {@code add_generation_prompt}, the tokenizer's special tokens
 * ({@code bos_token}, {@code eos_token}, ..., as strings), then the extra keyword arguments (which
 * override special tokens), and the globals {@code raise_exception} and {@code strftime_now}. The
 * environment is transformers': {@code trim_blocks=True, lstrip_blocks=True}, jinja2's other
 * defaults ({@code keep_trailing_newline=False}: one trailing newline of the template is dropped),
 * the immutable sandbox, the loop controls and {@code {% generation %}} extensions, and a
 * {@code tojson} that is {@code json.dumps(x, ensure_ascii=False, ...)}.
 *
 * <p>Instances are immutable and may render from several threads.
 */
public final class ChatTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT = "default";
    /** transformers' name for the template to use when tools are given (a model with several templates). */
    private static final String TOOL_USE = "tool_use";

    private final String source;
    private final Map<String, List<Stmt>> templates;
    private final Map<String, Object> specialTokens;
    private final Clock clock;

    private ChatTemplate(String source, Map<String, List<Stmt>> templates, Map<String, Object> specialTokens, Clock clock) {
        this.source = source;
        this.templates = templates;
        this.specialTokens = specialTokens;
        this.clock = clock;
    }

    /**
     * The chat template of a model directory, found as transformers 5 finds it: the files
     * {@code chat_template.jinja} ("default") and {@code additional_chat_templates/NAME.jinja} if
     * there are any, else {@code tokenizer_config.json}'s {@code chat_template} (a string, or a list
     * of {@code {"name", "template"}}). The special tokens are {@code tokenizer_config.json}'s
     * {@code *_token} entries (strings or AddedToken objects {@code {"content": ...}}) and its
     * {@code extra_special_tokens} map, overridden by a legacy {@code special_tokens_map.json} when
     * the config has no {@code added_tokens_decoder}.
     *
     * @throws ChatTemplateException if the directory has no chat template, or it has a syntax error
     *     or a construct outside the supported subset
     */
    public static ChatTemplate fromModelDirectory(Path dir) throws IOException {
        Path config = dir.resolve("tokenizer_config.json");
        JsonNode configJson = Files.isRegularFile(config) ? readJson(config) : null;
        Map<String, String> texts = new TreeMap<>();
        Path jinja = dir.resolve("chat_template.jinja");
        String source;
        if (Files.isRegularFile(jinja)) {
            texts.put(DEFAULT, Files.readString(jinja));
        }
        Path additional = dir.resolve("additional_chat_templates");
        if (Files.isDirectory(additional)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(additional, "*.jinja")) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    texts.put(name.substring(0, name.length() - ".jinja".length()), Files.readString(file));
                }
            }
        }
        if (!texts.isEmpty()) {
            source = texts.size() == 1 && texts.containsKey(DEFAULT) ? jinja.toString() : dir.toString();
        } else {
            JsonNode chatTemplate = configJson == null ? null : configJson.get("chat_template");
            if (chatTemplate == null || chatTemplate.isNull()) {
                throw new ChatTemplateException(dir + " has no chat template: no chat_template.jinja, and "
                        + (configJson == null ? "no tokenizer_config.json" : "tokenizer_config.json has no \"chat_template\"")
                        + "; give a model directory with one, or the template file itself");
            }
            texts.putAll(templateTexts(chatTemplate, config.toString()));
            source = config.toString();
        }
        Map<String, Object> tokens = configJson == null ? new LinkedHashMap<>() : specialTokens(configJson);
        Path legacy = dir.resolve("special_tokens_map.json");
        if (Files.isRegularFile(legacy) && (configJson == null || !configJson.has("added_tokens_decoder"))) {
            tokens.putAll(specialTokens(readJson(legacy)));
        }
        return new ChatTemplate(source, parseAll(texts, source), Collections.unmodifiableMap(tokens), Clock.systemDefaultZone());
    }

    /**
     * The chat template of one file: a {@code tokenizer_config.json} (its {@code chat_template} and
     * special tokens), or a Jinja template file, with the special tokens of the
     * {@code tokenizer_config.json} beside it if there is one.
     *
     * @throws ChatTemplateException if the template has a syntax error or a construct outside the subset
     */
    public static ChatTemplate fromFile(Path file) throws IOException {
        if (file.getFileName().toString().endsWith(".json")) {
            JsonNode config = readJson(file);
            JsonNode chatTemplate = config.get("chat_template");
            if (chatTemplate == null || chatTemplate.isNull()) {
                throw new ChatTemplateException(file + " has no \"chat_template\"; give a file that has one, or the template itself "
                        + "(chat_template.jinja)");
            }
            return new ChatTemplate(file.toString(), parseAll(templateTexts(chatTemplate, file.toString()), file.toString()),
                    Collections.unmodifiableMap(specialTokens(config)), Clock.systemDefaultZone());
        }
        Path config = file.toAbsolutePath().resolveSibling("tokenizer_config.json");
        Map<String, Object> tokens = Files.isRegularFile(config) ? specialTokens(readJson(config)) : new LinkedHashMap<>();
        return new ChatTemplate(file.toString(), parseAll(Map.of(DEFAULT, Files.readString(file)), file.toString()),
                Collections.unmodifiableMap(tokens), Clock.systemDefaultZone());
    }

    /**
     * A template given as text, with the special tokens the template sees as variables (as
     * transformers' {@code tokenizer.special_tokens_map}: {@code bos_token} to {@code "<s>"}, ...).
     *
     * @throws ChatTemplateException if the template has a syntax error or a construct outside the subset
     */
    public static ChatTemplate of(String template, Map<String, ?> specialTokens) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        specialTokens.forEach((name, value) -> tokens.put(name, PythonValues.fromJava(value)));
        return new ChatTemplate("chat template", parseAll(Map.of(DEFAULT, template), "chat template"),
                Collections.unmodifiableMap(tokens), Clock.systemDefaultZone());
    }

    /** This template with {@code strftime_now} reading {@code clock} (its zone's local time) instead of the system clock. */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(source, templates, specialTokens, clock);
    }

    /** The special tokens passed to the template, by name ({@code bos_token}, ...). */
    public Map<String, Object> specialTokens() {
        return specialTokens;
    }

    /** Where the template came from, as messages name it. */
    public String source() {
        return source;
    }

    /**
     * Renders a conversation without tools or extra arguments.
     *
     * @param messages the messages, each a map such as {@code {"role": "user", "content": "Hi"}}
     *     (values: strings, numbers, booleans, null, lists and maps)
     * @param addGenerationPrompt end with the header of an assistant turn, for the model to complete
     * @throws ChatTemplateException if rendering fails or the template refuses the conversation
     *     ({@link ChatTemplateException#raisedByTemplate()})
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        return render(messages, null, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation as {@code apply_chat_template(messages, tools=tools,
     * add_generation_prompt=..., tokenize=False, **kwargs)} does.
     *
     * @param tools the tools offered to the model (JSON schemas such as {@code {"type": "function",
     *     "function": {...}}}), or null for none
     * @param kwargs extra template variables (Qwen 3's {@code enable_thinking}, ...); they override
     *     special tokens of the same name
     * @throws ChatTemplateException if rendering fails or the template refuses the conversation
     */
    public String render(List<? extends Map<String, ?>> messages, List<? extends Map<String, ?>> tools, boolean addGenerationPrompt,
            Map<String, ?> kwargs) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("Cannot apply chat template to an empty conversation. Provide at least one message.");
        }
        for (String reserved : List.of("messages", "tools", "documents", "add_generation_prompt")) {
            if (kwargs.containsKey(reserved)) {
                throw new IllegalArgumentException("kwargs: '" + reserved + "' is a variable render sets itself; pass it as its argument");
            }
        }
        Map<String, Object> variables = new LinkedHashMap<>(specialTokens);
        kwargs.forEach((name, value) -> variables.put(name, PythonValues.fromJava(value)));
        variables.put("messages", PythonValues.fromJava(messages));
        variables.put("tools", PythonValues.fromJava(tools));
        variables.put("documents", null);
        variables.put("add_generation_prompt", addGenerationPrompt);
        List<Stmt> template = select(tools != null);
        try {
            return new JinjaRenderer(clock).render(template, variables);
        } catch (JinjaError e) {
            throw exception(e, source);
        }
    }

    /** transformers' get_chat_template: one template, or of several "tool_use" when tools are given, else "default". */
    private List<Stmt> select(boolean withTools) {
        if (templates.size() == 1 && templates.containsKey(DEFAULT)) {
            return templates.get(DEFAULT);
        }
        if (withTools && templates.containsKey(TOOL_USE)) {
            return templates.get(TOOL_USE);
        }
        if (templates.containsKey(DEFAULT)) {
            return templates.get(DEFAULT);
        }
        throw new IllegalArgumentException(source + " has several chat templates and none is named \"default\": "
                + String.join(", ", templates.keySet()));
    }

    private static Map<String, List<Stmt>> parseAll(Map<String, String> texts, String source) {
        Map<String, List<Stmt>> parsed = new TreeMap<>();
        texts.forEach((name, text) -> {
            String where = texts.size() == 1 ? source : source + " (template \"" + name + "\")";
            try {
                parsed.put(name, JinjaParser.parse(text));
            } catch (JinjaError e) {
                throw exception(e, where);
            }
        });
        return Collections.unmodifiableMap(parsed);
    }

    private static ChatTemplateException exception(JinjaError e, String where) {
        String line = e.line > 0 ? "template line " + e.line : "";
        if (e.raised) {
            return new ChatTemplateException("the chat template refused the conversation: " + e.getMessage() + " (raise_exception on "
                    + (line.isEmpty() ? "" : line + " of ") + where + ")", e.line, e.getMessage(), true);
        }
        return new ChatTemplateException(where + (line.isEmpty() ? "" : ", " + line) + ": " + e.getMessage(), e.line, e.getMessage(), false);
    }

    /** tokenizer_config.json's chat_template: a string ("default"), or a list of {"name", "template"}. */
    private static Map<String, String> templateTexts(JsonNode chatTemplate, String source) {
        Map<String, String> texts = new TreeMap<>();
        if (chatTemplate.isTextual()) {
            texts.put(DEFAULT, chatTemplate.textValue());
            return texts;
        }
        if (chatTemplate.isArray()) {
            for (JsonNode entry : chatTemplate) {
                JsonNode name = entry.get("name");
                JsonNode template = entry.get("template");
                if (name == null || !name.isTextual() || template == null || !template.isTextual()) {
                    throw new IllegalArgumentException(source + ": chat_template entries must be {\"name\": ..., \"template\": ...}, got "
                            + entry);
                }
                texts.put(name.textValue(), template.textValue());
            }
            if (!texts.isEmpty()) {
                return texts;
            }
        }
        throw new IllegalArgumentException(source + ": chat_template must be a string or a non-empty list of {\"name\", \"template\"}");
    }

    /**
     * The special tokens of a tokenizer config (or special_tokens_map.json) as transformers 5's
     * {@code special_tokens_map} has them: every {@code *_token} key whose value is a string or an
     * AddedToken object, then the {@code extra_special_tokens} map's entries.
     */
    private static Map<String, Object> specialTokens(JsonNode config) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : config.properties()) {
            String content = tokenContent(e.getValue());
            if (e.getKey().endsWith("_token") && content != null) {
                tokens.put(e.getKey(), content);
            }
        }
        JsonNode extra = config.get("extra_special_tokens");
        if (extra != null && extra.isObject()) {
            for (Map.Entry<String, JsonNode> e : extra.properties()) {
                String content = tokenContent(e.getValue());
                if (content != null) {
                    tokens.put(e.getKey(), content);
                }
            }
        }
        return tokens;
    }

    private static String tokenContent(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        JsonNode content = value.get("content");
        return value.isObject() && content != null && content.isTextual() ? content.textValue() : null;
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            JsonNode node = JSON.readTree(Files.readString(file));
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(file + ": expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
    }
}
