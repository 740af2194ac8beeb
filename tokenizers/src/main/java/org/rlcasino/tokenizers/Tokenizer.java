package org.rlcasino.tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Hugging Face tokenizer read from {@code tokenizer.json} (+ {@code tokenizer_config.json} for the
 * BOS and EOS tokens), which encodes and decodes as the Rust library {@code tokenizers} does:
 *
 * <pre>
 * encode(text) = post_processor( ⧺ over segments s of added_tokens.split(text):
 *                   s is an added token ? [id(s)] : ⧺ over pre-tokens p of pre_tokenizer(normalizer(s)): model(p) )
 * decode(ids)  = ⧺ decoder([token(id) for id in ids, special ones dropped if skipSpecialTokens])
 * </pre>
 *
 * Supported components (others are refused by name when loading): models BPE and WordLevel;
 * normalizers NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Strip, Sequence; pre-tokenizers
 * ByteLevel, Split, Metaspace, Digits, Sequence; post-processors TemplateProcessing, ByteLevel,
 * RobertaProcessing, BertProcessing, Sequence (one text, no pairs); decoders ByteLevel, ByteFallback,
 * Fuse, Replace, Strip, Metaspace, Sequence. {@code truncation} and {@code padding} are ignored.
 *
 * <p>Java strings may hold lone surrogates, which a Rust string cannot: each is encoded as U+FFFD
 * (as a lossy UTF-8 conversion gives). Decoding an id the tokenizer does not have is an error
 * (Hugging Face drops such ids silently). Instances are immutable and thread-safe.
 */
