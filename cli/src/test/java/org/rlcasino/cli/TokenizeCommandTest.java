package org.rlcasino.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code casino tokenize}: ids as Hugging Face tokenizers gives them (the trained Llama-3-style
 * tokenizer of the tokenizers module and its goldens), --no-special, --decode back to the text,
 * stdin, --bench, and one-line errors with exit code 2.
 */
class TokenizeCommandTest {
    private static final Path RESOURCES = Path.of("../tokenizers/src/test/resources/tokenizer");
    private static final Path LLAMA = RESOURCES.resolve("trained-llama3.json");

    @TempDir
    Path dir;

    @Test
    void encodesLinesAsHuggingFaceAndDecodesThemBack() throws Exception {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "Hello world\n<|begin_of_text|>It's 2026!\n\n");
        CliRun ids = CliRun.run("tokenize", "--tokenizer", LLAMA, "--input", input);
        assertThat(ids.code()).as(ids.err()).isZero();
        List<String> lines = ids.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("[0,").endsWith("]"); // BOS = <|begin_of_text|> = 0
        assertThat(lines.get(1)).startsWith("[0,0,");
        assertThat(lines.get(2)).isEqualTo("[0]");

        CliRun plain = CliRun.run("tokenize", "--tokenizer", LLAMA, "--input", input, "--no-special");
        assertThat(plain.code()).as(plain.err()).isZero();
        assertThat(plain.out().lines().toList().get(0)).isEqualTo("[" + lines.get(0).substring(3));

        Path idsFile = dir.resolve("ids.jsonl");
        Files.writeString(idsFile, plain.out());
        CliRun text = CliRun.run("tokenize", "--tokenizer", LLAMA, "--input", idsFile, "--decode");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out().lines().toList()).containsExactly("\"Hello world\"", "\"<|begin_of_text|>It's 2026!\"", "\"\"");
        Files.writeString(idsFile, ids.out());
        CliRun skipped = CliRun.run("tokenize", "--tokenizer", LLAMA, "--input", idsFile, "--decode", "--no-special");
        assertThat(skipped.out().lines().toList()).containsExactly("\"Hello world\"", "\"It's 2026!\"", "\"\"");
    }

    @Test
    void readsStdinAndAModelDirectory() throws Exception {
        Path model = Files.createDirectory(dir.resolve("model"));
        Files.copy(LLAMA, model.resolve("tokenizer.json"));
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("Hello world\n".getBytes(StandardCharsets.UTF_8)));
            CliRun fromStdin = CliRun.run("tokenize", "--model", model, "--no-special");
            assertThat(fromStdin.code()).as(fromStdin.err()).isZero();
            CliRun fromFile = CliRun.run("tokenize", "--tokenizer", LLAMA, "--input", write("a.txt", "Hello world\n"), "--no-special");
            assertThat(fromStdin.out()).isEqualTo(fromFile.out());
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void benchPrintsThroughput() throws Exception {
        CliRun bench = CliRun.run("tokenize", "--tokenizer", LLAMA, "--input", write("b.txt", "The quick brown fox.\n"), "--bench",
                "--bench-seconds", "0.2");
        assertThat(bench.code()).as(bench.err()).isZero();
        assertThat(bench.out()).startsWith("encode: ").contains("MB/s").contains("1 thread");
    }

    @Test
    void badInputExitsWithOneLine() throws Exception {
        CliRun missing = CliRun.run("tokenize", "--model", dir);
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip()).contains("tokenizer.json").doesNotContain("\n");

        Path unsupported = write("tokenizer.json", Files.readString(LLAMA).replace("\"type\":\"Split\"", "\"type\":\"Whitespace\""));
        CliRun refused = CliRun.run("tokenize", "--tokenizer", unsupported, "--input", write("c.txt", "x\n"));
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err().strip()).contains("pre_tokenizer.pretokenizers[0] type 'Whitespace' is not supported; supported:")
                .doesNotContain("\n");

        CliRun notIds = CliRun.run("tokenize", "--tokenizer", LLAMA, "--input", write("d.txt", "hello\n"), "--decode");
        assertThat(notIds.code()).isEqualTo(2);
        assertThat(notIds.err()).contains("line 1 is not a JSON array of token ids");

        CliRun outside = CliRun.run("tokenize", "--tokenizer", LLAMA, "--input", write("e.txt", "[1,99999]\n"), "--decode");
        assertThat(outside.code()).isEqualTo(2);
        assertThat(outside.err()).contains("token id 99999 is not in the tokenizer's vocabulary");

        CliRun both = CliRun.run("tokenize", "--tokenizer", LLAMA, "--model", dir);
        assertThat(both.code()).isEqualTo(2);
    }

    @Test
    void helpSaysWhatItDoes() {
        CliRun help = CliRun.run("tokenize", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--model").contains("--tokenizer").contains("--no-special").contains("--decode").contains("--bench");
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }
}
