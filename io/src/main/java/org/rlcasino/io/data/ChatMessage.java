package org.rlcasino.io.data;

/**
 * One message of a conversation, as TRL's conversational datasets and chat templates have it:
 * {@code {"role": "user", "content": "..."}}.
 *
 * @param role    {@code system}, {@code user}, {@code assistant} or another role the chat template knows; not blank
 * @param content the message text (may be empty)
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("a message needs a role");
        }
        if (content == null) {
            throw new IllegalArgumentException("a message needs a content string");
        }
    }
}
