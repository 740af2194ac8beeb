package org.rlcasino.io.arrow;

/**
 * A file is not what a reader expects: not an Arrow IPC file, truncated, another RL Casino
 * format, a newer version, or contents that break the format's rules. The message names the
 * file, says what is wrong and what to do.
 */
public class ArrowFormatException extends IllegalArgumentException {
    public ArrowFormatException(String message) {
        super(message);
    }

    public ArrowFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
