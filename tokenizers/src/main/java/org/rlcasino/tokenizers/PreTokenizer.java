package org.rlcasino.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A tokenizer.json {@code pre_tokenizer}: cuts normalized text into pre-tokens, each of which the
 * model encodes on its own. Empty pieces are dropped, as Hugging Face does.
 */
sealed interface PreTokenizer {
    /**
     * The pre-tokens of {@code pieces}. {@code firstAtTextStart}: the first piece begins at offset 0
     * of the text passed to encode (for Metaspace's {@code prepend_scheme: "first"}).
     */
    List<String> preTokenize(List<String> pieces, boolean firstAtTextStart);

    /** How Metaspace puts its replacement character before a piece. */
    enum PrependScheme {
        /** Before every piece that does not start with it. */
        ALWAYS,
        /** Only before the piece at the start of the text. */
        FIRST,
        /** Never. */
        NEVER
    }

    /**
     * GPT-2's byte-level pre-tokenizer: optionally a space before each piece that does not start
     * with one ({@code add_prefix_space}), optionally a split with GPT-2's pattern ({@code use_regex},
     * ISOLATED), then every piece written in the {@link ByteLevelAlphabet}.
     */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        @Override
        public List<String> preTokenize(List<String> pieces, boolean firstAtTextStart) {
            List<String> out = new ArrayList<>(useRegex ? 4 * pieces.size() : pieces.size());
            for (String piece : pieces) {
                String p = addPrefixSpace && !piece.startsWith(" ") ? " " + piece : piece;
                if (useRegex) {
                    int from = out.size();
                    SplitBehavior.ISOLATED.split(p, OnigurumaPattern.GPT2, false, out);
                    for (int i = from; i < out.size(); i++) {
                        out.set(i, ByteLevelAlphabet.encode(out.get(i)));
                    }
                } else {
                    out.add(ByteLevelAlphabet.encode(p));
                }
            }
            return out;
        }
    }

    /** Splits at the matches of {@code pattern} (a literal or an Oniguruma regex), or at its non-matches if {@code invert}. */
    record Split(Pattern pattern, SplitBehavior behavior, boolean invert) implements PreTokenizer {
        @Override
        public List<String> preTokenize(List<String> pieces, boolean firstAtTextStart) {
            List<String> out = new ArrayList<>(4 * pieces.size());
            for (String piece : pieces) {
                behavior.split(piece, pattern, invert, out);
            }
            return out;
        }
    }

    /**
     * SentencePiece's whitespace handling: every space becomes {@code replacement} (usually '▁'),
     * the replacement is put before pieces by {@code prependScheme}, and if {@code split} each piece is
     * cut before every replacement character (MERGED_WITH_NEXT).
     */
    record Metaspace(int replacement, PrependScheme prependScheme, boolean split) implements PreTokenizer {
        @Override
        public List<String> preTokenize(List<String> pieces, boolean firstAtTextStart) {
            String rep = Character.toString(replacement);
            List<String> out = new ArrayList<>(4 * pieces.size());
            for (int i = 0; i < pieces.size(); i++) {
                String p = pieces.get(i).replace(" ", rep);
                boolean prepend = switch (prependScheme) {
                    case ALWAYS -> true;
                    case FIRST -> i == 0 && firstAtTextStart;
                    case NEVER -> false;
                };
                if (prepend && !p.startsWith(rep)) {
                    p = rep + p;
                }
                if (split) {
                    SplitBehavior.MERGED_WITH_NEXT.split(p, cp -> cp == replacement, out);
                } else if (!p.isEmpty()) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    /** Digits apart from the rest (numeric code points: Nd, Nl, No): each alone if {@code individualDigits}, else in runs. */
    record Digits(boolean individualDigits) implements PreTokenizer {
        @Override
        public List<String> preTokenize(List<String> pieces, boolean firstAtTextStart) {
            List<String> out = new ArrayList<>(4 * pieces.size());
            SplitBehavior behavior = individualDigits ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS;
            for (String piece : pieces) {
                behavior.split(piece, UnicodeClasses::isNumeric, out);
            }
            return out;
        }
    }

    /** The pre-tokenizers applied in order, each to all pieces of the one before. */
    record Sequence(List<PreTokenizer> preTokenizers) implements PreTokenizer {
        public Sequence {
            preTokenizers = List.copyOf(preTokenizers);
        }

        @Override
        public List<String> preTokenize(List<String> pieces, boolean firstAtTextStart) {
            for (PreTokenizer p : preTokenizers) {
                pieces = p.preTokenize(pieces, firstAtTextStart);
            }
            return pieces;
        }
    }
}
