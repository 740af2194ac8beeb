package org.rlcasino.optimizer;

import java.util.Arrays;

/** A growable list of primitive ints. */
final class IntList {
    private int[] values;
    private int size;

    IntList(int capacity) {
        values = new int[Math.max(1, capacity)];
    }

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, Math.max(8, values.length + (values.length >> 1)));
        }
        values[size++] = value;
    }

    int size() {
        return size;
    }

    int get(int i) {
        return values[i];
    }

    void set(int i, int value) {
        values[i] = value;
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
