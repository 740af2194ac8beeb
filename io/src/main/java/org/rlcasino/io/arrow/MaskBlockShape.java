package org.rlcasino.io.arrow;

/** Block (BSR) shape of a mask tensor's matrix view: {@code rows × columns} entries per block, each ≥ 1. */
public record MaskBlockShape(int rows, int columns) {
    public MaskBlockShape {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("block shape must be at least 1x1, got " + rows + "x" + columns);
        }
    }

    /** The largest block side accepted from text (run-configs, options). */
    public static final int MAX_SIDE = 4096;

    /**
     * Parses {@code RxC} (e.g. {@code 16x16}, {@code 1x64}), both sides in [1, {@value #MAX_SIDE}].
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static MaskBlockShape parse(String text) {
        java.util.regex.Matcher m = text == null ? null
                : java.util.regex.Pattern.compile("([0-9]{1,9})x([0-9]{1,9})").matcher(text.strip().toLowerCase(java.util.Locale.ROOT));
        if (m != null && m.matches()) {
            int rows = Integer.parseInt(m.group(1));
            int columns = Integer.parseInt(m.group(2));
            if (rows >= 1 && rows <= MAX_SIDE && columns >= 1 && columns <= MAX_SIDE) {
                return new MaskBlockShape(rows, columns);
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
