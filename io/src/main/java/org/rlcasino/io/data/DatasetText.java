package org.rlcasino.io.data;

import java.util.List;

/**
 * A text column of a TRL dataset: a plain string ("standard" format) or a list of messages
 * ("conversational" format, rendered with the model's chat template).
 */
public sealed interface DatasetText {
    /** A plain string. */
    record Plain(String text) implements DatasetText {
        public Plain {
            if (text == null) {
                throw new IllegalArgumentException("text must not be null");
            }
        }
    }

    /** A conversation: one or more messages. */
    record Conversation(List<ChatMessage> messages) implements DatasetText {
        public Conversation {
            if (messages == null || messages.isEmpty()) {
                throw new IllegalArgumentException("a conversation needs at least one message");
            }
            messages = List.copyOf(messages);
        }
    }

    /** Whether this is a conversation. */
    default boolean conversational() {
        return this instanceof Conversation;
    }
}
