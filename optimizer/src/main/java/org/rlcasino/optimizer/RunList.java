package org.rlcasino.optimizer;

/**
 * Builds the runs of {@link org.rlcasino.kernels.AdamWKernels#blockSparseAdamW}: flat indices are
 * added in strictly ascending order, consecutive ones merge into a run of at most
 * {@code maxRunLength} entries, and each run's compact-state offset is the number of entries
 * added before it (so the compact state is in ascending flat order, as in element indexing).
 */
final class RunList {
    private final int maxRunLength;
    private final IntList starts = new IntList(1024);
    private final IntList states = new IntList(1024);
    private final IntList lengths = new IntList(1024);
    private int entries;
    private int previous = -1;

    RunList(int maxRunLength) {
        this.maxRunLength = maxRunLength;
    }

    void add(int flatIndex) {
        int last = lengths.size() - 1;
        if (last >= 0 && flatIndex == previous + 1 && lengths.get(last) < maxRunLength) {
            lengths.set(last, lengths.get(last) + 1);
        } else {
            starts.add(flatIndex);
            states.add(entries);
            lengths.add(1);
        }
        previous = flatIndex;
        entries++;
    }

    int runs() {
        return lengths.size();
    }

    int entries() {
        return entries;
    }

    int[] starts() {
        return starts.toArray();
    }

    int[] states() {
        return states.toArray();
    }

    int[] lengths() {
        return lengths.toArray();
    }
}
