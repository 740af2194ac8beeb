package org.rlcasino.tokenizers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The added tokens and how Hugging Face finds them in text ({@code AddedVocabulary}): the text is
 * cut at matches of the non-normalized added tokens; each remaining stretch is normalized and cut at
 * matches of the normalized ones (whose contents were normalized too). Matching is leftmost-longest
 * and non-overlapping (Aho-Corasick's LeftmostLongest), then filtered and widened per token:
 * {@code single_word} drops a match with an alphanumeric code point right before or after it,
 * {@code lstrip}/{@code rstrip} take in the whitespace before/after it.
 */
final class AddedVocabulary {
    /** A stretch of text {@code [start, end)}: an added token's id, or -1 for text to encode. */
    record Segment(int start, int end, int id) {}

    private final Map<String, AddedToken> byContent = new HashMap<>();
    private final Map<Integer, AddedToken> byId = new HashMap<>();
    /** What decode writes for an id: the content, normalized for a normalized token (as Hugging Face's id_to_token). */
    private final Map<Integer, String> decodedById = new HashMap<>();
    private final Set<String> specialContents = new HashSet<>();
    private final Trie raw = new Trie();
    private final Trie normalized = new Trie();

    /** {@code tokens}' ids must already be the final ones; normalized tokens' contents are normalized with {@code normalizer} (may be null). */
    AddedVocabulary(List<AddedToken> tokens, Normalizer normalizer) {
        for (AddedToken t : tokens) {
            byContent.put(t.content(), t);
            byId.put(t.id(), t);
            if (t.special()) {
                specialContents.add(t.content());
            }
            if (t.normalized()) {
                String key = normalizer == null ? t.content() : normalizer.normalize(t.content());
                if (!key.isEmpty()) {
                    normalized.add(key, t);
                }
                decodedById.put(t.id(), key);
            } else {
                raw.add(t.content(), t);
                decodedById.put(t.id(), t.content());
            }
        }
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The added token with this content, or null. */
    AddedToken byContent(String content) {
        return byContent.get(content);
    }

    /** The added token with this id, or null. */
    AddedToken byId(int id) {
        return byId.get(id);
    }

    /** The text decode writes for added token {@code id} (its content, normalized if it is a normalized token), or null. */
    String decoded(int id) {
        return decodedById.get(id);
    }

    boolean isSpecial(String content) {
        return specialContents.contains(content);
    }

    int maxId() {
        int max = -1;
        for (int id : byId.keySet()) {
            max = Math.max(max, id);
        }
        return max;
    }

    /** {@code text} (raw) cut at the non-normalized added tokens. */
    List<Segment> splitRaw(String text) {
        return split(text, raw);
    }

    /** {@code text} (normalized) cut at the normalized added tokens. */
    List<Segment> splitNormalized(String text) {
        return split(text, normalized);
    }

    private static List<Segment> split(String s, Trie trie) {
        List<Segment> out = new ArrayList<>(4);
        if (trie.isEmpty() || s.isEmpty()) {
            out.add(new Segment(0, s.length(), -1));
            return out;
        }
        int startOffset = 0;
        int from = 0;
        long match;
        while ((match = trie.leftmostLongest(s, from)) >= 0) {
            int start = (int) (match >>> 32);
            int stop = (int) match;
            AddedToken t = trie.tokenAt(s, start, stop);
            from = stop; // the search goes on after the match itself, whatever lstrip/rstrip take in
            if (t.singleWord()) {
                boolean spaceBefore = start == 0 || !UnicodeClasses.isAlphanumeric(s.codePointBefore(start));
                boolean spaceAfter = stop == s.length() || !UnicodeClasses.isAlphanumeric(s.codePointAt(stop));
                if (!spaceBefore || !spaceAfter) {
                    continue;
                }
            }
            if (t.lstrip()) {
                int newStart = start;
                while (newStart > 0 && UnicodeClasses.isWhitespace(s.codePointBefore(newStart))) {
                    newStart -= Character.charCount(s.codePointBefore(newStart));
                }
                start = Math.max(newStart, startOffset);
            }
            if (t.rstrip()) {
                while (stop < s.length() && UnicodeClasses.isWhitespace(s.codePointAt(stop))) {
                    stop += Character.charCount(s.codePointAt(stop));
                }
            }
            if (start > startOffset) {
                out.add(new Segment(startOffset, start, -1));
            }
            out.add(new Segment(start, stop, t.id()));
            startOffset = stop;
        }
        if (startOffset != s.length()) {
            out.add(new Segment(startOffset, s.length(), -1));
        }
        return out;
    }

    /** A character trie of token contents. */
    private static final class Trie {
        private final Node root = new Node();
        private final boolean[] firstChars = new boolean[0x10000];
        private boolean empty = true;

        private static final class Node {
            Map<Character, Node> children;
            AddedToken token;
        }

        void add(String content, AddedToken token) {
            Node node = root;
            for (int i = 0; i < content.length(); i++) {
                if (node.children == null) {
                    node.children = new HashMap<>(4);
                }
                node = node.children.computeIfAbsent(content.charAt(i), c -> new Node());
            }
            if (node.token == null) { // the first of equal contents wins, as Aho-Corasick's first pattern does
                node.token = token;
            }
            firstChars[content.charAt(0)] = true;
            empty = false;
        }

        boolean isEmpty() {
            return empty;
        }

        /** (start << 32 | end) of the leftmost-longest match at or after {@code from}, or -1. */
        long leftmostLongest(String s, int from) {
            for (int i = from; i < s.length(); i++) {
                if (!firstChars[s.charAt(i)]) {
                    continue;
                }
                Node node = root;
                int end = -1;
                for (int j = i; j < s.length() && node.children != null; j++) {
                    node = node.children.get(s.charAt(j));
                    if (node == null) {
                        break;
                    }
                    if (node.token != null) {
                        end = j + 1;
                    }
                }
                if (end >= 0) {
                    return ((long) i << 32) | end;
                }
            }
            return -1;
        }

        AddedToken tokenAt(String s, int start, int end) {
            Node node = root;
            for (int j = start; j < end; j++) {
                node = node.children.get(s.charAt(j));
            }
            return node.token;
        }
    }
}
