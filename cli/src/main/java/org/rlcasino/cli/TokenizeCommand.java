package org.rlcasino.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.rlcasino.io.PathGuard;
import org.rlcasino.tokenizers.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino tokenize}: encode text lines to ids, or decode ids to text, with a Hugging Face tokenizer.json. */
@Command(name = "tokenize", header = "Encode text lines to token ids (or decode ids) with a Hugging Face tokenizer.json.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reads lines (UTF-8) from --input or stdin and prints one JSON array of token ids per line, with the",
                "special tokens the tokenizer's post-processor adds (BOS, ...), as Hugging Face tokenizers' encode(text) does;",
                "--no-special leaves them out (add_special_tokens=False). With --decode, each line is a JSON array of ids and",
                "the text is printed as one JSON string per line (so newlines survive). With --bench, the input is encoded",
                "repeatedly on one thread and the throughput in MB/s of UTF-8 text is printed instead (docs/tokenizers.md).",
                "Supported: BPE and WordLevel models, byte-level and SentencePiece-style pipelines (GPT-2, Llama 3, Qwen 2.5/3,",
                "Gemma 3, Llama 2); other components are refused by name."})
final class TokenizeCommand implements Callable<Integer>, DeclaresFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory with tokenizer.json (and tokenizer_config.json).")
        Path model;

        @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "A tokenizer.json file.")
        Path tokenizer;
    }

    @Option(names = "--input", paramLabel = "FILE", description = "Read lines from FILE. Default: stdin.")
    Path input;

    @Option(names = "--no-special", description = "Encode without the post-processor's special tokens; with --decode, leave special tokens out.")
    boolean noSpecial;

    @Option(names = "--decode", description = "Decode: read JSON arrays of ids, print each text as a JSON string.")
    boolean decode;

    @Option(names = "--bench", description = "Measure encode throughput (MB/s, 1 thread) on the input instead of printing ids.")
    boolean bench;

    @Option(names = "--bench-seconds", defaultValue = "5", paramLabel = "S", description = "With --bench: measure for S seconds. Default: ${DEFAULT-VALUE}.")
    double benchSeconds;

    @Override
    public void declareFiles(PathGuard files) {
        files.input("--model", source.model);
        files.inputFile("--tokenizer", source.tokenizer);
        files.inputFile("--input", input);
    }

    @Override
    public Integer call() throws Exception {
        if (decode && bench) {
            throw new IllegalArgumentException("--bench measures encoding; leave out --decode");
        }
        if (!(benchSeconds > 0 && benchSeconds <= 3600)) {
            throw new IllegalArgumentException("--bench-seconds must be in (0, 3600], got " + benchSeconds);
        }
        Tokenizer tokenizer = Tokenizer.load(source.model != null ? source.model : source.tokenizer);
        PrintWriter out = spec.commandLine().getOut();
        List<String> lines = readLines(input != null ? Files.newInputStream(input) : System.in);
        String where = input != null ? input.toString() : "stdin";
        if (bench) {
            bench(tokenizer, lines, out);
        } else if (decode) {
            for (int i = 0; i < lines.size(); i++) {
                out.println(JSON.writeValueAsString(tokenizer.decode(ids(lines.get(i), where, i + 1, tokenizer), noSpecial)));
            }
        } else {
            for (String line : lines) {
                out.println(json(tokenizer.encode(line, !noSpecial)));
            }
        }
        out.flush();
        return 0;
    }

    /** The input's lines (without terminators); bytes that are not UTF-8 become U+FFFD. */
    private static List<String> readLines(InputStream in) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, decoder))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static int[] ids(String line, String where, int number, Tokenizer tokenizer) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(where + ": line " + number + " is not a JSON array of token ids (--decode reads what "
                    + "'casino tokenize' prints): " + (line.length() > 60 ? line.substring(0, 57) + "..." : line));
        }
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new IllegalArgumentException(where + ": line " + number + ", element " + i + " is not a token id: " + v);
            }
            ids[i] = v.asInt();
            if (ids[i] < 0 || ids[i] >= tokenizer.vocabSize() || tokenizer.token(ids[i]).isEmpty()) {
                throw new IllegalArgumentException(where + ": line " + number + ": token id " + ids[i] + " is not in the tokenizer's "
                        + "vocabulary [0, " + tokenizer.vocabSize() + ")");
            }
        }
        return ids;
    }

    private static String json(int[] ids) {
        StringBuilder s = new StringBuilder(ids.length * 6 + 2).append('[');
        for (int i = 0; i < ids.length; i++) {
            s.append(i == 0 ? "" : ",").append(ids[i]);
        }
        return s.append(']').toString();
    }

    /** Encodes all lines repeatedly: 1 s of warm-up, then passes for benchSeconds; prints MB/s (10^6 bytes of UTF-8 per second). */
    private void bench(Tokenizer tokenizer, List<String> lines, PrintWriter out) {
        long bytes = 0;
        for (String line : lines) {
            bytes += line.getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes == 0) {
            throw new IllegalArgumentException("--bench needs a non-empty input");
        }
        long tokens = 0;
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            for (String line : lines) {
                tokens += tokenizer.encode(line, false).length;
            }
        }
        long start = System.nanoTime();
        long end = start + (long) (benchSeconds * 1e9);
        int passes = 0;
        tokens = 0;
        long now;
        do {
            for (String line : lines) {
                tokens += tokenizer.encode(line, false).length;
            }
            passes++;
        } while ((now = System.nanoTime()) < end);
        double seconds = (now - start) / 1e9;
        out.printf(Locale.ROOT, "encode: %.2f MB/s, %.0f tokens/s (%d bytes x %d passes in %.2f s, 1 thread, %s)%n",
                bytes * (double) passes / seconds / 1e6, tokens / seconds, bytes, passes, seconds, tokenizer.source());
    }
}
