package org.rlcasino.io.arrow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * String maps for the metadata the writers store (provenance, properties, parameters). The writers
 * keep a map's iteration order, so a map built with {@code Map.of}, whose order is unspecified (and
 * changes from one JVM to the next), makes two identical runs write different bytes; build such a
 * map with {@link #of} instead.
 */
public final class Metadata {
    private Metadata() {}

    /**
     * An unmodifiable map of {@code keysAndValues} (key, value, key, value…), iterating in the order
     * given.
     *
     * @throws IllegalArgumentException when the arguments are not pairs, a key or value is null, or a
     *     key repeats
     */
    public static Map<String, String> of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("metadata needs key-value pairs, got " + keysAndValues.length + " strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            String key = keysAndValues[i];
            String value = keysAndValues[i + 1];
            if (key == null || value == null) {
                throw new IllegalArgumentException("metadata must not hold null keys or values, got " + key + "=" + value);
            }
            if (map.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException("metadata key '" + key + "' given twice");
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
