package org.rlcasino.io.config;

/** A run-config that cannot be used; the message names the file, the key path and what to change. */
public final class RunConfigException extends IllegalArgumentException {
    public RunConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
