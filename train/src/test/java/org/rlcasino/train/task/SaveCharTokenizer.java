package org.rlcasino.train.task;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.model.GptConfig;

/**
 * Writes the tasks' character tokenizer for {@code train/src/test/python/check_char_tokenizer.py} to load
 * with {@code AutoTokenizer}: {@code OUT/tokenizer/} (what {@link CharTokenizer#save} writes),
 * {@code OUT/gpt2/} (a tiny GPT-2 directory with zero weights, saved as the trainer saves a model) and
 * {@code OUT/expected.json} (texts and the ids {@link CharTokenizer#encode} gives them). With
 * {@code --load DIR} it instead reads {@code DIR/tokenizer.json} (e.g. as {@code save_pretrained}
 * rewrote it) and fails unless it is the tasks' tokenizer. Not a test: run it from the repository root,
 * e.g. {@code java -cp cli/target/casino.jar:train/target/test-classes --add-modules=jdk.incubator.vector
 * --add-opens=java.base/java.nio=ALL-UNNAMED org.rlcasino.train.task.SaveCharTokenizer /tmp/chartok}.
 */
public final class SaveCharTokenizer {
    private SaveCharTokenizer() {}

    public static void main(String[] args) throws Exception {
        CharTokenizer tok = CharTokenizer.tasks();
        if (args.length == 2 && args[0].equals("--load")) {
            CharTokenizer back = CharTokenizer.load(Path.of(args[1]).resolve(CharTokenizer.FILE_NAME));
            if (!back.equals(tok)) {
                throw new IllegalStateException(args[1] + ": read back " + back.vocab() + ", expected " + tok.vocab());
            }
            System.out.println("java: " + args[1] + " loads as the tasks' tokenizer " + back.vocab());
            return;
        }
        Path out = Path.of(args.length > 0 ? args[0] : "chartok");
        tok.save(Files.createDirectories(out.resolve("tokenizer")).resolve(CharTokenizer.FILE_NAME));
        GptConfig gpt = new GptConfig(tok.vocabSize(), 16, 1, 2, 8);
        ModelDirectory.save(out.resolve("gpt2"), gpt, new float[gpt.layout().totalSize()], tok);

        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("end_token", CharTokenizer.END_TOKEN);
        root.put("end_id", CharTokenizer.END);
        ArrayNode cases = root.putArray("cases");
        List<String> texts = new java.util.ArrayList<>(List.of("12+34=", "s3141=r", "r0120=", "37+45=82", "0123456789+=rs", ""));
        String alphabet = String.join("", tok.vocab().subList(1, tok.vocabSize()));
        alphabet.chars().forEach(c -> texts.add(String.valueOf((char) c)));
        for (String text : texts) {
            ObjectNode c = cases.addObject();
            c.put("text", text);
            ArrayNode ids = c.putArray("ids");
            Arrays.stream(tok.encode(text)).forEach(ids::add);
        }
        Files.write(out.resolve("expected.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        System.out.println("java: wrote " + out.resolve("tokenizer") + ", " + out.resolve("gpt2") + " and " + out.resolve("expected.json")
                + " (" + texts.size() + " texts)");
    }
}
