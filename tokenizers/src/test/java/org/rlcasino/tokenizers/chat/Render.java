package org.rlcasino.tokenizers.chat;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Renders a template snippet as the interpreter's unit tests need it: no special tokens, one user
 * message "hi" as {@code messages}, no tools, the clock frozen at ChatTemplateTest's instant.
 */
final class Render {
    private static final List<Map<String, Object>> MESSAGES = List.of(Map.of("role", "user", "content", "hi"));

    private Render() {}

    static String text(String template) {
        return text(template, Map.of());
    }

    static String text(String template, Map<String, ?> variables) {
        return ChatTemplate.of(template, Map.of()).withClock(ChatTemplateTest.FROZEN).render(MESSAGES, null, false, variables);
    }

    /** The exception parsing or rendering {@code template} throws (failing the test if none). */
    static ChatTemplateException error(String template) {
        return error(template, Map.of());
    }

    static ChatTemplateException error(String template, Map<String, ?> variables) {
        ChatTemplateException e = catchThrowableOfType(ChatTemplateException.class, () -> text(template, variables));
        assertThat(e).as("an error from " + template).isNotNull();
        return e;
    }
}
