package org.rlcasino.train.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlcasino.io.AtomicFileWriter;

/**
 * A character-level tokenizer: one token per character of its vocabulary, plus an end token (id 0)
 * that closes every answer. Saved as {@code tokenizer.json} beside a checkpoint's {@code config.json}:
 * <pre>{"type": "rlcasino-char", "version": 1, "end_token": "&lt;|endoftext|&gt;", "vocab": ["&lt;|endoftext|&gt;", "0", "1", …]}</pre>
 * where a token's id is its position in {@code vocab}.
 */
public final class CharTokenizer {
    public static final String FILE_NAME = "tokenizer.json";
    public static final String END_TOKEN = "<|endoftext|>";
    public static final int END = 0;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> vocab;
    private final Map<Character, Integer> ids = new HashMap<>();

    /** A tokenizer over {@code characters} (distinct), with the end token as id 0. */
    public CharTokenizer(String characters) {
        List<String> v = new ArrayList<>();
        v.add(END_TOKEN);
        for (char c : characters.toCharArray()) {
            if (ids.put(c, v.size()) != null) {
                throw new IllegalArgumentException("character '" + c + "' appears twice in the vocabulary");
            }
            v.add(String.valueOf(c));
        }
        this.vocab = List.copyOf(v);
    }

    /** The tokenizer of the embedded tasks: digits, '+', '=', 'r' (reverse), 's' (sort). */
    public static CharTokenizer tasks() {
        return new CharTokenizer("0123456789+=rs");
    }

    public int vocabSize() {
        return vocab.size();
    }

    public List<String> vocab() {
        return vocab;
    }

    public int[] encode(String text) {
        int[] out = new int[text.length()];
        for (int i = 0; i < out.length; i++) {
            Integer id = ids.get(text.charAt(i));
            if (id == null) {
                throw new IllegalArgumentException("character '" + text.charAt(i) + "' of \"" + text
                        + "\" is not in the vocabulary " + String.join("", vocab.subList(1, vocab.size())));
            }
            out[i] = id;
        }
        return out;
    }

    /** The text of {@code tokens} up to (not including) the first end token. */
    public String decode(int[] tokens) {
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) {
            if (t == END) {
                break;
            }
            if (t < 0 || t >= vocab.size()) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary of " + vocab.size());
            }
            sb.append(vocab.get(t));
        }
        return sb.toString();
    }

    public void save(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("type", "rlcasino-char");
        root.put("version", 1);
        root.put("end_token", END_TOKEN);
        ArrayNode array = root.putArray("vocab");
        vocab.forEach(array::add);
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        AtomicFileWriter.write(file, out -> out.write(bytes));
    }

    public static CharTokenizer load(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no tokenizer.json (a trainer checkpoint has one beside config.json)");
        }
        if (root == null || !"rlcasino-char".equals(root.path("type").asText()) || !root.path("vocab").isArray()) {
            throw new IllegalArgumentException(file + ": not a character tokenizer (expected \"type\": \"rlcasino-char\" and a \"vocab\" array)");
        }
        JsonNode vocab = root.get("vocab");
        if (vocab.isEmpty() || !END_TOKEN.equals(vocab.get(0).asText())) {
            throw new IllegalArgumentException(file + ": vocab[0] must be the end token " + END_TOKEN);
        }
        StringBuilder chars = new StringBuilder();
        for (int i = 1; i < vocab.size(); i++) {
            String s = vocab.get(i).asText();
            if (s.length() != 1) {
                throw new IllegalArgumentException(file + ": vocab[" + i + "] must be one character, got \"" + s + "\"");
            }
            chars.append(s);
        }
        return new CharTokenizer(chars.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharTokenizer t && t.vocab.equals(vocab);
    }

    @Override
    public int hashCode() {
        return vocab.hashCode();
    }
}
