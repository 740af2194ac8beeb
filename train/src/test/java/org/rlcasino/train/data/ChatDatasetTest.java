package org.rlcasino.train.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.io.config.TaskSection;
import org.rlcasino.io.data.DatasetReader;
import org.rlcasino.io.data.DatasetText;
import org.rlcasino.io.data.PreferenceExample;
import org.rlcasino.io.data.PromptExample;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.family.DecoderArchitecture;
import org.rlcasino.train.phase.PhaseListener;
import org.rlcasino.train.phase.PhaseTrainer;
import org.rlcasino.train.task.Problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Conversational datasets: rows rendered with the model's chat template and split into prompt and
 * completion tokens as TRL's DPOTrainer does (ids from transformers, {@code chat_dataset_ids.py}),
 * the completion ending at the template's end-of-turn token; and the committed chat data training a
 * Llama built from {@code data/chat/tiny-llama}'s config with random weights.
 */
class ChatDatasetTest {
    private static final Path CHAT = Path.of("../data/chat").toAbsolutePath().normalize();
    private static final Path MODEL = CHAT.resolve("tiny-llama");
    private static final Path IDS = Path.of("src/test/resources/data/chat-dataset-ids.json");

    @TempDir
    Path dir;

    private static TaskSection section(String kind, Path file, String extra) {
        String json = """
                {"name": "chat", "model": {"config": "%s"},
                 "task": {"kind": "%s", "file": "%s", "heldOutPrompts": 40, "maxCompletionTokens": 8%s}}
                """.formatted(MODEL, kind, file, extra);
        return RunConfigLoader.parse("chat.json", json.getBytes(StandardCharsets.UTF_8)).task();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void conversationsAreTokenizedAsTrlDoes() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(IDS.toFile());
        Tokenizer tokenizer = Tokenizer.load(MODEL);
        int eot = tokenizer.tokenId("<|eot_id|>").getAsInt();

        Path preferencesFile = CHAT.resolve("arithmetic-preferences.jsonl");
        TaskSection preferences = section("preferences", preferencesFile, "");
        DatasetEncoder encoder = DatasetEncoder.open(tokenizer, MODEL, preferences, true);
        assertThat(encoder.endToken()).as("the template's end-of-turn token").isEqualTo(eot);
        List<PreferenceExample> rows = DatasetReader.preferences(preferencesFile, new DatasetReader.Columns("prompt", "chosen", "rejected",
                null), DatasetReader.BadRows.FAIL).examples();
        JsonNode want = expected.get("preferences");
        for (int i = 0; i < want.size(); i++) {
            PreferenceExample row = rows.get(i);
            assertThat(encoder.prompt(row.prompt(), 256, "row")).as("prompt %d", i).isEqualTo(ints(want.get(i).get("prompt_ids")));
            assertThat(encoder.completion(row.prompt(), row.chosen(), 64, "row")).as("chosen %d", i)
                    .isEqualTo(ints(want.get(i).get("chosen_ids")));
            assertThat(encoder.completion(row.prompt(), row.rejected(), 64, "row")).as("rejected %d", i)
                    .isEqualTo(ints(want.get(i).get("rejected_ids")));
        }

        Path promptsFile = CHAT.resolve("arithmetic-prompts.jsonl");
        PromptDatasetTask prompts = PromptDatasetTask.open(section("prompts", promptsFile, ""), MODEL);
        List<PromptExample> promptRows = DatasetReader.prompts(promptsFile, new DatasetReader.Columns("prompt", null, null, "answer"),
                DatasetReader.BadRows.FAIL).examples();
        assertThat(prompts.stopToken()).isEqualTo(eot);
        JsonNode wantPrompts = expected.get("prompts");
        for (int i = 0; i < wantPrompts.size(); i++) {
            int[] promptIds = ints(wantPrompts.get(i).get("prompt_ids"));
            String answer = promptRows.get(i).answer();
            // found by its prompt tokens wherever the split put it
            Problem p = findProblem(prompts, promptIds);
            assertThat(p.answer()).isEqualTo(answer);
            assertThat(prompts.answerTokens(p)).as("SFT target %d", i).isEqualTo(ints(wantPrompts.get(i).get("answer_ids")));
            assertThat(prompts.reward(p, prompts.answerTokens(p))).isEqualTo(1.0);
        }
    }

    private static Problem findProblem(PromptDatasetTask task, int[] promptIds) {
        List<Problem> all = new ArrayList<>(task.heldOut());
        all.addAll(task.training);
        return all.stream().filter(p -> java.util.Arrays.equals(p.promptIds(), promptIds)).findFirst().orElseThrow();
    }

    @Test
    void stringsCanBeRenderedAsChat() throws Exception {
        Tokenizer tokenizer = Tokenizer.load(MODEL);
        Path file = dir.resolve("plain.jsonl");
        Files.writeString(file, "{\"prompt\": \"What is 2 + 3?\", \"chosen\": \"5\", \"rejected\": \"6\"}\n");
        DatasetEncoder always = DatasetEncoder.open(tokenizer, MODEL, section("preferences", file, ", \"chatTemplate\": \"always\""), false);
        DatasetEncoder chat = DatasetEncoder.open(tokenizer, MODEL, section("preferences", file, ""), true);
        var user = new DatasetText.Conversation(List.of(new org.rlcasino.io.data.ChatMessage("user", "What is 2 + 3?")));
        var reply = new DatasetText.Conversation(List.of(new org.rlcasino.io.data.ChatMessage("assistant", "5")));
        assertThat(always.prompt(new DatasetText.Plain("What is 2 + 3?"), 64, "r")).isEqualTo(chat.prompt(user, 64, "r"));
        assertThat(always.completion(new DatasetText.Plain("What is 2 + 3?"), new DatasetText.Plain("5"), 64, "r"))
                .isEqualTo(chat.completion(user, reply, 64, "r"));
        // a plain encoder keeps TRL's string handling: BOS from the post-processor, eos after the completion
        DatasetEncoder plain = DatasetEncoder.open(tokenizer, MODEL, section("preferences", file, ""), false);
        assertThat(plain.prompt(new DatasetText.Plain("2 + 3"), 64, "r")).startsWith(tokenizer.bosId().getAsInt());
        int[] c = plain.completion(new DatasetText.Plain("2 + 3"), new DatasetText.Plain("5"), 3, "r");
        assertThat(c[c.length - 1]).isEqualTo(tokenizer.eosId().getAsInt());
    }

