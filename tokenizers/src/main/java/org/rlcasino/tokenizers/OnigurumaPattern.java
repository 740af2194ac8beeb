package org.rlcasino.tokenizers;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a regular expression of a tokenizer.json (written for Oniguruma, which Hugging Face
 * tokenizers uses, in Ruby syntax) as a {@link Pattern} that matches the same text.
 *
 * <p>The patterns in use (GPT-2's, Llama 3's, Qwen's: {@code (?i:'s|'t|…)}, {@code \p{L}},
 * {@code \p{N}}, {@code [^\r\n\p{L}\p{N}]?\p{L}+}, {@code \s+(?!\S)}) have the same syntax in both;
 * what differs is the meaning of the classes. Oniguruma's {@code \s}, {@code \d}, {@code \w} are
 * Unicode-aware ({@code \s} is White_Space, so U+00A0, U+3000, U+0085 and U+2028 are spaces) and its
 * {@code (?i)} folds Unicode case; Java gets both with {@link Pattern#UNICODE_CHARACTER_CLASS}. The
 * one syntax difference that could matter, Ruby's {@code \h} (a hex digit; Java: horizontal space),
 * is translated. Conformance on the corpus is tested for every pattern of the real and trained
 * tokenizers.
 */
final class OnigurumaPattern {
    private OnigurumaPattern() {}

    /** GPT-2's pre-tokenization pattern, used by the ByteLevel pre-tokenizer with {@code use_regex}. */
    static final Pattern GPT2 = compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    /** The Java pattern for Oniguruma pattern {@code regex}; IllegalArgumentException naming it if Java cannot compile it. */
    static Pattern compile(String regex) {
        String java = translate(regex);
        try {
            return Pattern.compile(java, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("regex " + quote(regex) + " is not supported (Java's regex engine reads it as: "
                    + e.getDescription() + ")");
        }
    }

    /** Quoted for a message: at most 80 characters. */
    static String quote(String regex) {
        return "'" + (regex.length() > 80 ? regex.substring(0, 77) + "..." : regex) + "'";
    }

    private static String translate(String regex) {
        if (!regex.contains("\\h") && !regex.contains("\\H")) {
            return regex;
        }
        StringBuilder out = new StringBuilder(regex.length() + 16);
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                char d = regex.charAt(i + 1);
                if (d == 'h') {
                    out.append(inClass ? "0-9a-fA-F" : "[0-9a-fA-F]");
                } else if (d == 'H' && !inClass) {
                    out.append("[^0-9a-fA-F]");
                } else {
                    out.append(c).append(d);
                }
                i++;
                continue;
            }
            if (c == '[') {
                inClass = true;
            } else if (c == ']') {
                inClass = false;
            }
            out.append(c);
        }
        return out.toString();
    }
}
