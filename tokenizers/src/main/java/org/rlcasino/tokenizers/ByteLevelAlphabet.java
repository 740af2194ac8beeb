package org.rlcasino.tokenizers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-level alphabet ({@code bytes_to_unicode}): each of the 256 byte values is one printable
 * character, so that every UTF-8 string becomes a string of such characters, one per byte. The
 * printable bytes {@code '!'..'~'}, {@code '¡'..'¬'} and {@code '®'..'ÿ'} stand for themselves; the
 * n-th other byte (in increasing order) becomes {@code U+0100 + n} (space, 0x20, becomes {@code 'Ġ'}).
 */
final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Byte value of each alphabet character, indexed by char; -1 for characters outside it. */
    private static final int[] CHAR_TO_BYTE = new int[0x200];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (0x100 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {}

    /** The alphabet character of byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** {@code text}'s UTF-8 bytes, each written as its alphabet character. */
    static String encode(String text) {
        int n = text.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = text.charAt(i) < 0x80;
        }
        if (ascii) {
            char[] out = new char[n];
            for (int i = 0; i < n; i++) {
                out[i] = BYTE_TO_CHAR[text.charAt(i)];
            }
            return new String(out);
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8); // text is well-formed UTF-16 here
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * Appends the bytes {@code token} stands for to {@code out}: its alphabet characters' bytes, or, if
     * any character is outside the alphabet (an added token such as {@code <|eot_id|>} may be), the
     * token's own UTF-8 bytes, as Hugging Face's ByteLevel decoder does.
     */
    static void decodeInto(String token, ByteArrayOutputStream out) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) {
                out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        for (int i = 0; i < token.length(); i++) {
            out.write(CHAR_TO_BYTE[token.charAt(i)]);
        }
    }
}
