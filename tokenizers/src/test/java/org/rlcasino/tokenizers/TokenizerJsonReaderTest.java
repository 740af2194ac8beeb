package org.rlcasino.tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad tokenizer files are refused with a message naming the file, the JSON path and what is supported. */
class TokenizerJsonReaderTest {
    private static final Path GPT2 = TokenizerTest.RESOURCES.resolve("trained-gpt2.json");

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("tokenizer.json"), json);
    }

    private static String gpt2() throws IOException {
        return Files.readString(GPT2);
    }

    @Test
    void missingFilesAreNamed() {
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(NoSuchFileException.class).hasMessageContaining("tokenizer.json");
        assertThatThrownBy(() -> Tokenizer.load(dir.resolve("nope.json"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void malformedJsonIsRefused() throws IOException {
        Path file = write("{\"model\": ");
        assertThatThrownBy(() -> Tokenizer.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": not valid JSON");
        Path array = write("[1, 2]");
        assertThatThrownBy(() -> Tokenizer.load(array)).hasMessageContaining("must be a JSON object");
        Path noModel = write("{\"normalizer\": null}");
        assertThatThrownBy(() -> Tokenizer.load(noModel)).hasMessageContaining("model is missing");
    }

    @Test
    void unsupportedComponentsAreRefusedByName() throws IOException {
        String json = gpt2();
        Path pre = write(json.replace("\"pre_tokenizer\":{\"type\":\"ByteLevel\"", "\"pre_tokenizer\":{\"type\":\"Whitespace\""));
        assertThatThrownBy(() -> Tokenizer.load(pre)).hasMessage(pre + ": pre_tokenizer type 'Whitespace' is not supported; supported: "
                + "ByteLevel, Split, Metaspace, Digits, Sequence");
        Path normalizer = write(json.replace("\"normalizer\":null", "\"normalizer\":{\"type\":\"BertNormalizer\"}"));
        assertThatThrownBy(() -> Tokenizer.load(normalizer)).hasMessageContaining("normalizer type 'BertNormalizer' is not supported");
        Path model = write(json.replace("\"type\":\"BPE\"", "\"type\":\"Unigram\""));
        assertThatThrownBy(() -> Tokenizer.load(model)).hasMessageContaining("model type 'Unigram' is not supported; supported: BPE, WordLevel");
        Path decoder = write(json.replace("\"decoder\":{\"type\":\"ByteLevel\"", "\"decoder\":{\"type\":\"WordPiece\""));
        assertThatThrownBy(() -> Tokenizer.load(decoder)).hasMessageContaining("decoder type 'WordPiece' is not supported");
        Path post = write(json.replace("\"post_processor\":{\"type\":\"ByteLevel\"", "\"post_processor\":{\"type\":\"Nope\""));
        assertThatThrownBy(() -> Tokenizer.load(post)).hasMessageContaining("post_processor type 'Nope' is not supported");
        Path dropout = write(json.replace("\"dropout\":null", "\"dropout\":0.1"));
        assertThatThrownBy(() -> Tokenizer.load(dropout)).hasMessageContaining("model.dropout").hasMessageContaining("not supported");
    }

    @Test
    void inconsistentModelsAreRefused() throws IOException {
        String json = gpt2();
        Path merges = write(json.replace("\"merges\":[[\"i\",\"n\"]", "\"merges\":[[\"i\",\"no-such-token\"]"));
        assertThatThrownBy(() -> Tokenizer.load(merges)).hasMessageContaining("model.merges[0]").hasMessageContaining("not in model.vocab");
        Path badMerge = write(json.replace("\"merges\":[[\"i\",\"n\"]", "\"merges\":[\"i n x\""));
        assertThatThrownBy(() -> Tokenizer.load(badMerge)).hasMessageContaining("model.merges[0] must be \"a b\"");
        Path regex = write(json.replace("\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}",
                "\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(unclosed\"},\"behavior\":\"Isolated\",\"invert\":false}"));
        assertThatThrownBy(() -> Tokenizer.load(regex)).hasMessageContaining("pre_tokenizer.pattern regex '(unclosed' is not supported");
    }

    @Test
    void decodeRefusesIdsOutsideTheVocabulary() throws IOException {
        Tokenizer t = Tokenizer.load(GPT2);
        assertThatThrownBy(() -> t.decode(new int[] {1, t.vocabSize()}, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id " + t.vocabSize() + " (position 1)");
        assertThatThrownBy(() -> t.decode(new int[] {-1}, false)).hasMessageContaining("token id -1");
    }

    @Test
    void configGivesBosAndEos() throws IOException {
        Files.copy(TokenizerTest.RESOURCES.resolve("trained-llama3.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\": {\"content\": \"<|eot_id|>\"}}");
        Tokenizer t = Tokenizer.load(dir);
        assertThat(t.bosId()).hasValue(0);
        assertThat(t.eosId()).hasValue(4);
        assertThat(t.tokenId("<|eot_id|>")).hasValue(4);
        assertThat(t.isSpecial(4)).isTrue();
        assertThat(t.token(4)).hasValue("<|eot_id|>");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<nope>\"}");
        assertThatThrownBy(() -> Tokenizer.load(dir)).hasMessageContaining("bos_token '<nope>' is not a token");
    }
}
