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

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlcasino.io.AtomicFileWriter;

/**
 * A character-level tokenizer: one token per character of its vocabulary, plus an end token (id 0)
 * that closes every answer. Saved as a Hugging Face {@code tokenizers} file, {@code tokenizer.json},
 * beside a checkpoint's {@code config.json}, with a {@code tokenizer_config.json} beside it, so that
 * {@code AutoTokenizer.from_pretrained(dir)} loads it and encodes text to the same ids:
 * <pre>{"version": "1.0", "truncation": null, "padding": null,
 *  "added_tokens": [{"id": 0, "content": "&lt;|endoftext|&gt;", …, "special": true}],
 *  "normalizer": null,
 *  "pre_tokenizer": {"type": "Split", "pattern": {"String": ""}, "behavior": "Isolated", "invert": false},
 *  "post_processor": null, "decoder": {"type": "Fuse"},
 *  "model": {"type": "WordLevel", "vocab": {"&lt;|endoftext|&gt;": 0, "0": 1, "1": 2, …}, "unk_token": "&lt;|endoftext|&gt;"}}</pre>
 * The {@code Split} on the empty string isolates every character, the word-level model maps each
 * to its id, and the {@code Fuse} decoder joins tokens without spaces. As in GPT-2's tokenizer, the
 * end token is also the unknown token (Hugging Face encodes a character outside the vocabulary as
 * id 0, where {@link #encode} refuses it) and {@code tokenizer_config.json} names it as the bos, eos
 * and pad token. {@link #load} reads that file (also as {@code tokenizer.save_pretrained} rewrites
 * it) and the private format written before it:
 * <pre>{"type": "rlcasino-char", "version": 1, "end_token": "&lt;|endoftext|&gt;", "vocab": ["&lt;|endoftext|&gt;", "0", "1", …]}</pre>
 * where a token's id is its position in {@code vocab}.
 */
public final class CharTokenizer {
    public static final String FILE_NAME = "tokenizer.json";
    /** Written beside {@link #FILE_NAME} by {@link #save}: what {@code AutoTokenizer} reads besides it. */
    public static final String CONFIG_FILE_NAME = "tokenizer_config.json";
    public static final String END_TOKEN = "<|endoftext|>";
    public static final int END = 0;
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final List<String> vocab;
    private final Map<Character, Integer> ids = new HashMap<>();

    /** A tokenizer over {@code characters} (distinct, no surrogates), with the end token as id 0. */
    public CharTokenizer(String characters) {
        List<String> v = new ArrayList<>();
        v.add(END_TOKEN);
        for (char c : characters.toCharArray()) {
            if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format(
                        "character U+%04X is half of a surrogate pair: a character tokenizer holds characters of the Basic Multilingual Plane only", (int) c));
            }
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

    /**
     * Writes the Hugging Face {@code tokenizer.json} to {@code file} and {@code tokenizer_config.json}
     * beside it, both or neither (each atomically).
     */
    public void save(Path file) throws IOException {
        byte[] tokenizer = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(huggingFaceJson());
        byte[] config = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(huggingFaceConfig());
        try (AtomicFileWriter.Group group = AtomicFileWriter.group()) {
            AtomicFileWriter.write(group.stage(file), out -> out.write(tokenizer));
            AtomicFileWriter.write(group.stage(file.resolveSibling(CONFIG_FILE_NAME)), out -> out.write(config));
            group.commit();
        }
    }

