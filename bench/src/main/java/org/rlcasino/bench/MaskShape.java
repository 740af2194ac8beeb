package org.rlcasino.bench;

import java.util.Locale;

import org.rlcasino.io.arrow.BlockShape;

/** The mask shapes the optimizer benchmark compares. */
public enum MaskShape {
    /** Whole 16×16 blocks of each 2-D tensor. */
    BLOCK_16X16("block16x16", "block16", new BlockShape(16, 16)),
    /** Row segments of 64 consecutive entries (1×64 blocks). */
    ROW_1X64("row1x64", "row64", new BlockShape(1, 64)),
    /** Uniformly random entries. */
    RANDOM("random", "element", new BlockShape(1, 1));

    private final String label;
    private final String alias;
    private final BlockShape block;

    MaskShape(String label, String alias, BlockShape block) {
        this.label = label;
        this.alias = alias;
        this.block = block;
    }

    /** Name on the command line and in reports. */
    public String label() {
        return label;
    }

    /** The block a mask of this shape is made of (1×1 for random entries). */
    public BlockShape block() {
        return block;
    }

    /** Parses a label ({@code block16x16}, {@code row1x64}, {@code random}). */
    public static MaskShape parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (MaskShape s : values()) {
            if (s.label.equals(t) || s.alias.equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown mask shape '" + text + "' (expected block16x16, row1x64 or random; "
                + "also block16, row64, element)");
    }

    /**
     * The blocks of a benchmark's masks from text: a {@link MaskShape} name or alias (random and
     * element entries are 1×1 blocks), {@code block32}, or any {@code RxC} ({@link BlockShape#parse}).
     */
    public static BlockShape blockOf(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("block32")) {
            return new BlockShape(32, 32);
        }
        for (MaskShape s : values()) {
            if (s.label.equals(t) || s.alias.equals(t)) {
                return s.block;
            }
        }
        try {
            return BlockShape.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a mask shape must be block16, block32, row64, element or RxC (e.g. 16x16), got '"
                    + text + "'");
        }
    }
}
