package org.rlcasino.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.rlcasino.io.safetensors.SafetensorsFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code casino sample --prompt-ids} on the tiny Hugging Face models of every family
 * (train/src/test/resources/families): the greedy continuation is transformers' generate(do_sample=False),
 * token for token; {@code --logprobs} adds one log-probability per generated token; and {@code casino
 * train} runs a run-config whose model.init is such a directory, after which {@code sample --prompt} works.
 */
class SampleCommandTest {
    private static final Path FAMILIES = Path.of("../train/src/test/resources/families");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "gemma3"})
    void greedyIdsAreTransformersGenerateAndLogprobsComeWithThem(String family) throws Exception {
        long[] prompts;
        long[] generated;
        try (SafetensorsFile reference = SafetensorsFile.open(FAMILIES.resolve(family + "-reference.safetensors"))) {
            prompts = reference.readLongs("prompt_ids");
            generated = reference.readLongs("generated_ids");
        }
        StringBuilder prompt = new StringBuilder();
        StringBuilder want = new StringBuilder();
        for (int t = 0; t < 5; t++) {
            prompt.append(t == 0 ? "" : ",").append(prompts[t]);
        }
        for (int t = 0; t < 32; t++) {
            want.append(t == 0 ? "" : ",").append(generated[5 + t]);
        }
        CliRun ids = CliRun.run("sample", "--model", FAMILIES.resolve(family + "-model"), "--prompt-ids", prompt, "--max-new", 32,
                "--threads", 1);
        assertThat(ids.code()).as(ids.err()).isZero();
        assertThat(ids.out().strip()).isEqualTo(want.toString());

        CliRun scored = CliRun.run("sample", "--model", FAMILIES.resolve(family + "-model"), "--prompt-ids", prompt, "--max-new", 4,
                "--temperature", 1.0, "--samples", 2, "--seed", 3, "--logprobs", "--threads", 1);
        assertThat(scored.code()).as(scored.err()).isZero();
        List<String> lines = scored.out().lines().toList();
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            String[] parts = line.split("\t");
            assertThat(parts).hasSize(2);
            assertThat(parts[0].split(",")).hasSize(4);
            assertThat(parts[1].split(",")).hasSize(4).allSatisfy(x -> assertThat(Double.parseDouble(x)).isLessThanOrEqualTo(0));
        }
    }

    @Test
    void badPromptsAreRefusedWithWhatToDo() {
        Path llama = FAMILIES.resolve("llama-model");
        CliRun text = CliRun.run("sample", "--model", llama, "--prompt", "3+4=");
        assertThat(text.code()).isEqualTo(2);
        assertThat(text.err()).contains("--prompt-ids");
        CliRun outside = CliRun.run("sample", "--model", llama, "--prompt-ids", "1,2,999");
        assertThat(outside.code()).isEqualTo(2);
        assertThat(outside.err()).contains("999").contains("vocabulary");
        CliRun both = CliRun.run("sample", "--model", llama, "--prompt-ids", "1,2", "--prompt", "x");
        assertThat(both.code()).isEqualTo(2);
    }

    /** A directory with a Hugging Face tokenizer.json (not the trainer's): --prompt encodes with it, adds its BOS, stops at its eos. */
    @Test
    void aPromptIsEncodedWithTheDirectorysHuggingFaceTokenizer() throws Exception {
        Path model = llamaWithTokenizer();
        String letters = LETTERS;
        CliRun text = CliRun.run("sample", "--model", model, "--prompt", "Hello", "--max-new", 6, "--threads", 1);
        assertThat(text.code()).as(text.err()).isZero();
        // the same continuation as the ids of "<s>hello" (BOS from the template, lower-cased), decoded without special tokens
        CliRun ids = CliRun.run("sample", "--model", model, "--prompt-ids", "0,9,6,13,13,16", "--max-new", 6, "--stop-id", 1,
                "--threads", 1);
        assertThat(ids.code()).as(ids.err()).isZero();
        assertThat(text.out().strip()).isEqualTo(("Hello" + letters(ids.out())).strip());
    }

    /** --chat: the user message rendered with the chat template, the reply up to its end-of-turn token. */
    @Test
    void aChatMessageIsRenderedWithTheChatTemplate() throws Exception {
        Path model = llamaWithTokenizer();
        Files.writeString(model.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "eos_token": "</s>",
                 "chat_template": "{% for m in messages %}<s>{{ m.content }}</s>{% endfor %}{% if add_generation_prompt %}<s>{% endif %}"}
                """);
        CliRun chat = CliRun.run("sample", "--model", model, "--chat", "Hi", "--max-new", 6, "--threads", 1);
        assertThat(chat.code()).as(chat.err()).isZero();
        // "<s>hi</s><s>" as ids (the template writes the specials; no BOS added), stopping at "</s>"
        CliRun ids = CliRun.run("sample", "--model", model, "--prompt-ids", "0,9,10,1,0", "--max-new", 6, "--stop-id", 1,
                "--threads", 1);
        assertThat(ids.code()).as(ids.err()).isZero();
        assertThat(chat.out().strip()).isEqualTo(letters(ids.out()).strip());

        Files.writeString(model.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}");
        CliRun none = CliRun.run("sample", "--model", model, "--chat", "Hi");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("chat template");
    }

    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz ";

    /** The letters of comma-separated ids (2.. = a..z, space), specials left out. */
    private static String letters(String ids) {
        StringBuilder decoded = new StringBuilder();
        for (String id : ids.strip().split(",")) {
            int t = Integer.parseInt(id);
            if (t >= 2 && t < 2 + LETTERS.length()) {
                decoded.append(LETTERS.charAt(t - 2));
            }
        }
        return decoded.toString();
    }

    /** The tiny Llama fixture with a lower-casing character-level tokenizer: <s> = 0, </s> = 1, a = 2 … */
    private Path llamaWithTokenizer() throws Exception {
        Path model = dir.resolve("llama-with-tokenizer");
        Files.createDirectories(model);
        try (var files = Files.list(FAMILIES.resolve("llama-model"))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        StringBuilder vocab = new StringBuilder("\"<s>\": 0, \"</s>\": 1");
        String letters = LETTERS;
        for (int i = 0; i < letters.length(); i++) {
            vocab.append(", \"").append(letters.charAt(i)).append("\": ").append(i + 2);
        }
        Files.writeString(model.resolve("tokenizer.json"), """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [{"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                                  {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": {"type": "Lowercase"},
                 "pre_tokenizer": {"type": "Split", "pattern": {"String": ""}, "behavior": "Isolated", "invert": false},
                 "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [{"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}},
                 "decoder": {"type": "Fuse"},
                 "model": {"type": "WordLevel", "vocab": {%s}, "unk_token": "</s>"}}
                """.formatted(vocab));
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}");
        return model;
    }

    @Test
    void casinoTrainRunsAFamilyFromModelInitAndItsDirectorySamples() throws Exception {
        Path config = dir.resolve("qwen3.json");
        Files.writeString(config, """
                {"name": "qwen3-tiny", "seed": 1,
                 "model": {"init": "%s"},
                 "task": {"kind": "addition", "digits": 1, "heldOutPrompts": 10},
                 "optimizer": {"lr": 1e-2},
                 "phases": [{"name": "sft", "kind": "sft", "steps": 3, "batchSize": 4},
                            {"name": "rl", "kind": "grpo", "steps": 2, "batchSize": 2, "groupSize": 3}]}
                """.formatted(FAMILIES.resolve("qwen3-model").toAbsolutePath().toString().replace("\\", "\\\\")));
        Path out = dir.resolve("out");
        CliRun train = CliRun.run("train", config, "--out", out, "--threads", 1, "--quiet");
        assertThat(train.code()).as(train.err()).isZero();
        assertThat(Files.readString(out.resolve("rl/final/config.json"))).contains("\"qwen3\"");
        CliRun sample = CliRun.run("sample", "--model", out.resolve("rl/final"), "--prompt", "3+4=", "--max-new", 3, "--threads", 1);
        assertThat(sample.code()).as(sample.err()).isZero();
        assertThat(sample.out()).startsWith("3+4=");
    }
}