    /** The content of {@code tokenizer.json}: a Hugging Face {@code tokenizers} file, format 1.0. */
    ObjectNode huggingFaceJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ObjectNode end = root.putArray("added_tokens").addObject();
        end.put("id", END);
        end.put("content", END_TOKEN);
        end.put("single_word", false);
        end.put("lstrip", false);
        end.put("rstrip", false);
        end.put("normalized", false);
        end.put("special", true);
        root.putNull("normalizer");
        root.set("pre_tokenizer", splitEveryCharacter());
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        model.put("unk_token", END_TOKEN);
        return root;
    }

    private static ObjectNode splitEveryCharacter() {
        ObjectNode split = JSON.createObjectNode();
        split.put("type", "Split");
        split.putObject("pattern").put("String", "");
        split.put("behavior", "Isolated");
        split.put("invert", false);
        return split;
    }

    /** The content of {@code tokenizer_config.json}. */
    private static ObjectNode huggingFaceConfig() {
        ObjectNode c = JSON.createObjectNode();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("bos_token", END_TOKEN);
        c.put("eos_token", END_TOKEN);
        c.put("unk_token", END_TOKEN);
        c.put("pad_token", END_TOKEN);
        c.put("clean_up_tokenization_spaces", false);
        return c;
    }

    /**
     * Reads a tokenizer that {@link #save} wrote (also after Hugging Face rewrote it), or the private
     * format of earlier versions. Anything else, e.g. another model's Hugging Face tokenizer, is
     * refused with an {@link IllegalArgumentException} naming the file and the problem.
     */
    public static CharTokenizer load(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no tokenizer.json (a trainer checkpoint has one beside config.json)");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root != null && "rlcasino-char".equals(root.path("type").asText())) {
            return loadPrivate(file, root);
        }
        if (root != null && root.path("model").isObject()) {
            return loadHuggingFace(file, root);
        }
        throw new IllegalArgumentException(file + ": not a character tokenizer (expected a Hugging Face tokenizer.json"
                + " with a \"model\", or \"type\": \"rlcasino-char\" and a \"vocab\" array)");
    }

    /** The format written before the Hugging Face one. */
    private static CharTokenizer loadPrivate(Path file, JsonNode root) {
        if (!root.path("vocab").isArray()) {
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
        return build(file, chars.toString());
    }

    private static CharTokenizer loadHuggingFace(Path file, JsonNode root) {
        String what = file + ": not the trainer's character tokenizer: ";
        JsonNode model = root.get("model");
        if (!"WordLevel".equals(model.path("type").asText())) {
            throw new IllegalArgumentException(what + "model.type is " + model.path("type") + ", expected \"WordLevel\"");
        }
        if (!root.path("normalizer").isNull() && !root.path("normalizer").isMissingNode()) {
            throw new IllegalArgumentException(what + "normalizer must be null, got " + root.get("normalizer"));
        }
        if (!splitEveryCharacter().equals(root.path("pre_tokenizer"))) {
            throw new IllegalArgumentException(what + "pre_tokenizer must be " + splitEveryCharacter()
                    + " (one token per character), got " + root.path("pre_tokenizer"));
        }
        if (!"Fuse".equals(root.path("decoder").path("type").asText())) {
            throw new IllegalArgumentException(what + "decoder must be {\"type\":\"Fuse\"}, got " + root.path("decoder"));
        }
        JsonNode post = root.path("post_processor");
        if (!post.isNull() && !post.isMissingNode()
                && !("TemplateProcessing".equals(post.path("type").asText()) && post.path("special_tokens").isEmpty())) {
            throw new IllegalArgumentException(what + "post_processor must be null (or a template without special tokens), got " + post);
        }
        JsonNode added = root.path("added_tokens");
        if (!added.isArray() || added.size() != 1 || added.get(0).path("id").asInt(-1) != END
                || !END_TOKEN.equals(added.get(0).path("content").asText())) {
            throw new IllegalArgumentException(what + "added_tokens must hold the end token " + END_TOKEN + " as id 0 only, got " + added);
        }
        JsonNode vocab = model.path("vocab");
        if (!vocab.isObject()) {
            throw new IllegalArgumentException(what + "model.vocab must be an object of token: id, got " + vocab);
        }
        String[] tokens = new String[vocab.size()];
        for (Map.Entry<String, JsonNode> e : vocab.properties()) {
            String token = e.getKey();
            JsonNode idNode = e.getValue();
            if (!idNode.canConvertToExactIntegral() || !idNode.canConvertToInt()) {
                throw new IllegalArgumentException(what + "model.vocab[\"" + token + "\"] must be an integer id, got " + idNode);
            }
            int id = idNode.intValue();
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException(what + "model.vocab[\"" + token + "\"] = " + id
                        + " is outside [0, " + tokens.length + "): the ids must be 0.." + (tokens.length - 1));
            }
            if (tokens[id] != null) {
                throw new IllegalArgumentException(what + "model.vocab gives id " + id + " to both \"" + tokens[id] + "\" and \"" + token + "\"");
            }
            tokens[id] = token;
        }
        if (tokens.length == 0 || !END_TOKEN.equals(tokens[END])) {
            throw new IllegalArgumentException(what + "model.vocab must give id 0 to the end token " + END_TOKEN
                    + (tokens.length == 0 ? ", it is empty" : ", not to \"" + tokens[END] + "\""));
        }
        StringBuilder chars = new StringBuilder();
        for (int id = 1; id < tokens.length; id++) {
            if (tokens[id].length() != 1) {
                throw new IllegalArgumentException(what + "model.vocab token \"" + tokens[id] + "\" (id " + id + ") must be one character");
            }
            chars.append(tokens[id]);
        }
        return build(file, chars.toString());
    }

    private static CharTokenizer build(Path file, String chars) {
        try {
            return new CharTokenizer(chars);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
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
