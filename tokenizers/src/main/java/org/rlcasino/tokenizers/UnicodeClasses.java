package org.rlcasino.tokenizers;

/**
 * The character classes Hugging Face tokenizers takes from Rust's {@code char}, which differ from
 * {@link Character}'s: {@code is_whitespace} is the Unicode White_Space property (Java's
 * {@code isWhitespace} leaves out no-break spaces and includes U+001C..U+001F), {@code is_numeric}
 * is the general categories Nd, Nl and No, and {@code is_alphanumeric} is Alphabetic or numeric.
 */
final class UnicodeClasses {
    private UnicodeClasses() {}

    /** Rust's {@code char::is_whitespace}: Unicode White_Space. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** Rust's {@code char::is_numeric}: general category Nd, Nl or No. */
    static boolean isNumeric(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /** Rust's {@code char::is_alphanumeric}: Alphabetic or numeric. */
    static boolean isAlphanumeric(int cp) {
        return Character.isAlphabetic(cp) || isNumeric(cp);
    }

    /**
     * {@code text} as well-formed UTF-16: each lone surrogate becomes U+FFFD, as a lossy conversion to
     * UTF-8 (Rust's {@code String::from_utf16_lossy}) does. Hugging Face tokenizers only ever sees
     * well-formed text (a Rust {@code String}), so this is what the Java tokenizer encodes.
     */
    static String wellFormed(String text) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i += 2;
                    continue;
                }
                break;
            }
            i++;
        }
        if (i == n) {
            return text;
        }
        StringBuilder out = new StringBuilder(n).append(text, 0, i);
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
