package org.rlcasino.io;

import java.util.Locale;

/**
 * An operation would need more Java heap than the JVM may ever use ({@link Runtime#maxMemory()}):
 * thrown before the work starts, with the estimate, instead of an {@link OutOfMemoryError}
 * halfway through. It is the input's size that does not fit, so it is a bad-input error.
 */
public final class InsufficientHeapException extends IllegalArgumentException {
    private final String what;
    private final long neededBytes;
    private final long maxBytes;

    /**
     * @param what        what needs the memory, e.g. "momentum scoring of 1,000,000 parameters (6 floats of state each)"
     * @param neededBytes the estimate
     * @param maxBytes    the heap limit it was compared with
     */
    public InsufficientHeapException(String what, long neededBytes, long maxBytes) {
        super(String.format(Locale.ROOT, "%s needs about %s of Java heap, more than this JVM's limit of %s: "
                + "raise the limit (java -Xmx%s)", what, gigabytes(neededBytes), gigabytes(maxBytes), suggestedXmx(neededBytes)));
        this.what = what;
        this.neededBytes = neededBytes;
        this.maxBytes = maxBytes;
    }

    /** Throws if {@code neededBytes} exceed the JVM's heap limit. */
    public static void require(String what, long neededBytes) {
        require(what, neededBytes, Runtime.getRuntime().maxMemory());
    }

    /** Throws if {@code neededBytes} exceed {@code maxBytes}. */
    public static void require(String what, long neededBytes, long maxBytes) {
        if (neededBytes > maxBytes) {
            throw new InsufficientHeapException(what, neededBytes, maxBytes);
        }
    }

    /** What needs the memory. */
    public String what() {
        return what;
    }

    /** The estimate, in bytes. */
    public long neededBytes() {
        return neededBytes;
    }

    /** The heap limit, in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** A {@code -Xmx} value with room for the JVM's own use: the estimate plus a quarter plus 1 GiB, in whole GiB, e.g. {@code 6g}. */
    public static String suggestedXmx(long neededBytes) {
        long gib = 1L << 30;
        return (neededBytes + neededBytes / 4 + gib + gib - 1) / gib + "g";
    }

    /** {@code 3.2 GB}, {@code 512.0 MB}. */
    public static String gigabytes(long bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
