package org.rlcasino.tokenizers.chat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlcasino.tokenizers.Tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chat renderings as token ids, on the committed tiny Llama's tokenizer and chat template
 * (data/chat/tiny-llama; train's ChatDatasetTest checks the same ids against transformers).
 */
class ChatEncodingTest {
    private static final Path MODEL = Path.of("../data/chat/tiny-llama");
    private static final List<Map<String, String>> USER = List.of(Map.of("role", "user", "content", "What is 2 + 3?"));
    private static final List<Map<String, String>> REPLY = List.of(Map.of("role", "assistant", "content", "5"));

    @Test
    void promptsRepliesAndTheEndOfTurnToken() throws Exception {
        ChatEncoding chat = ChatEncoding.fromModelDirectory(MODEL);
        Tokenizer tokenizer = chat.tokenizer();
        int eot = tokenizer.tokenId("<|eot_id|>").getAsInt();
        assertThat(chat.endOfTurn()).hasValue(eot);
        int[] prompt = chat.prompt(USER);
        assertThat(prompt).startsWith(tokenizer.bosId().getAsInt())
                .isEqualTo(tokenizer.encode(chat.template().render(USER, true), false));
        int[] reply = chat.reply(USER, REPLY);
        assertThat(reply).containsExactly(tokenizer.tokenId("5").getAsInt(), eot);
    }

    @Test
    void templatesThatCannotSplitARepliesOffOrEndNoTurnAreSaid() throws Exception {
        Tokenizer tokenizer = Tokenizer.load(MODEL);
        // the generation prompt is not what the template writes before an assistant message
        ChatTemplate mismatched = ChatTemplate.of("{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>{{ m.content }}"
                + "<|eot_id|>{% endfor %}{% if add_generation_prompt %}<|start_header_id|>bot<|end_header_id|>{% endif %}", Map.of());
        assertThatThrownBy(() -> new ChatEncoding(mismatched, tokenizer)).hasMessageContaining("cannot be split off");
        ChatTemplate plain = ChatTemplate.of("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}", Map.of());
        assertThat(new ChatEncoding(plain, tokenizer).endOfTurn()).isEmpty();
    }
}
