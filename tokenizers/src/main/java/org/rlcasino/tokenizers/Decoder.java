package org.rlcasino.tokenizers;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tokenizer.json {@code decoder}: turns the tokens of ids back into text pieces, which decode then
 * concatenates (Hugging Face's {@code decode_chain}).
 */
sealed interface Decoder {
    /** The decoded pieces of {@code tokens}. */
    List<String> decodeChain(List<String> tokens);

    /** All tokens' bytes in the {@link ByteLevelAlphabet}, decoded as UTF-8 at once (invalid bytes become U+FFFD). */
    record ByteLevel() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) {
                ByteLevelAlphabet.decodeInto(t, bytes);
            }
            return List.of(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Runs of byte tokens {@code <0xAB>} become the text of their bytes; a run that is not valid UTF-8
     * becomes one U+FFFD per byte.
     */
    record ByteFallback() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            for (String t : tokens) {
                int b = byteOf(t);
                if (b >= 0) {
                    run.write(b);
                    continue;
                }
                flush(run, out);
                out.add(t);
            }
            flush(run, out);
            return out;
        }

        /** The byte of a token {@code <0xAB>} (two hex digits, or '+' and one, as Rust's {@code from_str_radix} reads them), or -1. */
        private static int byteOf(String t) {
            if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') {
                return -1;
            }
            char a = t.charAt(3);
            int lo = Character.digit(t.charAt(4), 16);
            int hi = a == '+' ? 0 : Character.digit(a, 16);
            return hi < 0 || lo < 0 ? -1 : 16 * hi + lo;
        }

        private static void flush(ByteArrayOutputStream run, List<String> out) {
            if (run.size() == 0) {
                return;
            }
            byte[] bytes = run.toByteArray();
            run.reset();
            try {
                out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                out.add("\uFFFD".repeat(bytes.length));
            }
        }
    }

    /** All tokens joined into one. */
    record Fuse() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** In every token, each match of {@code pattern} replaced by the literal {@code content}. */
    record Replace(Pattern pattern, String content) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            String replacement = Matcher.quoteReplacement(content);
            for (String t : tokens) {
                out.add(pattern.matcher(t).replaceAll(replacement));
            }
            return out;
        }
    }

    /** From every token, up to {@code start} leading and {@code stop} trailing {@code content} code points removed. */
    record Strip(int content, int start, int stop) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                int[] cps = t.codePoints().toArray();
                int from = 0;
                while (from < Math.min(start, cps.length) && cps[from] == content) {
                    from++;
                }
                int to = cps.length;
                while (cps.length - to < stop && to > from && cps[to - 1] == content) {
                    to--;
                }
                out.add(new String(cps, from, to - from));
            }
            return out;
        }
    }

    /**
     * Every {@code replacement} becomes a space, except in the first token, where it is dropped unless
     * the scheme is NEVER (Hugging Face drops every one there, not only the leading one).
     */
    record Metaspace(int replacement, PreTokenizer.PrependScheme prependScheme) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            String rep = Character.toString(replacement);
            for (int i = 0; i < tokens.size(); i++) {
                boolean drop = i == 0 && prependScheme != PreTokenizer.PrependScheme.NEVER;
                out.add(tokens.get(i).replace(rep, drop ? "" : " "));
            }
            return out;
        }
    }

    /** The decoders applied in order. */
    record Sequence(List<Decoder> decoders) implements Decoder {
        public Sequence {
            decoders = List.copyOf(decoders);
        }

        @Override
        public List<String> decodeChain(List<String> tokens) {
            for (Decoder d : decoders) {
                tokens = d.decodeChain(tokens);
            }
            return tokens;
        }
    }
}
