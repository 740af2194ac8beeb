package org.rlcasino.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.rlcasino.io.config.TaskSection;
import org.rlcasino.io.data.ChatMessage;
import org.rlcasino.io.data.DatasetText;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.tokenizers.chat.ChatEncoding;
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
 * the template's end-of-turn token for conversations ({@link ChatEncoding#endOfTurn()}), what each
 * family's generation config stops at. Tokens after it in the
 * rendering (Qwen's and Gemma's newline) are not part of the completion, so sampling and training
 * agree on where a reply ends; TRL trains on them too. With {@code chatTemplate: always} strings
 * are rendered too: a prompt as one user message, a completion as the assistant's reply.
 */
final class DatasetEncoder {
    private final Tokenizer tokenizer;
    private final ChatEncoding chat;
    private final boolean always;
    private final int endToken;

    private DatasetEncoder(Tokenizer tokenizer, ChatEncoding chat, boolean always, int endToken) {
        this.tokenizer = tokenizer;
        this.chat = chat;
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
        ChatEncoding chat;
        try {
            chat = new ChatEncoding(ChatTemplate.fromModelDirectory(modelDirectory), tokenizer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(section.file() + " has conversations (or chatTemplate is 'always'), which are rendered "
                    + "with the model's chat template: " + e.getMessage(), e);
        }
        int end = chat.endOfTurn().orElseThrow(() -> new IllegalArgumentException(modelDirectory + ": the chat template ends an "
                + "assistant reply with no special token, so sampling would not know where a reply ends; use string columns "
                + "(chatTemplate 'auto') or a template that closes each turn with a special token"));
        return new DatasetEncoder(tokenizer, chat, always, end);
    }

    /** The token sampling stops at: eos, or the chat template's end-of-turn token. */
    int endToken() {
        return endToken;
    }

    /** The prompt's ids, its last {@code max} kept. */
    int[] prompt(DatasetText prompt, int max, String where) {
        int[] ids;
        if (prompt instanceof DatasetText.Plain plain && !always) {
            ids = tokenizer.encode(plain.text(), true);
        } else {
            ids = chat(where, () -> chat.prompt(messages(prompt, "user")));
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
        if (chat == null) {
            if (!(completion instanceof DatasetText.Plain plain)) {
                throw new IllegalStateException("a conversation without a chat template");
            }
            ids = tokenizer.encode(plain.text(), false);
        } else { // DatasetReader refuses rows that mix strings and conversations
            int[] rendered = chat(where, () -> chat.reply(messages(prompt, "user"), messages(completion, "assistant")));
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

    /** Runs an encoding of the chat template, naming the row when the template refuses it. */
    private static int[] chat(String where, Supplier<int[]> encoding) {
        try {
            return encoding.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** A column's messages, as the template sees them; a string becomes one message of {@code role}. */
    private static List<Map<String, String>> messages(DatasetText text, String role) {
        List<ChatMessage> messages = switch (text) {
            case DatasetText.Conversation c -> c.messages();
            case DatasetText.Plain p -> List.of(new ChatMessage(role, p.text()));
        };
        List<Map<String, String>> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, String> message = new LinkedHashMap<>();
            message.put("role", m.role());
            message.put("content", m.content());
            out.add(message);
        }
        return out;
    }
}
