package org.rlcasino.tokenizers.chat;

/**
 * An error while lexing, parsing or rendering a template, before {@link ChatTemplate} names the
 * template line in a {@link ChatTemplateException}. {@code line} is filled by the innermost node
 * that knows it; {@code raised} marks the template's own {@code raise_exception(message)}.
 */
final class JinjaError extends RuntimeException {
    int line;
    final boolean raised;

    JinjaError(String message) {
        this(message, -1, false);
    }

    JinjaError(String message, int line) {
        this(message, line, false);
    }

    JinjaError(String message, int line, boolean raised) {
        super(message, null, false, false);
        this.line = line;
        this.raised = raised;
    }

    /** Sets the line if no inner node has. */
    JinjaError at(int templateLine) {
        if (line < 0) {
            line = templateLine;
        }
        return this;
    }
}
