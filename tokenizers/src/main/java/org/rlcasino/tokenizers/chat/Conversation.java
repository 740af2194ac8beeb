package org.rlcasino.tokenizers.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The messages of a chat, and the tools offered to the model (null: none), as
 * {@link ChatTemplate#render} takes them and as a JSON file holds them: a list of message objects
 * ({@code [{"role": "user", "content": "Hi"}, ...]}), or an object
 * {@code {"messages": [...], "tools": [...]}} (tools optional), the shape of Hugging Face chat
 * datasets and of OpenAI-style requests.
 */
public record Conversation(List<Map<String, Object>> messages, List<Map<String, Object>> tools) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a conversation from a JSON file (UTF-8); see the class comment for the shapes. */
    public static Conversation read(Path file) throws IOException {
        return fromJson(Files.readString(file), file.toString());
    }

    /** Parses a conversation from JSON text; {@code source} names it in messages. */
    public static Conversation fromJson(String json, String source) {
        Object root = parse(json, source);
        if (root instanceof List<?> list) {
            return new Conversation(objects(list, source, "the messages"), null);
        }
        if (root instanceof Map<?, ?> map && map.containsKey("messages")) {
            for (Object key : map.keySet()) {
                if (!Set.of("messages", "tools").contains(key)) {
                    throw new IllegalArgumentException(source + ": unknown key '" + key + "'; a conversation object has \"messages\" "
                            + "and optionally \"tools\"");
                }
            }
            Object tools = map.get("tools");
            return new Conversation(objects(map.get("messages"), source, "\"messages\""),
                    tools == null ? null : objects(tools, source, "\"tools\""));
        }
        throw new IllegalArgumentException(source + ": expected a JSON list of messages ([{\"role\": \"user\", \"content\": \"Hi\"}]) "
                + "or an object with \"messages\" (and optionally \"tools\")");
    }

    /** Reads a JSON list of tool objects ({@code [{"type": "function", "function": {...}}]}), or an object with "tools". */
    public static List<Map<String, Object>> readTools(Path file) throws IOException {
        Object root = parse(Files.readString(file), file.toString());
        if (root instanceof Map<?, ?> map && map.size() == 1 && map.containsKey("tools")) {
            root = map.get("tools");
        }
        return objects(root, file.toString(), "the tools");
    }

    private static Object parse(String json, String source) {
        try {
            return JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(Object value, String source, String what) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(source + ": " + what + " must be a JSON list of objects");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(source + ": " + what + ", item " + i + " is not a JSON object: " + list.get(i));
            }
            out.add((Map<String, Object>) m);
        }
        return out;
    }
}