    /** A template that writes a newline after each turn's end token (as Qwen's and Gemma's): the completion stops at the token. */
    @Test
    void completionsEndAtTheTemplatesEndOfTurnToken() throws Exception {
        Path model = dir.resolve("newline-template");
        Files.createDirectories(model);
        Files.copy(MODEL.resolve("tokenizer.json"), model.resolve("tokenizer.json"));
        Files.copy(MODEL.resolve("config.json"), model.resolve("config.json"));
        Files.writeString(model.resolve("tokenizer_config.json"), """
                {"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>",
                 "chat_template": "{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>{{ m.content }}<|eot_id|>\\n{% endfor %}{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>{% endif %}"}
                """);
        Tokenizer tokenizer = Tokenizer.load(model);
        int eot = tokenizer.tokenId("<|eot_id|>").getAsInt();
        Path file = dir.resolve("c.jsonl");
        Files.writeString(file, "{}\n");
        DatasetEncoder encoder = DatasetEncoder.open(tokenizer, model, section("preferences", file, ""), true);
        assertThat(encoder.endToken()).isEqualTo(eot).isNotEqualTo(tokenizer.eosId().getAsInt());
        var user = new DatasetText.Conversation(List.of(new org.rlcasino.io.data.ChatMessage("user", "hi")));
        var reply = new DatasetText.Conversation(List.of(new org.rlcasino.io.data.ChatMessage("assistant", "12")));
        int[] c = encoder.completion(user, reply, 64, "r");
        assertThat(c).isEqualTo(concat(tokenizer.encode("12", false), eot));
        assertThat(encoder.completion(user, reply, 1, "r")).as("cut to the end token").containsExactly(eot);

        // a template that ends a reply with no special token cannot say where sampling stops
        Files.writeString(model.resolve("tokenizer_config.json"), """
                {"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>",
                 "chat_template": "{% for m in messages %}{{ m.role }}: {{ m.content }}\\n{% endfor %}"}
                """);
        assertThatThrownBy(() -> DatasetEncoder.open(Tokenizer.load(model), model, section("preferences", file, ""), true))
                .hasMessageContaining("no special token");
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\": \"<|end_of_text|>\"}");
        assertThatThrownBy(() -> DatasetEncoder.open(Tokenizer.load(model), model, section("preferences", file, ""), true))
                .hasMessageContaining("c.jsonl").hasMessageContaining("chat template").hasMessageContaining(model.toString());
    }

    private static int[] concat(int[] a, int b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    /** model.config: random weights of the directory's architecture (seeded), trained on the committed chat preferences. */
    @Test
    void theCommittedChatDataTrainsARandomTinyLlama() throws Exception {
        String json = """
                {"name": "chat", "seed": 5, "model": {"config": "%s"},
                 "task": {"kind": "preferences", "file": "%s", "heldOutPrompts": 40, "maxCompletionTokens": 4},
                 "optimizer": {"lr": 3e-3},
                 "phases": [
                   {"name": "sft", "kind": "sft", "steps": 3, "batchSize": 8},
                   {"name": "dpo", "kind": "dpo", "steps": 2, "batchSize": 4, "precomputeReference": true, "logDeltas": {}},
                   {"name": "bsr", "kind": "dpo", "from": "dpo", "steps": 2, "batchSize": 4, "optimizer": "bsr-adamw",
                    "mask": {"fromPhase": "dpo", "sparsity": 90}}
                 ]}
                """.formatted(MODEL, CHAT.resolve("arithmetic-preferences.jsonl"));
        RunConfig config = RunConfigLoader.parse("chat.json", json.getBytes(StandardCharsets.UTF_8));
        Path run = dir.resolve("run");
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            for (var phase : config.phases()) {
                PhaseTrainer.run(config, phase.name(), run, backend, false, PhaseListener.NONE);
            }
        }
        ModelDirectory sft = ModelDirectory.load(run.resolve("sft/final"));
        assertThat(sft.architecture()).isInstanceOf(DecoderArchitecture.class);
        assertThat(sft.architecture().family()).isEqualTo("llama");
        assertThat(run.resolve("bsr/final/tokenizer_config.json")).hasSameTextualContentAs(MODEL.resolve("tokenizer_config.json"));
        assertThat(run.resolve("bsr/mask.arrow")).isRegularFile();

        // the random start is a function of the seed: the same seed gives the same SFT result, another seed another
        Path again = dir.resolve("again");
        try (JvmBackend backend = new JvmBackend(1, 64)) {
            PhaseTrainer.run(config, "sft", again, backend, false, PhaseListener.NONE);
        }
        assertThat(ModelDirectory.load(again.resolve("sft/final")).params()).isEqualTo(sft.params());
        assertThatThrownBy(() -> RunConfigLoader.parse("x.json", """
                {"name": "x", "model": {"config": "a", "init": "b"}}""".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not both");
    }
}
