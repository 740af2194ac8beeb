package org.rlcasino.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlcasino.io.config.TaskSection;
import org.rlcasino.io.data.ChatMessage;
import org.rlcasino.io.data.DatasetText;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.tokenizers.chat.ChatTemplate;

/**
 * Turns a dataset's prompt and completion columns into token ids as TRL does, with the model's
 * tokenizer and, for conversations, its chat template:
 * <ul>
 *   <li>a string prompt: {@code encode(text)} with the tokenizer's special tokens (BOS…); a
 *       conversation: the template rendered with {@code add_generation_prompt=True}, encoded without
 *       special tokens (the template writes them, as {@code apply_chat_template(tokenize=True)});
 *       longer than {@code maxPromptTokens}: the last tokens are kept (TRL's left truncation);</li>
 *   <li>a string completion: its ids and the end token; a conversation (the assistant's reply): the
 *       tokens that follow the prompt's in the rendering of prompt + reply (TRL 1.13's DPOTrainer:
 *       {@code prompt_chosen_ids[len(prompt_ids):]}, where both are {@code apply_chat_template}
 *       encodings; a row whose prompt + reply encoding does not begin with the prompt's is refused,
 *       where TRL warns), cut after the template's end-of-turn token; longer than
 *       {@code maxCompletionTokens}: the first tokens and the end token.</li>
 * </ul>
 * The end token, where sampling stops, is the tokenizer's eos token for string completions, and
 * the template's end-of-turn token for conversations: the last special token of an assistant
 * reply's rendering (Llama 3's {@code <|eot_id|>}, Qwen's {@code <|im_end|>}, Gemma's
 * {@code <end_of_turn>}), what each family's generation config stops at. Tokens after it in the
 * rendering (Qwen's and Gemma's newline) are not part of the completion, so sampling and training
 * agree on where a reply ends; TRL trains on them too. With {@code chatTemplate: always} strings
 * are rendered too: a prompt as one user message, a completion as the assistant's reply.
 */
final class DatasetEncoder {
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final boolean always;
    private final int endToken;

    private DatasetEncoder(Tokenizer tokenizer, ChatTemplate template, boolean always, int endToken) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.always = always;
        this.endToken = endToken;
    }

    /**
     * The encoder of a dataset whose rows {@code conversational} says whether any column is a
     * conversation: the template is read (and its end-of-turn token found) only when one is used.
     */
    static DatasetEncoder open(Tokenizer tokenizer, Path modelDirectory, TaskSection section, boolean conversational) throws IOException {
        boolean always = section.chatTemplate().equals(TaskSection.TEMPLATE_ALWAYS);
        if (!always && !conversational) {
            return new DatasetEncoder(tokenizer, null, false, tokenizer.eosId().orElseThrow());
        }
        ChatTemplate template;
        try {
            template = ChatTemplate.fromModelDirectory(modelDirectory);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(section.file() + " has conversations (or chatTemplate is 'always'), which are rendered "
                    + "with the model's chat template: " + e.getMessage(), e);
        }
        return new DatasetEncoder(tokenizer, template, always, endOfTurn(tokenizer, template, modelDirectory));
    }

    /** The last special token of a probe reply's rendering. */
    private static int endOfTurn(Tokenizer tokenizer, ChatTemplate template, Path modelDirectory) {
        List<ChatMessage> prompt = List.of(new ChatMessage("user", "Hi"));
        int[] reply = replyTokens(tokenizer, template, prompt, List.of(new ChatMessage("assistant", "Hello")),
                modelDirectory + " chat template");
        for (int i = reply.length - 1; i >= 0; i--) {
            if (tokenizer.isSpecial(reply[i])) {
                return reply[i];
            }
        }
        throw new IllegalArgumentException(modelDirectory + ": the chat template ends an assistant reply with no special token, so "
                + "sampling would not know where a reply ends; use string columns (chatTemplate 'auto') or a template that "
                + "closes each turn with a special token");
    }

    /** The token sampling stops at: eos, or the chat template's end-of-turn token. */
    int endToken() {
        return endToken;
    }

    /** Whether completions are rendered with the chat template. */
    boolean chat() {
        return template != null;
    }

    /** The prompt's ids, its last {@code max} kept. */
    int[] prompt(DatasetText prompt, int max, String where) {
        int[] ids;
        if (prompt instanceof DatasetText.Plain plain && !always) {
            ids = tokenizer.encode(plain.text(), true);
        } else {
            ids = tokenizer.encode(render(messages(prompt, "user"), true, where), false);
        }
        if (ids.length > max) {
            ids = Arrays.copyOfRange(ids, ids.length - max, ids.length);
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException(where + ": the prompt encodes to no token");
        }
        return ids;
    }

    /** The completion's ids ending with {@link #endToken()}, its first {@code max} kept (end token included). */
    int[] completion(DatasetText prompt, DatasetText completion, int max, String where) {
        int[] ids;
        if (template == null) {
            if (!(completion instanceof DatasetText.Plain plain)) {
                throw new IllegalStateException("a conversation without a chat template");
            }
            ids = tokenizer.encode(plain.text(), false);
        } else {
            if (prompt.conversational() != completion.conversational() && !always) {
                throw new IllegalArgumentException(where + ": the prompt is " + (prompt.conversational() ? "a conversation" : "a string")
                        + " but the completion is " + (completion.conversational() ? "a conversation" : "a string")
                        + "; give both as strings or both as messages (or set chatTemplate 'always')");
            }
            int[] rendered = replyTokens(tokenizer, template, messages(prompt, "user"), messages(completion, "assistant"), where);
            int end = rendered.length;
            while (end > 0 && rendered[end - 1] != endToken) {
                end--;
            }
            ids = Arrays.copyOf(rendered, end == 0 ? rendered.length : end - 1);
        }
        int keep = Math.min(ids.length, max - 1);
        int[] out = Arrays.copyOf(ids, keep + 1);
        out[keep] = endToken;
        return out;
    }

    /** The ids of render(prompt + reply) after those of render(prompt, add_generation_prompt). */
    private static int[] replyTokens(Tokenizer tokenizer, ChatTemplate template, List<ChatMessage> prompt, List<ChatMessage> reply,
                                     String where) {
        int[] start = tokenizer.encode(render(template, prompt, true, where), false);
        List<ChatMessage> all = new ArrayList<>(prompt);
        all.addAll(reply);
        int[] full = tokenizer.encode(render(template, all, false, where), false);
        if (full.length < start.length || !Arrays.equals(full, 0, start.length, start, 0, start.length)) {
            throw new IllegalArgumentException(where + ": the conversation with its reply does not encode to the prompt's tokens "
                    + "(rendered with the generation prompt) followed by the reply's, so the completion cannot be split off; check "
                    + "that the chat template's generation prompt is what it writes before an assistant message");
        }
        return Arrays.copyOfRange(full, start.length, full.length);
    }

    private String render(List<ChatMessage> messages, boolean addGenerationPrompt, String where) {
        return render(template, messages, addGenerationPrompt, where);
    }

    private static String render(ChatTemplate template, List<ChatMessage> messages, boolean addGenerationPrompt, String where) {
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.role());
            message.put("content", m.content());
            list.add(message);
        }
        try {
            return template.render(list, addGenerationPrompt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** A column's messages; a string becomes one message of {@code role}. */
    private static List<ChatMessage> messages(DatasetText text, String role) {
        return switch (text) {
            case DatasetText.Conversation c -> c.messages();
            case DatasetText.Plain p -> List.of(new ChatMessage(role, p.text()));
        };
    }
}
