package org.rlcasino.tokenizers.chat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.rlcasino.tokenizers.Tokenizer;

/**
 * A chat template with the tokenizer that encodes its renderings: conversations as token ids the way
 * transformers' {@code apply_chat_template(tokenize=True)} makes them (the rendering encoded without
 * added special tokens: the template writes them) and TRL 1.13's DPOTrainer splits them into prompt
 * and completion ({@code prompt_completion_ids[len(prompt_ids):]}).
 *
 * <p>The end-of-turn token is the last special token of an assistant reply's rendering — Llama 3's
 * {@code <|eot_id|>}, Qwen's {@code <|im_end|>}, Gemma's {@code <end_of_turn>} — where each family's
 * generation config stops; a template that closes a reply with no special token has none.
 */
public final class ChatEncoding {
    private final ChatTemplate template;
    private final Tokenizer tokenizer;
    private final OptionalInt endOfTurn;

    public ChatEncoding(ChatTemplate template, Tokenizer tokenizer) {
        this.template = template;
        this.tokenizer = tokenizer;
        int[] probe = reply(List.of(Map.of("role", "user", "content", "Hi")), List.of(Map.of("role", "assistant", "content", "Hello")));
        OptionalInt last = OptionalInt.empty();
        for (int i = probe.length - 1; i >= 0 && last.isEmpty(); i--) {
            if (tokenizer.isSpecial(probe[i])) {
                last = OptionalInt.of(probe[i]);
            }
        }
        this.endOfTurn = last;
    }

    /** The chat template and tokenizer.json of a model directory. */
    public static ChatEncoding fromModelDirectory(Path dir) throws IOException {
        return new ChatEncoding(ChatTemplate.fromModelDirectory(dir), Tokenizer.load(dir));
    }

    public ChatTemplate template() {
        return template;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The last special token of an assistant reply's rendering, if the template closes replies with one. */
    public OptionalInt endOfTurn() {
        return endOfTurn;
    }

    /** The ids of {@code messages} rendered with the generation prompt: what a model continues. */
    public int[] prompt(List<? extends Map<String, ?>> messages) {
        return tokenizer.encode(template.render(messages, true), false);
    }

    /**
     * The ids that follow the prompt's ({@link #prompt}) in the rendering of {@code prompt + reply}.
     *
     * @throws IllegalArgumentException if that rendering's ids do not begin with the prompt's (TRL
     *     warns and slices anyway; a dataset would train on a misaligned completion)
     */
    public int[] reply(List<? extends Map<String, ?>> prompt, List<? extends Map<String, ?>> reply) {
        int[] start = prompt(prompt);
        List<Map<String, ?>> all = new ArrayList<>(prompt);
        all.addAll(reply);
        int[] full = tokenizer.encode(template.render(all, false), false);
        if (full.length < start.length || !Arrays.equals(full, 0, start.length, start, 0, start.length)) {
            throw new IllegalArgumentException("the conversation with its reply does not encode to the prompt's tokens (rendered with "
                    + "the generation prompt) followed by the reply's, so the reply cannot be split off; check that the chat "
                    + "template's generation prompt is what it writes before an assistant message");
        }
        return Arrays.copyOfRange(full, start.length, full.length);
    }
}
