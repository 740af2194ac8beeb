package org.rlcasino.train.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tokenizer's Hugging Face file, its reading back, the private format before it, and bad files. */
class CharTokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void savesAHuggingFaceTokenizerJsonAndItsConfig() throws IOException {
        Path file = dir.resolve(CharTokenizer.FILE_NAME);
        CharTokenizer.tasks().save(file);
        JsonNode root = JSON.readTree(file.toFile());
        assertThat(root.get("version").asText()).isEqualTo("1.0");
        assertThat(root.get("truncation").isNull()).isTrue();
        assertThat(root.get("padding").isNull()).isTrue();
        assertThat(root.get("normalizer").isNull()).isTrue();
        assertThat(root.get("post_processor").isNull()).isTrue();
        assertThat(root.get("added_tokens")).hasSize(1);
        JsonNode end = root.get("added_tokens").get(0);
        assertThat(end.get("id").asInt()).isZero();
        assertThat(end.get("content").asText()).isEqualTo(CharTokenizer.END_TOKEN);
        assertThat(end.get("special").asBoolean()).isTrue();
        assertThat(end.get("normalized").asBoolean()).isFalse();
        assertThat(root.get("pre_tokenizer")).isEqualTo(JSON.readTree(
                "{\"type\": \"Split\", \"pattern\": {\"String\": \"\"}, \"behavior\": \"Isolated\", \"invert\": false}"));
        assertThat(root.get("decoder")).isEqualTo(JSON.readTree("{\"type\": \"Fuse\"}"));
        JsonNode model = root.get("model");
        assertThat(model.get("type").asText()).isEqualTo("WordLevel");
        assertThat(model.get("unk_token").asText()).isEqualTo(CharTokenizer.END_TOKEN);
        List<String> tokens = model.get("vocab").properties().stream().map(e -> e.getKey()).toList();
        assertThat(tokens).containsExactly(CharTokenizer.END_TOKEN, "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=", "r", "s");
        for (int id = 0; id < tokens.size(); id++) {
            assertThat(model.get("vocab").get(tokens.get(id)).asInt()).isEqualTo(id);
        }
        assertThat(root.properties()).extracting(e -> e.getKey()).containsExactly(
                "version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model");

