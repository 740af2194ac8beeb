package org.rlcasino.tokenizers;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a pre-tokenizer does with the matches of its pattern in a piece of text (Hugging Face's
 * {@code SplitDelimiterBehavior}). The piece is first cut into alternating match and non-match
 * spans that cover it; then, for the text {@code "a-b"} split on {@code "-"}:
 * ISOLATED {@code a | - | b}, REMOVED {@code a | b}, MERGED_WITH_PREVIOUS {@code a- | b},
 * MERGED_WITH_NEXT {@code a | -b}, CONTIGUOUS (runs of matches merged) {@code a | - | b}.
 * Empty spans are dropped.
 */
enum SplitBehavior {
    ISOLATED, REMOVED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS;

    /** The behaviour of its tokenizer.json name ({@code "Isolated"}, {@code "MergedWithPrevious"}, …), or null. */
    static SplitBehavior ofJsonName(String name) {
        for (SplitBehavior b : values()) {
            if (b.jsonName().equals(name)) {
                return b;
            }
        }
        return null;
    }

    String jsonName() {
        StringBuilder s = new StringBuilder();
        for (String part : name().split("_")) {
            s.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return s.toString();
    }

    /** Splits {@code text} at the matches of {@code pattern} (inverted: at its non-matches) into {@code out}. */
    void split(String text, Pattern pattern, boolean invert, List<String> out) {
        Matcher m = pattern.matcher(text);
        Spans spans = new Spans(text, this, invert, out);
        while (m.find()) {
            spans.match(m.start(), m.end());
        }
        spans.finish();
    }

    /** Splits {@code text} at each code point that is a match of {@code isMatch} (one match per code point). */
    void split(String text, java.util.function.IntPredicate isMatch, List<String> out) {
        Spans spans = new Spans(text, this, false, out);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isMatch.test(cp)) {
                spans.match(i, next);
            }
            i = next;
        }
        spans.finish();
    }

    /**
     * Receives the matches in order and emits the pieces. Mirrors {@code NormalizedString::split}: a
     * span list of (start, end, isMatch) folded by the behaviour; one span of look-behind suffices.
     */
    private static final class Spans {
        private final String text;
        private final SplitBehavior behavior;
        private final boolean invert;
        private final List<String> out;
        private int prevEnd;
        // the span being built (MergedWithPrevious, Contiguous) or the pending non-match (MergedWithNext)
        private int openStart = -1;
        private int openEnd;
        private boolean previousMatch;

        Spans(String text, SplitBehavior behavior, boolean invert, List<String> out) {
            this.text = text;
            this.behavior = behavior;
            this.invert = invert;
            this.out = out;
        }

        void match(int start, int end) {
            if (start > prevEnd) {
                span(prevEnd, start, invert);
            }
            span(start, end, !invert);
            prevEnd = end;
        }

        void finish() {
            if (prevEnd < text.length()) {
                span(prevEnd, text.length(), invert);
            }
            flush();
        }

        private void span(int start, int end, boolean isMatch) {
            switch (behavior) {
                case ISOLATED -> emit(start, end);
                case REMOVED -> {
                    if (!isMatch) {
                        emit(start, end);
                    }
                }
                case MERGED_WITH_PREVIOUS -> {
                    if (isMatch && !previousMatch && openStart >= 0) {
                        openEnd = end;
                    } else {
                        flush();
                        openStart = start;
                        openEnd = end;
                    }
                }
                case CONTIGUOUS -> {
                    if (isMatch == previousMatch && openStart >= 0) {
                        openEnd = end;
                    } else {
                        flush();
                        openStart = start;
                        openEnd = end;
                    }
                }
                case MERGED_WITH_NEXT -> {
                    // HF folds from the right: a match joins the span after it when that span is a
                    // non-match. Left to right: a match is held open until the next span is seen.
                    if (!isMatch && openStart >= 0) {
                        openEnd = end;
                        flush();
                    } else {
                        flush();
                        if (isMatch) {
                            openStart = start;
                            openEnd = end;
                        } else {
                            emit(start, end);
                        }
                    }
                }
            }
            previousMatch = isMatch;
        }

        private void flush() {
            if (openStart >= 0) {
                emit(openStart, openEnd);
                openStart = -1;
            }
        }

        private void emit(int start, int end) {
            if (end > start) {
                out.add(text.substring(start, end));
            }
        }
    }
}
