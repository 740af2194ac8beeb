package org.rlcasino.io.arrow;

/**
 * The four Arrow IPC file formats of RL Casino, named by the {@code rlcasino.format} schema
 * metadata. Each knows which command produces it and which one reads it, for error messages.
 */
public enum RlcasinoFormat {
    /** Weight deltas θ_t − θ_{t−1}: step × tensor × chunk of float32. */
    DELTAS("rlcasino.deltas", "weight deltas", "casino deltas", "casino score"),
    /** Importance scores: tensor × chunk of float32. */
    SCORES("rlcasino.scores", "importance scores", "casino score", "casino mask"),
    /** Per tensor, sorted flat indices of the active entries, with optional block structure. */
    MASK("rlcasino.mask", "a mask", "casino mask", "casino train"),
    /** A generic table of named utf8/int64/float64 columns (Jaccard tables, timings). */
    METRICS("rlcasino.metrics", "a metric table", "casino compare --metrics", "pandas or any Arrow reader");

    /** The version this code writes and the newest it reads. */
    public static final int CURRENT_VERSION = 1;

    private final String formatName;
    private final String contents;
    private final String producer;
    private final String consumer;

    RlcasinoFormat(String formatName, String contents, String producer, String consumer) {
        this.formatName = formatName;
        this.contents = contents;
        this.producer = producer;
        this.consumer = consumer;
    }

    /** The value of {@code rlcasino.format}, e.g. {@code rlcasino.deltas}. */
    public String formatName() {
        return formatName;
    }

    /** What the file holds, in words. */
    public String contents() {
        return contents;
    }

    /** The command that writes this format. */
    public String producer() {
        return producer;
    }

    /** The command (or tool) that reads this format. */
    public String consumer() {
        return consumer;
    }

    /** The format named {@code formatName}, or null. */
    public static RlcasinoFormat byName(String formatName) {
        for (RlcasinoFormat format : values()) {
            if (format.formatName.equals(formatName)) {
                return format;
            }
        }
        return null;
    }
}
