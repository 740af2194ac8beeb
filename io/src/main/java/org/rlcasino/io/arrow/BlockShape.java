package org.rlcasino.io.arrow;

import java.util.Locale;

/**
 * The shape of one block of a Block Sparse Row (BSR) layout: {@code rows × columns} entries of a
 * tensor's matrix view, each side ≥ 1 (blocks at the right and bottom edges are clipped). The one
 * block-shape type of the project: mask files store it, mask builders and run-configs parse it,
 * BSR-AdamW lays out its state by it. {@code 16×16} is the default; {@code 1×k} and {@code k×1}
 * are row and column stripes.
 */
public record BlockShape(int rows, int columns) {
    /** 16×16 blocks. */
    public static final BlockShape DEFAULT = new BlockShape(16, 16);
    /** The largest block side accepted from text (run-configs, options). */
    public static final int MAX_SIDE = 4096;

    public BlockShape {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("block shape must be at least 1x1, got " + rows + "x" + columns);
        }
    }

    /**
     * Parses {@code RxC} (e.g. {@code 16x16}, {@code 1x64}; case and spaces around the parts
     * ignored), both sides in [1, {@value #MAX_SIDE}].
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static BlockShape parse(String text) {
        String[] parts = text == null ? new String[0] : text.strip().toLowerCase(Locale.ROOT).split("x", -1);
        if (parts.length == 2 && parts[0].strip().matches("[0-9]{1,9}") && parts[1].strip().matches("[0-9]{1,9}")) {
            int rows = Integer.parseInt(parts[0].strip());
            int columns = Integer.parseInt(parts[1].strip());
            if (rows >= 1 && rows <= MAX_SIDE && columns >= 1 && columns <= MAX_SIDE) {
                return new BlockShape(rows, columns);
            }
        }
        throw new IllegalArgumentException("a block shape must be RxC with sides in [1, " + MAX_SIDE + "] (16x16, 32x32, "
                + "1x64, 64x1), got '" + text + "'");
    }

    /** Whether rows = columns. */
    public boolean square() {
        return rows == columns;
    }

    @Override
    public String toString() {
        return rows + "x" + columns;
    }
}
