package org.rlcasino.io.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.rlcasino.io.NameSuggestions;

/**
 * Reads run-configs strictly: unknown keys, duplicate keys, wrong types and invalid values are
 * errors whose message names the file, the JSON path of the key, and the fix (for an unknown key,
 * the nearest valid key).
 */
public final class RunConfigLoader {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private RunConfigLoader() {}

    /** Loads and validates the run-config at {@code file}. */
    public static RunConfig load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RunConfigException(file + ": no such run-config file", e);
        } catch (IOException e) {
            throw new RunConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(file.toString(), bytes);
    }

    /** Parses a run-config; {@code source} names it in messages. */
    public static RunConfig parse(String source, byte[] json) {
        try {
            RunConfig config = MAPPER.readValue(json, RunConfig.class);
            if (config == null) {
                throw new RunConfigException(source + ": empty run-config (expected a JSON object with at least \"name\")", null);
            }
            return config;
        } catch (UnrecognizedPropertyException e) {
            String key = e.getPropertyName();
            String nearest = nearest(key, e.getKnownPropertyIds());
            throw new RunConfigException(source + ": unknown key '" + key + "' at " + path(e)
                    + (nearest == null ? "" : "; did you mean '" + nearest + "'?")
                    + " (valid keys there: " + String.join(", ", names(e.getKnownPropertyIds())) + ")", e);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new RunConfigException(source + ": " + parent(e) + ": " + cause.getMessage(), e);
        } catch (InvalidFormatException e) {
            throw new RunConfigException(source + ": " + path(e) + ": value " + e.getValue() + " is not a "
                    + simpleType(e.getTargetType()), e);
        } catch (MismatchedInputException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")) {
                throw new RunConfigException(source + ": not valid JSON: more content follows the run-config object", e);
            }
            throw new RunConfigException(source + ": " + path(e) + ": expected "
                    + (e.getTargetType() == null ? "another type" : simpleType(e.getTargetType())) + " ("
                    + firstLine(e.getOriginalMessage()) + ")", e);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new RunConfigException(source + ": not valid JSON" + where + ": " + firstLine(e.getOriginalMessage()), e);
        } catch (JacksonException e) {
            throw new RunConfigException(source + ": " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new RunConfigException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder("$");
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** The path of the object whose constructor refused its values ({@code $} for the top level). */
    private static String parent(JsonMappingException e) {
        String p = path(e);
        return p.equals("$") ? "$ (top level)" : p;
    }

    private static List<String> names(Collection<Object> ids) {
        List<String> names = new ArrayList<>();
        if (ids != null) {
            for (Object id : ids) {
                names.add(String.valueOf(id));
            }
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** The valid key closest to {@code key} by edit distance, if reasonably close. */
    static String nearest(String key, Collection<Object> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : names(known)) {
            int d = NameSuggestions.distance(key.toLowerCase(), candidate.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 2) ? best : null;
    }

    private static String simpleType(Class<?> type) {
        if (type == Double.class || type == double.class || type == Float.class) {
            return "number";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "boolean (true/false)";
        }
        if (type == String.class) {
            return "string";
        }
        return "JSON object";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
