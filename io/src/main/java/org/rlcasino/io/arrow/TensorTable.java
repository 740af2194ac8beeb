package org.rlcasino.io.arrow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The ordered tensors a file covers, stored as the {@code rlcasino.tensors} metadata:
 * a JSON array of {@code {"name": …, "shape": […], "dtype": …}}. Row {@code tensor} columns are
 * indices into this table (as dictionary indices), and streams visit the tensors in this order.
 */
public final class TensorTable {
    private final List<TensorInfo> tensors;
    private final Map<String, Integer> indexByName;

    private TensorTable(List<TensorInfo> tensors) {
        this.tensors = List.copyOf(tensors);
        this.indexByName = new HashMap<>();
        for (int i = 0; i < this.tensors.size(); i++) {
            TensorInfo t = this.tensors.get(i);
            if (indexByName.putIfAbsent(t.name(), i) != null) {
                throw new IllegalArgumentException("tensor table names " + t.name() + " twice (positions "
                        + indexByName.get(t.name()) + " and " + i + "); names must be unique");
            }
        }
    }

    /** A table of {@code tensors} in the given order; names must be unique. */
    public static TensorTable of(List<TensorInfo> tensors) {
        if (tensors == null) {
            throw new IllegalArgumentException("tensor list must not be null");
        }
        for (int i = 0; i < tensors.size(); i++) {
            if (tensors.get(i) == null) {
                throw new IllegalArgumentException("tensor list holds null at position " + i);
            }
        }
        return new TensorTable(tensors);
    }

    public static TensorTable of(TensorInfo... tensors) {
        return of(Arrays.asList(tensors));
    }

    public int size() {
        return tensors.size();
    }

    public TensorInfo get(int index) {
        return tensors.get(index);
    }

    public List<TensorInfo> tensors() {
        return tensors;
    }

    public List<String> names() {
        return tensors.stream().map(TensorInfo::name).toList();
    }

    /** Position of the tensor named {@code name}, or -1. */
    public int indexOf(String name) {
        Integer i = indexByName.get(name);
        return i == null ? -1 : i;
    }

    /** Position of the tensor named {@code name}; throws {@link IllegalArgumentException} if the table has none. */
    public int require(String name) {
        int i = indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown tensor " + name + ": the tensor table has " + describeNames());
        }
        return i;
    }

    /** Sum of the tensors' sizes. */
    public long totalElements() {
        long total = 0;
        for (TensorInfo t : tensors) {
            total = Math.addExact(total, t.size());
        }
        return total;
    }

    /** The {@code rlcasino.tensors} JSON. */
    public String toJson() {
        ArrayNode array = MetadataJson.array();
        for (TensorInfo t : tensors) {
            ObjectNode node = array.addObject();
            node.put("name", t.name());
            ArrayNode shape = node.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            node.put("dtype", t.dtype());
        }
        return MetadataJson.write(array);
    }

    /** Parses {@code rlcasino.tensors} JSON; throws {@link IllegalArgumentException} saying what is malformed. */
    public static TensorTable fromJson(String json) {
        JsonNode root = MetadataJson.parse("rlcasino.tensors", json);
        if (!root.isArray()) {
            throw new IllegalArgumentException("rlcasino.tensors must be a JSON array of {name, shape, dtype}, got " + abbreviate(json));
        }
        List<TensorInfo> tensors = new ArrayList<>();
        for (JsonNode node : root) {
            int i = tensors.size();
            JsonNode name = node.get("name");
            JsonNode shape = node.get("shape");
            JsonNode dtype = node.get("dtype");
            if (name == null || !name.isTextual() || shape == null || !shape.isArray() || dtype == null || !dtype.isTextual()) {
                throw new IllegalArgumentException("rlcasino.tensors entry " + i + " must be {\"name\": string, \"shape\": [integers], \"dtype\": string}, got "
                        + abbreviate(node.toString()));
            }
            long[] dims = new long[shape.size()];
            for (int d = 0; d < dims.length; d++) {
                JsonNode dim = shape.get(d);
                if (!dim.isIntegralNumber() || !dim.canConvertToLong()) {
                    throw new IllegalArgumentException("rlcasino.tensors entry " + i + " (" + name.asText() + "): dimension " + d
                            + " must be an integer, got " + dim);
                }
                dims[d] = dim.longValue();
            }
            tensors.add(new TensorInfo(name.asText(), dims, dtype.asText()));
        }
        return new TensorTable(tensors);
    }

    private String describeNames() {
        if (tensors.isEmpty()) {
            return "no tensors";
        }
        List<String> names = names();
        return names.size() <= 8 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 8)) + " … (" + names.size() + " tensors)";
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorTable t && tensors.equals(t.tensors);
    }

    @Override
    public int hashCode() {
        return tensors.hashCode();
    }

    @Override
    public String toString() {
        return tensors.toString();
    }
}
