package org.rlcasino.tokenizers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads the components of a Hugging Face tokenizer.json tree. Every error is an
 * IllegalArgumentException that names the file, the JSON path and what is supported, e.g.
 * {@code tokenizer.json: pre_tokenizer type 'Whitespace' is not supported; supported: ByteLevel, …}.
 */
final class TokenizerJsonReader {
    static final List<String> NORMALIZERS = List.of("NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Replace", "Prepend", "Strip", "Sequence");
    static final List<String> PRE_TOKENIZERS = List.of("ByteLevel", "Split", "Metaspace", "Digits", "Sequence");
    static final List<String> MODELS = List.of("BPE", "WordLevel");
    static final List<String> POST_PROCESSORS = List.of("TemplateProcessing", "ByteLevel", "RobertaProcessing", "BertProcessing", "Sequence");
    static final List<String> DECODERS = List.of("ByteLevel", "ByteFallback", "Fuse", "Replace", "Strip", "Metaspace", "Sequence");

    private final String file;

    /** {@code file}: the name errors start with. */
    TokenizerJsonReader(String file) {
        this.file = file;
    }

    IllegalArgumentException error(String where, String what) {
        return new IllegalArgumentException(file + ": " + where + " " + what);
    }

    private String type(JsonNode node, String where, String kind, List<String> supported) {
        if (!node.isObject()) {
            throw error(where, "must be an object with a \"type\", got " + brief(node));
        }
        JsonNode t = node.get("type");
        if (t == null || !t.isTextual()) {
            throw error(where, "has no \"type\"; supported " + kind + " types: " + String.join(", ", supported));
        }
        String type = t.asText();
        if (!supported.contains(type)) {
            throw error(where, "type '" + type + "' is not supported; supported: " + String.join(", ", supported));
        }
        return type;
    }

    private static String brief(JsonNode node) {
        String s = node.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private JsonNode field(JsonNode node, String name, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw error(where, "has no \"" + name + "\"");
        }
        return v;
    }

    private String string(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        if (!v.isTextual()) {
            throw error(where + "." + name, "must be a string, got " + brief(v));
        }
        return v.asText();
    }