public final class Tokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Model model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final AddedVocabulary added;
    private final OptionalInt bosId;
    private final OptionalInt eosId;

    private Tokenizer(String source, JsonNode json, JsonNode config) {
        this.source = source;
        if (!json.isObject()) {
            throw new IllegalArgumentException(source + ": must be a JSON object (a Hugging Face tokenizer.json)");
        }
        TokenizerJsonReader reader = new TokenizerJsonReader(source);
        this.normalizer = reader.normalizer(json.get("normalizer"), "normalizer");
        this.preTokenizer = reader.preTokenizer(json.get("pre_tokenizer"), "pre_tokenizer");
        this.model = reader.model(json.get("model"), "model");
        this.added = new AddedVocabulary(reader.addedTokens(json.get("added_tokens"), model, "added_tokens"), normalizer);
        this.postProcessor = reader.postProcessor(json.get("post_processor"), "post_processor", t -> tokenId(t).orElse(-1));
        this.decoder = reader.decoder(json.get("decoder"), "decoder");
        this.bosId = configToken(config, "bos_token");
        this.eosId = configToken(config, "eos_token");
    }

    /**
     * Loads {@code path}: a tokenizer.json file, or a model directory holding one. A
     * tokenizer_config.json beside it, if any, gives {@link #bosId()} and {@link #eosId()}.
     *
     * @throws IllegalArgumentException if a file is malformed or holds an unsupported component (the
     *                                  message names the file, the component and what is supported)
     * @throws NoSuchFileException      if there is no tokenizer.json
     */
    public static Tokenizer load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, Files.isDirectory(path)
                    ? "the directory has no tokenizer.json" : "no tokenizer.json");
        }
        JsonNode json = readJson(file);
        Path configFile = file.resolveSibling("tokenizer_config.json");
        JsonNode config = Files.isRegularFile(configFile) ? readJson(configFile) : null;
        return new Tokenizer(file.toString(), json, config);
    }

    /** A tokenizer from the text of a tokenizer.json (no tokenizer_config.json); {@code source} names it in errors. */
    public static Tokenizer fromJson(String json, String source) {
        try {
            return new Tokenizer(source, JSON.readTree(json), null);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException(file + ": is empty; expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage());
        }
    }

    private OptionalInt configToken(JsonNode config, String name) {
        if (config == null || !config.isObject()) {
            return OptionalInt.empty();
        }
        JsonNode v = config.get(name);
        String content = v == null || v.isNull() ? null : v.isTextual() ? v.asText()
                : v.isObject() && v.has("content") ? v.get("content").asText() : null;
        if (content == null) {
            return OptionalInt.empty();
        }
        OptionalInt id = tokenId(content);
        if (id.isEmpty()) {
            throw new IllegalArgumentException(source + ": tokenizer_config.json's " + name + " '" + content
                    + "' is not a token of the tokenizer");
        }
        return id;
    }

    /** The ids of {@code text}, with the post-processor's special tokens (BOS, …) if {@code addSpecialTokens}. */
    public int[] encode(String text, boolean addSpecialTokens) {
        String s = UnicodeClasses.wellFormed(text);
        IdBuffer out = new IdBuffer();
        for (AddedVocabulary.Segment raw : added.splitRaw(s)) {
            if (raw.id() >= 0) {
                out.add(raw.id());
                continue;
            }
            if (raw.end() == raw.start()) {
                continue;
            }
            String piece = s.substring(raw.start(), raw.end());
            String normalized = normalizer == null ? piece : normalizer.normalize(piece);
            for (AddedVocabulary.Segment seg : added.splitNormalized(normalized)) {
                if (seg.id() >= 0) {
                    out.add(seg.id());
                } else if (seg.end() > seg.start()) {
                    encodeNormalized(normalized.substring(seg.start(), seg.end()), raw.start() == 0 && seg.start() == 0, out);
                }
            }
        }
        int[] ids = out.toArray();
        return postProcessor == null ? ids : postProcessor.process(ids, addSpecialTokens);
    }

    /** The ids of {@code text} with special tokens: Hugging Face's default {@code encode(text)}. */
    public int[] encode(String text) {
        return encode(text, true);
    }

    private void encodeNormalized(String text, boolean atTextStart, IdBuffer out) {
        if (preTokenizer == null) {
            model.tokenize(text, out);
            return;
        }
        List<String> one = new ArrayList<>(1);
        one.add(text);
        for (String p : preTokenizer.preTokenize(one, atTextStart)) {
            model.tokenize(p, out);
        }
    }

    /**
     * The text of {@code ids}; special added tokens are left out if {@code skipSpecialTokens}.
     *
     * @throws IllegalArgumentException for an id that is neither in the vocabulary nor an added token
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            String t = tokenOrNull(ids[i]);
            if (t == null) {
                throw new IllegalArgumentException("token id " + ids[i] + " (position " + i + ") is not in the tokenizer's vocabulary [0, "
                        + vocabSize() + ")");
            }
            if (skipSpecialTokens && added.isSpecial(t)) {
                continue;
            }
            tokens.add(t);
        }
        return decoder == null ? String.join(" ", tokens) : String.join("", decoder.decodeChain(tokens));
    }

    private String tokenOrNull(int id) {
        String a = added.decoded(id);
        return a != null ? a : model.token(id);
    }

    /** One more than the largest id of the vocabulary and the added tokens: the size an embedding table needs. */
    public int vocabSize() {
        return Math.max(model.idLimit(), added.maxId() + 1);
    }

    /** The id of token {@code token} (an added token, else a vocabulary entry). */
    public OptionalInt tokenId(String token) {
        AddedToken a = added.byContent(token);
        if (a != null) {
            return OptionalInt.of(a.id());
        }
        int id = model.tokenId(token);
        return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
    }

    /** The token of {@code id} (as the vocabulary writes it, e.g. "Ġthe"), if there is one. */
    public Optional<String> token(int id) {
        return Optional.ofNullable(tokenOrNull(id));
    }

    /** Whether {@code id} is a special added token (skipped by {@code decode(ids, true)}). */
    public boolean isSpecial(int id) {
        AddedToken a = added.byId(id);
        return a != null && a.special();
    }

    /** The id of tokenizer_config.json's {@code bos_token}, if it names one. */
    public OptionalInt bosId() {
        return bosId;
    }

    /** The id of tokenizer_config.json's {@code eos_token}, if it names one. */
    public OptionalInt eosId() {
        return eosId;
    }

    /** The file it was loaded from (or the source given to {@link #fromJson}). */
    public String source() {
        return source;
    }
}
