package org.rlcasino.io.arrow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON inside Arrow metadata values: compact, key order kept. Parse errors are {@link IllegalArgumentException}s naming the key. */
final class MetadataJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private MetadataJson() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String key, String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException(key + " is empty, expected JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(key + " is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    /** A string → string map as a JSON object, in the map's order. */
    static String writeStringMap(Map<String, String> map) {
        ObjectNode node = object();
        map.forEach(node::put);
        return write(node);
    }

    /** A JSON object whose values are all strings, in file order. */
    static Map<String, String> parseStringMap(String key, String json) {
        JsonNode node = parse(key, json);
        if (!node.isObject()) {
            throw new IllegalArgumentException(key + " must be a JSON object of strings, got " + json);
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(key + ": value of \"" + e.getKey() + "\" must be a string, got " + e.getValue());
            }
            map.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(map);
    }

    static String writeIntList(List<Integer> values) {
        ArrayNode node = array();
        values.forEach(node::add);
        return write(node);
    }

    static List<Integer> parseIntList(String key, String json) {
        JsonNode node = parse(key, json);
        if (!node.isArray()) {
            throw new IllegalArgumentException(key + " must be a JSON array of integers, got " + json);
        }
        List<Integer> values = new ArrayList<>();
        for (JsonNode v : node) {
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw new IllegalArgumentException(key + " must hold 32-bit integers, got " + v);
            }
            values.add(v.intValue());
        }
        return List.copyOf(values);
    }

    /** Copies a user map (rejecting nulls) keeping its iteration order. */
    static Map<String, String> copyStringMap(String what, Map<String, String> map) {
        if (map == null) {
            throw new IllegalArgumentException(what + " must not be null (use an empty map)");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException(what + " must not hold null keys or values, got " + k + "=" + v);
            }
            copy.put(k, v);
        });
        return Collections.unmodifiableMap(copy);
    }
}