        JsonNode config = JSON.readTree(dir.resolve(CharTokenizer.CONFIG_FILE_NAME).toFile());
        assertThat(config.get("tokenizer_class").asText()).isEqualTo("PreTrainedTokenizerFast");
        for (String special : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
            assertThat(config.get(special).asText()).as(special).isEqualTo(CharTokenizer.END_TOKEN);
        }
        try (var files = Files.list(dir)) { // no temporary left behind
            assertThat(files).containsExactlyInAnyOrder(file, dir.resolve(CharTokenizer.CONFIG_FILE_NAME));
        }
    }

    @Test
    void loadsWhatItSaved() throws IOException {
        for (CharTokenizer t : List.of(CharTokenizer.tasks(), new CharTokenizer(""), new CharTokenizer("ab c\"\\\né"))) {
            Path file = dir.resolve(CharTokenizer.FILE_NAME);
            t.save(file);
            CharTokenizer back = CharTokenizer.load(file);
            assertThat(back).isEqualTo(t);
            assertThat(back.vocab()).isEqualTo(t.vocab());
        }
        CharTokenizer back = CharTokenizer.load(save(CharTokenizer.tasks()));
        assertThat(back.encode("12+34=")).containsExactly(2, 3, 11, 4, 5, 12);
        assertThat(back.decode(back.encode("s3141=r"))).isEqualTo("s3141=r");
    }

    @Test
    void savingReplacesAnOldPrivateFile() throws IOException {
        Path file = writePrivate("{\"type\": \"rlcasino-char\", \"version\": 1, \"end_token\": \"<|endoftext|>\", \"vocab\": [\"<|endoftext|>\", \"x\"]}");
        CharTokenizer.tasks().save(file);
        assertThat(JSON.readTree(file.toFile()).get("model").get("type").asText()).isEqualTo("WordLevel");
        assertThat(CharTokenizer.load(file)).isEqualTo(CharTokenizer.tasks());
    }

    @Test
    void loadsTheFileAsHuggingFaceRewritesIt() throws IOException {
        // tokenizer.save_pretrained (transformers 5.18) writes padding and an empty template post-processor
        Path file = edit(root -> {
            root.putObject("padding").put("strategy", "BatchLongest").put("pad_id", 0).put("pad_token", CharTokenizer.END_TOKEN);
            ObjectNode post = root.putObject("post_processor");
            post.put("type", "TemplateProcessing");
            post.putArray("single").addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            post.putObject("special_tokens");
            return root;
        });
        assertThat(CharTokenizer.load(file)).isEqualTo(CharTokenizer.tasks());
    }

    @Test
    void loadsThePrivateFormatOfEarlierRuns() throws IOException {
        Path file = writePrivate("""
                {
                  "type" : "rlcasino-char",
                  "version" : 1,
                  "end_token" : "<|endoftext|>",
                  "vocab" : [ "<|endoftext|>", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=", "r", "s" ]
                }""");
        assertThat(CharTokenizer.load(file)).isEqualTo(CharTokenizer.tasks());
    }

    static List<Arguments> badPrivateFiles() {
        return List.of(
                Arguments.of("{\"type\": \"rlcasino-char\", \"vocab\": [\"0\", \"<|endoftext|>\"]}", "vocab[0] must be the end token"),
                Arguments.of("{\"type\": \"rlcasino-char\", \"vocab\": [\"<|endoftext|>\", \"12\"]}", "vocab[1] must be one character, got \"12\""),
                Arguments.of("{\"type\": \"rlcasino-char\", \"vocab\": [\"<|endoftext|>\", \"1\", \"1\"]}", "character '1' appears twice"),
                Arguments.of("{\"type\": \"rlcasino-char\"}", "\"vocab\" array"),
                Arguments.of("{\"vocab\": [\"<|endoftext|>\"]}", "not a character tokenizer"),
                Arguments.of("[1, 2]", "not a character tokenizer"),
                Arguments.of("{\"type\": \"rlcasino-char\", ", "not valid JSON"));
    }

    @ParameterizedTest
    @MethodSource("badPrivateFiles")
    void badPrivateFilesAreRefused(String content, String problem) throws IOException {
        Path file = writePrivate(content);
        assertThatThrownBy(() -> CharTokenizer.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(problem);
    }

    static List<Arguments> badHuggingFaceFiles() {
        return List.of(
                Arguments.of("a token of two characters", (UnaryOperator<ObjectNode>) r -> {
                    vocab(r).remove("s");
                    vocab(r).put("ab", 14);
                    return r;
                }, "model.vocab token \"ab\" (id 14) must be one character"),
                Arguments.of("the end token not at id 0", (UnaryOperator<ObjectNode>) r -> {
                    vocab(r).put(CharTokenizer.END_TOKEN, 1).put("0", 0);
                    return r;
                }, "must give id 0 to the end token <|endoftext|>, not to \"0\""),
                Arguments.of("no end token", (UnaryOperator<ObjectNode>) r -> {
                    vocab(r).remove(CharTokenizer.END_TOKEN);
                    vocab(r).put("x", 0);
                    return r;
                }, "must give id 0 to the end token"),
                Arguments.of("two tokens with one id", (UnaryOperator<ObjectNode>) r -> {
                    vocab(r).put("s", 13);
                    return r;
                }, "model.vocab gives id 13 to both \"r\" and \"s\""),
                Arguments.of("a gap in the ids", (UnaryOperator<ObjectNode>) r -> {
                    vocab(r).put("s", 15);
                    return r;
                }, "model.vocab[\"s\"] = 15 is outside [0, 15)"),
                Arguments.of("an id that is not an integer", (UnaryOperator<ObjectNode>) r -> {
                    vocab(r).put("s", "14");
                    return r;
                }, "model.vocab[\"s\"] must be an integer id"),
                Arguments.of("a BPE model", (UnaryOperator<ObjectNode>) r -> {
                    ((ObjectNode) r.get("model")).put("type", "BPE");
                    return r;
                }, "model.type is \"BPE\", expected \"WordLevel\""),
                Arguments.of("a byte-level pre-tokenizer", (UnaryOperator<ObjectNode>) r -> {
                    r.putObject("pre_tokenizer").put("type", "ByteLevel");
                    return r;
                }, "pre_tokenizer must be"),
                Arguments.of("a normalizer", (UnaryOperator<ObjectNode>) r -> {
                    r.putObject("normalizer").put("type", "NFC");
                    return r;
                }, "normalizer must be null"),
                Arguments.of("another decoder", (UnaryOperator<ObjectNode>) r -> {
                    r.putObject("decoder").put("type", "WordPiece");
                    return r;
                }, "decoder must be {\"type\":\"Fuse\"}"),
                Arguments.of("a post-processor adding tokens", (UnaryOperator<ObjectNode>) r -> {
                    r.putObject("post_processor").put("type", "TemplateProcessing").putObject("special_tokens").putObject("<|endoftext|>");
                    return r;
                }, "post_processor must be null"),
                Arguments.of("a second added token", (UnaryOperator<ObjectNode>) r -> {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) r.get("added_tokens")).addObject().put("id", 15).put("content", "<pad>");
                    return r;
                }, "added_tokens must hold the end token <|endoftext|> as id 0 only"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHuggingFaceFiles")
    void badHuggingFaceFilesAreRefused(String name, UnaryOperator<ObjectNode> change, String problem) throws IOException {
        Path file = edit(change);
        assertThatThrownBy(() -> CharTokenizer.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": not the trainer's character tokenizer: ")
                .hasMessageContaining(problem);
    }

    @Test
    void duplicateTokensAreRefused() throws IOException {
        Path file = dir.resolve(CharTokenizer.FILE_NAME);
        CharTokenizer.tasks().save(file);
        String text = Files.readString(file).replace("\"s\" : 14", "\"r\" : 14");
        assertThat(text).contains("\"r\" : 14");
        Files.writeString(file, text);
        assertThatThrownBy(() -> CharTokenizer.load(file))
                .hasMessageStartingWith(file + ": not valid JSON: ")
                .hasMessageContaining("Duplicate field 'r'");
    }

    @Test
    void surrogatesAreRefused() {
        assertThatThrownBy(() -> new CharTokenizer("1\uD83D"))
                .hasMessageContaining("U+D83D is half of a surrogate pair");
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("nothing/tokenizer.json");
        assertThatThrownBy(() -> CharTokenizer.load(file)).hasMessage(file + ": no tokenizer.json (a trainer checkpoint has one beside config.json)");
    }

    private static ObjectNode vocab(ObjectNode root) {
        return (ObjectNode) root.get("model").get("vocab");
    }

    private Path save(CharTokenizer t) throws IOException {
        Path file = dir.resolve(CharTokenizer.FILE_NAME);
        t.save(file);
        return file;
    }

    /** The tasks tokenizer's file, changed by {@code change}. */
    private Path edit(UnaryOperator<ObjectNode> change) throws IOException {
        Path file = save(CharTokenizer.tasks());
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(change.apply(root)));
        return file;
    }

    private Path writePrivate(String content) throws IOException {
        Path file = dir.resolve(CharTokenizer.FILE_NAME);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
