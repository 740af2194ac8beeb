package org.rlcasino.optimizer;

/**
 * The shape of one block of a Block Sparse Row layout: {@code rows × columns} entries of a 2-D
 * tensor. {@code 16×16} is the default; {@code 1×k} gives row segments of k entries.
 */
public record BlockShape(int rows, int columns) {
    public static final BlockShape DEFAULT = new BlockShape(16, 16);

    public BlockShape {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("block shape must be at least 1x1, got " + rows + "x" + columns);
        }
    }

    /** Parses {@code "16x16"} or {@code "1x64"}. */
    public static BlockShape parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("block shape must look like 16x16 or 1x64, got '" + text + "'");
        }
        try {
            return new BlockShape(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("block shape must look like 16x16 or 1x64, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return rows + "x" + columns;
    }
}
