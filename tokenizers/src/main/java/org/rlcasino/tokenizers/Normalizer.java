package org.rlcasino.tokenizers;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tokenizer.json {@code normalizer}: rewrites each stretch of text between added tokens before
 * pre-tokenization. Offsets are not kept (only ids are produced).
 */
sealed interface Normalizer {
    /** The normalized {@code text}. */
    String normalize(String text);

    /** NFC, NFD, NFKC or NFKD: {@link java.text.Normalizer}. */
    record Unicode(java.text.Normalizer.Form form) implements Normalizer {
        @Override
        public String normalize(String text) {
            return java.text.Normalizer.normalize(text, form);
        }
    }

    /** Each code point lower-cased on its own, as Rust's {@code char::to_lowercase} ('İ' → "i̇", no final-sigma rule). */
    record Lowercase() implements Normalizer {
        @Override
        public String normalize(String text) {
            StringBuilder out = null;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                int n = Character.charCount(cp);
                String lower = cp < 0x80 ? null : new String(Character.toChars(cp)).toLowerCase(Locale.ROOT);
                boolean changed = cp < 0x80 ? (cp >= 'A' && cp <= 'Z') : !lower.equals(text.substring(i, i + n));
                if (changed && out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                if (out != null) {
                    if (cp < 0x80) {
                        out.append((char) (changed ? cp + 32 : cp));
                    } else {
                        out.append(lower);
                    }
                }
                i += n;
            }
            return out == null ? text : out.toString();
        }
    }

    /** Every match of {@code pattern} (a literal or an Oniguruma regex) replaced by the literal {@code content}. */
    record Replace(Pattern pattern, String content) implements Normalizer {
        @Override
        public String normalize(String text) {
            Matcher m = pattern.matcher(text);
            return m.find() ? m.replaceAll(Matcher.quoteReplacement(content)) : text;
        }
    }

    /** {@code prefix} put before non-empty text. */
    record Prepend(String prefix) implements Normalizer {
        @Override
        public String normalize(String text) {
            return text.isEmpty() ? text : prefix + text;
        }
    }

    /** Leading and/or trailing whitespace (Rust's {@code char::is_whitespace}) removed. */
    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public String normalize(String text) {
            int start = 0;
            int end = text.length();
            while (left && start < end && UnicodeClasses.isWhitespace(text.codePointAt(start))) {
                start += Character.charCount(text.codePointAt(start));
            }
            while (right && end > start && UnicodeClasses.isWhitespace(text.codePointBefore(end))) {
                end -= Character.charCount(text.codePointBefore(end));
            }
            return text.substring(start, end);
        }
    }

    /** The normalizers applied in order. */
    record Sequence(List<Normalizer> normalizers) implements Normalizer {
        public Sequence {
            normalizers = List.copyOf(normalizers);
        }

        @Override
        public String normalize(String text) {
            for (Normalizer n : normalizers) {
                text = n.normalize(text);
            }
            return text;
        }
    }
}