    private String optionalString(JsonNode node, String name, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw error(where + "." + name, "must be a string or null, got " + brief(v));
        }
        return v.asText();
    }

    private boolean bool(JsonNode node, String name, boolean absent, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw error(where + "." + name, "must be true or false, got " + brief(v));
        }
        return v.asBoolean();
    }

    private int integer(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw error(where + "." + name, "must be an integer, got " + brief(v));
        }
        return v.asInt();
    }

    private int codePoint(JsonNode node, String name, String where) {
        String s = string(node, name, where);
        if (s.codePointCount(0, s.length()) != 1) {
            throw error(where + "." + name, "must be one character, got '" + s + "'");
        }
        return s.codePointAt(0);
    }

    private List<JsonNode> array(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        if (!v.isArray()) {
            throw error(where + "." + name, "must be an array, got " + brief(v));
        }
        List<JsonNode> out = new ArrayList<>(v.size());
        v.forEach(out::add);
        return out;
    }

    /** A {@code pattern}: {@code {"String": "…"}} (literal) or {@code {"Regex": "…"}} (Oniguruma). */
    private Pattern pattern(JsonNode node, String where) {
        JsonNode p = field(node, "pattern", where);
        if (p.isObject() && p.size() == 1 && p.has("String") && p.get("String").isTextual()) {
            return Pattern.compile(Pattern.quote(p.get("String").asText()));
        }
        if (p.isObject() && p.size() == 1 && p.has("Regex") && p.get("Regex").isTextual()) {
            try {
                return OnigurumaPattern.compile(p.get("Regex").asText());
            } catch (IllegalArgumentException e) {
                throw error(where + ".pattern", e.getMessage());
            }
        }
        throw error(where + ".pattern", "must be {\"String\": \"...\"} or {\"Regex\": \"...\"}, got " + brief(p));
    }

    private PreTokenizer.PrependScheme prependScheme(JsonNode node, String where) {
        String scheme = optionalString(node, "prepend_scheme", where);
        if (scheme == null) { // files older than tokenizers 0.14 say add_prefix_space
            return bool(node, "add_prefix_space", true, where) ? PreTokenizer.PrependScheme.ALWAYS : PreTokenizer.PrependScheme.NEVER;
        }
        return switch (scheme) {
            case "always" -> PreTokenizer.PrependScheme.ALWAYS;
            case "first" -> PreTokenizer.PrependScheme.FIRST;
            case "never" -> PreTokenizer.PrependScheme.NEVER;
            default -> throw error(where + ".prepend_scheme", "must be \"always\", \"first\" or \"never\", got '" + scheme + "'");
        };
    }

    /** The {@code normalizer}, or null. */
    Normalizer normalizer(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        return switch (type(node, where, "normalizer", NORMALIZERS)) {
            case "NFC" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFC);
            case "NFD" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFD);
            case "NFKC" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> new Normalizer.Lowercase();
            case "Replace" -> new Normalizer.Replace(pattern(node, where), string(node, "content", where));
            case "Prepend" -> new Normalizer.Prepend(string(node, "prepend", where));
            case "Strip" -> new Normalizer.Strip(bool(node, "strip_left", true, where), bool(node, "strip_right", true, where));
            default -> {
                List<Normalizer> list = new ArrayList<>();
                List<JsonNode> items = array(node, "normalizers", where);
                for (int i = 0; i < items.size(); i++) {
                    list.add(normalizer(items.get(i), where + ".normalizers[" + i + "]"));
                }
                yield new Normalizer.Sequence(list);
            }
        };
    }

    /** The {@code pre_tokenizer}, or null. */
    PreTokenizer preTokenizer(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        return switch (type(node, where, "pre_tokenizer", PRE_TOKENIZERS)) {
            case "ByteLevel" -> new PreTokenizer.ByteLevel(bool(node, "add_prefix_space", true, where), bool(node, "use_regex", true, where));
            case "Split" -> {
                String behavior = string(node, "behavior", where);
                SplitBehavior b = SplitBehavior.ofJsonName(behavior);
                if (b == null) {
                    throw error(where + ".behavior", "'" + behavior + "' is not one of Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous");
                }
                yield new PreTokenizer.Split(pattern(node, where), b, bool(node, "invert", false, where));
            }
            case "Metaspace" -> new PreTokenizer.Metaspace(codePoint(node, "replacement", where), prependScheme(node, where),
                    bool(node, "split", true, where));
            case "Digits" -> new PreTokenizer.Digits(bool(node, "individual_digits", false, where));
            default -> {
                List<PreTokenizer> list = new ArrayList<>();
                List<JsonNode> items = array(node, "pretokenizers", where);
                for (int i = 0; i < items.size(); i++) {
                    list.add(preTokenizer(items.get(i), where + ".pretokenizers[" + i + "]"));
                }
                yield new PreTokenizer.Sequence(list);
            }
        };
    }

    /** The {@code model}. */
    Model model(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            throw error(where, "is missing; a tokenizer.json needs a model");
        }
        if (node.isObject() && !node.has("type") && node.has("merges")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("type", "BPE"); // files that predate "type"
        }
        String type = type(node, where, "model", MODELS);
        Map<String, Integer> vocab = vocab(field(node, "vocab", where), where + ".vocab");
        if (type.equals("WordLevel")) {
            return new WordLevelModel(vocab, optionalString(node, "unk_token", where));
        }
        JsonNode dropout = node.get("dropout");
        if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0) {
            throw error(where + ".dropout", "is " + dropout + ": BPE dropout makes encoding random and is not supported; set it to null");
        }
        List<JsonNode> items = array(node, "merges", where);
        List<String[]> merges = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode m = items.get(i);
            String[] pair;
            if (m.isTextual()) {
                pair = m.asText().split(" ", -1);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                pair = new String[] {m.get(0).asText(), m.get(1).asText()};
            } else {
                pair = null;
            }
            if (pair == null || pair.length != 2) {
                throw error(where + ".merges[" + i + "]", "must be \"a b\" or [\"a\", \"b\"], got " + brief(m));
            }
            merges.add(pair);
        }
        try {
            return new BpeModel(vocab, merges, optionalString(node, "unk_token", where), bool(node, "fuse_unk", false, where),
                    bool(node, "byte_fallback", false, where), bool(node, "ignore_merges", false, where),
                    optionalString(node, "continuing_subword_prefix", where), optionalString(node, "end_of_word_suffix", where));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Integer> vocab(JsonNode node, String where) {
        if (!node.isObject()) {
            throw error(where, "must be an object of token: id, got " + brief(node));
        }
        Map<String, Integer> vocab = new HashMap<>(2 * node.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw error(where, "entry '" + e.getKey() + "' must have an integer id >= 0, got " + brief(e.getValue()));
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        return vocab;
    }

    /**
     * The {@code added_tokens}, with the ids Hugging Face gives them: a content in the model's
     * vocabulary (or added before) keeps that id; any other gets the next id after the vocabulary
     * and the added tokens so far, in the list's order, whatever the file's {@code id} says.
     */
    List<AddedToken> addedTokens(JsonNode node, Model model, String where) {
        List<AddedToken> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw error(where, "must be an array, got " + brief(node));
        }
        Map<String, Integer> ids = new HashMap<>();
        int maxAdded = -1;
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String w = where + "[" + i + "]";
            if (!t.isObject()) {
                throw error(w, "must be an object, got " + brief(t));
            }
            String content = string(t, "content", w);
            if (content.isEmpty() || ids.containsKey(content)) {
                continue;
            }
            int id = model.tokenId(content);
            if (id < 0) {
                id = maxAdded < 0 ? model.size() : maxAdded >= model.size() || model.size() == 0 ? maxAdded + 1 : model.size();
            }
            ids.put(content, id);
            maxAdded = Math.max(maxAdded, id);
            boolean special = bool(t, "special", false, w);
            out.add(new AddedToken(content, id, special, bool(t, "single_word", false, w), bool(t, "lstrip", false, w),
                    bool(t, "rstrip", false, w), bool(t, "normalized", !special, w)));
        }
        return out;
    }

    /** The {@code post_processor}, or null; special tokens are looked up with {@code idOf}. */
    PostProcessor postProcessor(JsonNode node, String where, java.util.function.ToIntFunction<String> idOf) {
        if (node == null || node.isNull()) {
            return null;
        }
        return switch (type(node, where, "post_processor", POST_PROCESSORS)) {
            case "ByteLevel" -> new PostProcessor.Identity();
            case "RobertaProcessing", "BertProcessing" -> new PostProcessor.ClsSep(tokenPair(node, "cls", where), tokenPair(node, "sep", where));
            case "TemplateProcessing" -> {
                JsonNode specials = field(node, "special_tokens", where);
                List<int[]> items = new ArrayList<>();
                List<JsonNode> single = array(node, "single", where);
                for (int i = 0; i < single.size(); i++) {
                    JsonNode item = single.get(i);
                    String w = where + ".single[" + i + "]";
                    if (item.has("Sequence")) {
                        String id = string(item.get("Sequence"), "id", w + ".Sequence");
                        if (!id.equals("A")) {
                            throw error(w, "is sequence '" + id + "'; a single-text template can only hold sequence A");
                        }
                        items.add(PostProcessor.Template.SEQUENCE);
                    } else if (item.has("SpecialToken")) {
                        String id = string(item.get("SpecialToken"), "id", w + ".SpecialToken");
                        JsonNode special = specials.get(id);
                        if (special == null) {
                            throw error(w, "names special token '" + id + "', which is not in " + where + ".special_tokens");
                        }
                        List<JsonNode> list = array(special, "ids", where + ".special_tokens." + id);
                        int[] ids = new int[list.size()];
                        for (int k = 0; k < ids.length; k++) {
                            if (!list.get(k).canConvertToInt()) {
                                throw error(where + ".special_tokens." + id + ".ids", "must be integers, got " + brief(list.get(k)));
                            }
                            ids[k] = list.get(k).asInt();
                        }
                        items.add(ids);
                    } else {
                        throw error(w, "must be {\"Sequence\": ...} or {\"SpecialToken\": ...}, got " + brief(item));
                    }
                }
                yield new PostProcessor.Template(items);
            }
            default -> {
                List<PostProcessor> list = new ArrayList<>();
                List<JsonNode> items = array(node, "processors", where);
                for (int i = 0; i < items.size(); i++) {
                    list.add(postProcessor(items.get(i), where + ".processors[" + i + "]", idOf));
                }
                yield new PostProcessor.Sequence(list);
            }
        };
    }

    /** Roberta's and Bert's {@code ["<s>", 0]}. */
    private int tokenPair(JsonNode node, String name, String where) {
        JsonNode v = field(node, name, where);
        if (!v.isArray() || v.size() != 2 || !v.get(1).canConvertToInt()) {
            throw error(where + "." + name, "must be [\"token\", id], got " + brief(v));
        }
        return v.get(1).asInt();
    }

    /** The {@code decoder}, or null. */
    Decoder decoder(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        return switch (type(node, where, "decoder", DECODERS)) {
            case "ByteLevel" -> new Decoder.ByteLevel();
            case "ByteFallback" -> new Decoder.ByteFallback();
            case "Fuse" -> new Decoder.Fuse();
            case "Replace" -> new Decoder.Replace(pattern(node, where), string(node, "content", where));
            case "Strip" -> new Decoder.Strip(codePoint(node, "content", where), integer(node, "start", where), integer(node, "stop", where));
            case "Metaspace" -> new Decoder.Metaspace(codePoint(node, "replacement", where), prependScheme(node, where));
            default -> {
                List<Decoder> list = new ArrayList<>();
                List<JsonNode> items = array(node, "decoders", where);
                for (int i = 0; i < items.size(); i++) {
                    list.add(decoder(items.get(i), where + ".decoders[" + i + "]"));
                }
                yield new Decoder.Sequence(list);
            }
        };
    }
}
