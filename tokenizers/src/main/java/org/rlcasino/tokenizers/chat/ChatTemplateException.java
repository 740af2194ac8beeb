package org.rlcasino.tokenizers.chat;

/**
 * A chat template that cannot be used or that refused a conversation: a construct outside the
 * supported Jinja subset, a syntax error, an error while rendering (an undefined attribute, a
 * type error), or the template's own {@code raise_exception(message)}. It is bad input (an
 * {@link IllegalArgumentException}); the message names the template line.
 */
public final class ChatTemplateException extends IllegalArgumentException {
    private final int line;
    private final String templateMessage;
    private final boolean raisedByTemplate;

    /** A template that cannot be used at all (none found, say): no line. */
    ChatTemplateException(String message) {
        this(message, -1, message, false);
    }

    ChatTemplateException(String message, int line, String templateMessage, boolean raisedByTemplate) {
        super(message);
        this.line = line;
        this.templateMessage = templateMessage;
        this.raisedByTemplate = raisedByTemplate;
    }

    /** The template line (1-based) where it happened, or -1 if unknown. */
    public int line() {
        return line;
    }

    /**
     * The bare message, without where: for {@code raise_exception(message)}, the template's message
     * exactly as transformers' {@code jinja2.TemplateError} carries it.
     */
    public String templateMessage() {
        return templateMessage;
    }

    /** Whether the template itself raised it with {@code raise_exception}. */
    public boolean raisedByTemplate() {
        return raisedByTemplate;
    }
}
