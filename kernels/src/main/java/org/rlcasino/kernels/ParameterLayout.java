package org.rlcasino.kernels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of named tensors that carves one flat parameter buffer (and the gradient buffer of the
 * same layout) into tensors, as llm.c does. Tensors are packed contiguously in declaration order,
 * so the buffer has {@link #totalSize()} elements and no gaps; masks address a tensor's entries by
 * flat index within the tensor, which is {@code offset + local index} in the buffer.
 */
public final class ParameterLayout {
    private final List<TensorView> tensors;
    private final Map<String, TensorView> byName;
    private final int totalSize;

    private ParameterLayout(List<TensorView> tensors) {
        this.tensors = List.copyOf(tensors);
        Map<String, TensorView> map = new LinkedHashMap<>();
        for (TensorView t : tensors) {
            map.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(map);
        TensorView last = tensors.isEmpty() ? null : tensors.getLast();
        this.totalSize = last == null ? 0 : last.offset() + last.size();
    }

    /** Starts a layout; tensors are packed in the order they are added. */
    public static Builder builder() {
        return new Builder();
    }

    /** Tensors in buffer order. */
    public List<TensorView> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}; {@link IllegalArgumentException} naming the known tensors if absent. */
    public TensorView tensor(String name) {
        TensorView t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' in the layout (tensors: "
                    + abbreviatedNames() + ")");
        }
        return t;
    }

    /** Whether a tensor called {@code name} exists. */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** Number of elements of the flat buffer. */
    public int totalSize() {
        return totalSize;
    }

    private String abbreviatedNames() {
        List<String> names = new ArrayList<>(byName.keySet());
        return names.size() <= 8 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 8)) + ", … (" + names.size() + " in all)";
    }

    /** Collects tensors and packs them contiguously. */
    public static final class Builder {
        private final List<TensorView> tensors = new ArrayList<>();
        private final Map<String, Boolean> names = new LinkedHashMap<>();
        private long next;

        private Builder() {}

        /** Appends a tensor of the given shape. */
        public Builder add(String name, int... shape) {
            if (names.containsKey(name)) {
                throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
            }
            TensorView view = new TensorView(name, shape, (int) Math.min(next, Integer.MAX_VALUE));
            if (next + view.size() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("layout exceeds 2^31-9 elements at tensor '" + name
                        + "': split the parameters into several buffers");
            }
            names.put(name, Boolean.TRUE);
            tensors.add(view);
            next += view.size();
            return this;
        }

        public ParameterLayout build() {
            return new ParameterLayout(tensors);
        }
    }
}
