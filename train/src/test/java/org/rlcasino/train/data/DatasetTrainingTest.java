package org.rlcasino.train.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.train.PhaseSummary;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.phase.PhaseListener;
import org.rlcasino.train.phase.PhaseTrainer;
import org.rlcasino.train.task.Problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A prompts dataset (TRL's JSON Lines: prompt + answer) trains a model family with its own Hugging
 * Face tokenizer: SFT on the answers, GRPO and online DPO rewarded by exact match of the decoded
 * final answer, then BSR-AdamW on a mask from the GRPO deltas; every final directory carries the
 * model's tokenizer files, and bad datasets are refused by file and line.
 */
class DatasetTrainingTest {
    private static final Path FAMILIES = Path.of("src/test/resources/families").toAbsolutePath();
    private static final String ALPHABET = "0123456789+=? ";

    @TempDir
    Path dir;

    /** The tiny Qwen3 fixture with a character-level Hugging Face tokenizer (BOS via its template, eos id 1). */
    private Path modelWithTokenizer() throws Exception {
        Path model = dir.resolve("qwen3-chars");
        Files.createDirectories(model);
        try (var files = Files.list(FAMILIES.resolve("qwen3-model"))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        StringBuilder vocab = new StringBuilder("\"<s>\": 0, \"</s>\": 1");
        for (int i = 0; i < ALPHABET.length(); i++) {
            vocab.append(", \"").append(ALPHABET.charAt(i)).append("\": ").append(i + 2);
        }
        Files.writeString(model.resolve("tokenizer.json"), """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [{"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                                  {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "Split", "pattern": {"String": ""}, "behavior": "Isolated", "invert": false},
                 "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [{"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}},
                 "decoder": {"type": "Fuse"},
                 "model": {"type": "WordLevel", "vocab": {%s}, "unk_token": "?"}}
                """.formatted(vocab));
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}");
        return model;
    }

    private Path prompts(int rows) throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int a = r.nextInt(10);
            int b = r.nextInt(10);
            lines.add("{\"prompt\": \"" + a + "+" + b + "=\", \"answer\": " + (a + b) + "}");
        }
        Path f = dir.resolve("sums.jsonl");
        Files.write(f, lines, StandardCharsets.UTF_8);
        return f;
    }

    private RunConfig config(Path model, Path data, String extraTask) {
        String json = """
                {"name": "sums", "seed": 3,
                 "model": {"init": "%s"},
                 "task": {"kind": "prompts", "file": "%s", "heldOutPrompts": 8, "maxCompletionTokens": 4%s},
                 "optimizer": {"lr": 3e-3},
                 "phases": [
                   {"name": "sft", "kind": "sft", "steps": 3, "batchSize": 4},
                   {"name": "warm", "kind": "grpo", "steps": 2, "batchSize": 2, "groupSize": 3, "logDeltas": {}},
                   {"name": "bsr", "kind": "grpo", "from": "warm", "steps": 2, "batchSize": 2, "groupSize": 3,
                    "optimizer": "bsr-adamw", "mask": {"fromPhase": "warm", "sparsity": 90}},
                   {"name": "dpo", "kind": "dpo", "from": "warm", "steps": 2, "batchSize": 2, "groupSize": 3, "temperature": 2.0}
                 ]}
                """.formatted(model, data, extraTask);
        return RunConfigLoader.parse("sums.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPromptDatasetTrainsAFamilyWithItsOwnTokenizer() throws Exception {
        Path model = modelWithTokenizer();
        Path data = prompts(60);
        RunConfig config = config(model, data, "");
        PromptDatasetTask task = PromptDatasetTask.open(config.task(), model);
        Tokenizer tokenizer = Tokenizer.load(model);
        assertThat(task.heldOut()).hasSize(8);
        assertThat(task.trainingRows()).isEqualTo(52);
        Problem p = task.heldOut().getFirst();
        assertThat(task.promptTokens(p)).isEqualTo(tokenizer.encode(p.prompt(), true)).startsWith(0);
        int[] answer = task.answerTokens(p);
        assertThat(answer[answer.length - 1]).isEqualTo(1);
        assertThat(task.reward(p, answer)).as("the answer's own tokens").isEqualTo(1.0);
        assertThat(task.reward(p, new int[] {tokenizer.tokenId("9").getAsInt(), tokenizer.tokenId("9").getAsInt(), 1}))
                .isEqualTo(p.answer().equals("99") ? 1.0 : 0.0);

        Path run = dir.resolve("run");
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            for (var phase : config.phases()) {
                PhaseSummary s = PhaseTrainer.run(config, phase.name(), run, backend, false, PhaseListener.NONE);
                assertThat(s.heldOutPrompts()).isEqualTo(8);
            }
        }
        for (String phase : List.of("sft", "warm", "bsr", "dpo")) {
            Path fin = run.resolve(phase).resolve("final");
            assertThat(fin.resolve("tokenizer.json")).hasSameTextualContentAs(model.resolve("tokenizer.json"));
            assertThat(fin.resolve("tokenizer_config.json")).isRegularFile();
            assertThat(ModelDirectory.load(fin).params()).as(phase).isNotEqualTo(ModelDirectory.load(model).params());
        }
        assertThat(run.resolve("bsr/mask.arrow")).isRegularFile();
    }

    /** Offline DPO on prompt/chosen/rejected rows: no sampling, the first step's loss is ln 2 (policy = reference). */
    @Test
    void aPreferenceDatasetTrainsOfflineDpo() throws Exception {
        Path model = modelWithTokenizer();
        SplittableRandom r = new SplittableRandom(11);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int a = r.nextInt(10);
            int b = r.nextInt(10);
            lines.add("{\"prompt\": \"" + a + "+" + b + "=\", \"chosen\": \"" + (a + b) + "\", \"rejected\": \"" + (a + b + 1) + "\"}");
        }
        Path data = dir.resolve("prefs.jsonl");
        Files.write(data, lines, StandardCharsets.UTF_8);
        String json = """
                {"name": "prefs", "seed": 3,
                 "model": {"init": "%s"},
                 "task": {"kind": "preferences", "file": "%s", "heldOutPrompts": 6, "maxCompletionTokens": 4},
                 "optimizer": {"lr": 3e-3},
                 "phases": [
                   {"name": "sft", "kind": "sft", "steps": 2, "batchSize": 4},
                   {"name": "dpo", "kind": "dpo", "steps": 4, "batchSize": 4, "beta": 0.1, "logDeltas": {}},
                   {"name": "bsr", "kind": "dpo", "from": "dpo", "steps": 2, "batchSize": 4, "optimizer": "bsr-adamw",
                    "mask": {"fromPhase": "dpo", "sparsity": 90}}
                 ]}
                """.formatted(model, data);
        RunConfig config = RunConfigLoader.parse("prefs.json", json.getBytes(StandardCharsets.UTF_8));
        PreferenceDatasetTask task = PreferenceDatasetTask.open(config.task(), model);
        assertThat(task.hasPreferences()).isTrue();
        Problem p = task.heldOut().getFirst();
        assertThat(task.reward(p, task.answerTokens(p))).as("the chosen completion").isEqualTo(1.0);
        Path run = dir.resolve("prefs-run");
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            for (var phase : config.phases()) {
                PhaseTrainer.run(config, phase.name(), run, backend, false, PhaseListener.NONE);
            }
        }
        List<String> metrics = Files.readAllLines(run.resolve("dpo/metrics.csv"));
        double firstLoss = Double.parseDouble(metrics.get(1).split(",")[2]);
        assertThat(firstLoss).isCloseTo(Math.log(2), org.assertj.core.api.Assertions.within(1e-6));
        assertThat(Double.parseDouble(metrics.get(1).split(",")[7])).as("no sampling").isZero();
        assertThat(run.resolve("bsr/mask.arrow")).isRegularFile();
        assertThat(run.resolve("bsr/final/tokenizer.json")).isRegularFile();

        // TRL's precompute_ref_log_probs: the reference's log-probs once, before the first step; the same training
        RunConfig precomputed = RunConfigLoader.parse("prefs.json", json.replace("\"beta\": 0.1,", "\"beta\": 0.1, \"precomputeReference\": true,")
                .getBytes(StandardCharsets.UTF_8));
        Path again = dir.resolve("prefs-precomputed");
        List<String> notes = new ArrayList<>();
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            for (var phase : precomputed.phases().subList(0, 2)) {
                PhaseTrainer.run(precomputed, phase.name(), again, backend, false, new PhaseListener() {
                    @Override
                    public void note(String message) {
                        notes.add(message);
                    }
                });
            }
        }
        assertThat(notes).anyMatch(n -> n.contains("reference log-probs of 34 pairs precomputed"));
        org.rlcasino.testsupport.NumericAssertions.assertClose("precomputed reference", ModelDirectory.load(again.resolve("dpo/final")).params(),
                ModelDirectory.load(run.resolve("dpo/final")).params(), 1e-6, 1e-5);
    }

    @Test
    void datasetsThatCannotTrainAreRefusedSayingWhy() throws Exception {
        Path model = modelWithTokenizer();
        Path data = prompts(10);
        assertThatThrownBy(() -> PromptDatasetTask.open(config(model, data, "").task(), model))
                .hasMessageContaining("heldOutPrompts 8 is more than half of its 10 rows");
        Path noTokenizer = FAMILIES.resolve("qwen3-model");
        assertThatThrownBy(() -> PromptDatasetTask.open(config(model, prompts(40), "").task(), noTokenizer))
                .hasMessageContaining("model's own tokenizer").hasMessageContaining("has none");
        Path chat = dir.resolve("chat.jsonl");
        Files.writeString(chat, "{\"prompt\": [{\"role\": \"user\", \"content\": \"1+1=\"}], \"answer\": 2}\n".repeat(20));
        assertThatThrownBy(() -> PromptDatasetTask.open(config(model, chat, "").task(), model)).hasMessageContaining("chat.jsonl")
                .hasMessageContaining("chat template").hasMessageContaining(model.toString());
        Path noAnswer = dir.resolve("noanswer.jsonl");
        Files.writeString(noAnswer, "{\"prompt\": \"1+1=\"}\n".repeat(20));
        assertThatThrownBy(() -> PromptDatasetTask.open(config(model, noAnswer, "").task(), model))
                .hasMessageContaining("noanswer.jsonl:1: no 'answer' column");
        // a format reward needs no answer
        PromptDatasetTask format = PromptDatasetTask.open(config(model, noAnswer, ", \"reward\": \"format\", \"pattern\": \"[0-9]+\"").task(), model);
        assertThat(format.reward(format.heldOut().getFirst(), new int[] {4, 1})).isEqualTo(1.0);
        assertThat(format.reward(format.heldOut().getFirst(), new int[] {12, 1})).isEqualTo(0.0);
    }
}
