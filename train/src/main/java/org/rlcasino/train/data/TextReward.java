package org.rlcasino.train.data;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reward of a prompt dataset's completions (GRPO), computed from the completion's text and the
 * row's reference answer. Two kinds, as the recipes TRL users run:
 * <ul>
 *   <li>{@link #exactMatch()}: 1 when the completion's final answer equals the reference answer,
 *       else 0. The final answer is the content of the last {@code \boxed{…}} (braces balanced) when
 *       the completion has one, else its last number, else the whole text trimmed. Numbers compare
 *       by value after removing thousands separators, {@code $} and spaces ({@code "1,000"} = {@code
 *       "1000.0"}); other answers compare as trimmed text with runs of whitespace collapsed. The
 *       reference answer is its own last {@code \boxed{…}} if it has one, else its whole text.</li>
 *   <li>{@link #format(String)}: 1 when the whole completion matches a regular expression (Java
 *       syntax, {@code DOTALL}: {@code .} matches line breaks), else 0 — a format reward such as
 *       {@code <think>.*</think>.*}.</li>
 * </ul>
 */
public interface TextReward {
    /** The reward of {@code completion} for a row whose reference answer is {@code answer} (null when it has none). */
    double score(String completion, String answer);

    /** The last {@code \boxed{…}}, else the last number, else the trimmed text. */
    static TextReward exactMatch() {
        return (completion, answer) -> {
            if (answer == null) {
                throw new IllegalArgumentException("an exact-match reward needs the dataset's answer column");
            }
            String reference = lastBoxed(answer);
            return sameAnswer(finalAnswer(completion), reference != null ? reference : answer) ? 1 : 0;
        };
    }

    /** 1 when the whole completion matches {@code regex} (DOTALL). */
    static TextReward format(String regex) {
        Pattern p;
        try {
            p = Pattern.compile(regex, Pattern.DOTALL);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("reward pattern '" + regex + "' is not a valid regular expression: "
                    + e.getDescription());
        }
        return (completion, answer) -> p.matcher(completion).matches() ? 1 : 0;
    }

    /** A reward by name: {@code exact-match}, or {@code format} with its pattern. */
    static TextReward parse(String name, String pattern) {
        return switch (name == null ? "exact-match" : name.toLowerCase(Locale.ROOT)) {
            case "exact-match" -> exactMatch();
            case "format" -> {
                if (pattern == null) {
                    throw new IllegalArgumentException("a format reward needs a pattern");
                }
                yield format(pattern);
            }
            default -> throw new IllegalArgumentException("reward must be 'exact-match' or 'format', got '" + name + "'");
        };
    }

    /** What a text answers: its last \boxed{…}, else its last number, else itself trimmed. */
    static String finalAnswer(String text) {
        String boxed = lastBoxed(text);
        if (boxed != null) {
            return boxed.strip();
        }
        Matcher m = Holder.NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return last != null ? last : text.strip();
    }

    /** The content of the last {@code \boxed{…}} with balanced braces, or null. */
    static String lastBoxed(String text) {
        int at = text.lastIndexOf("\\boxed{");
        while (at >= 0) {
            int depth = 0;
            int start = at + "\\boxed{".length();
            for (int i = start; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    if (depth == 0) {
                        return text.substring(start, i);
                    }
                    depth--;
                }
            }
            at = text.lastIndexOf("\\boxed{", at - 1); // unbalanced: try an earlier one
        }
        return null;
    }

    /** Equal as numbers when both are numbers, else as whitespace-collapsed text. */
    static boolean sameAnswer(String a, String b) {
        BigDecimal x = number(a);
        BigDecimal y = number(b);
        if (x != null && y != null) {
            return x.compareTo(y) == 0;
        }
        return a.strip().replaceAll("\\s+", " ").equals(b.strip().replaceAll("\\s+", " "));
    }

    /** {@code s} as a number once separators, {@code $} and spaces are removed, or null. */
    static BigDecimal number(String s) {
        String t = s.replace(",", "").replace("$", "").replaceAll("\\s+", "");
        if (!Holder.WHOLE_NUMBER.matcher(t).matches()) {
            return null;
        }
        return new BigDecimal(t.startsWith("+") ? t.substring(1) : t);
    }

    /** The patterns, compiled once. */
    final class Holder {
        static final Pattern NUMBER = Pattern.compile("[-+]?\\$?\\d[\\d,]*(?:\\.\\d+)?");
        static final Pattern WHOLE_NUMBER = Pattern.compile("[-+]?\\d+(?:\\.\\d+)?");

        private Holder() {}
    }
}
