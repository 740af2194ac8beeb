package org.rlcasino.experiment;

/** A stage of a run failed; the stages before it finished and keep their outputs. */
public final class StageFailedException extends RuntimeException {
    private final String stage;
    private final boolean badInput;

    public StageFailedException(String stage, Throwable cause, boolean badInput) {
        super("stage '" + stage + "' failed: " + describe(cause), cause);
        this.stage = stage;
        this.badInput = badInput;
    }

    /** The stage that failed. */
    public String stage() {
        return stage;
    }

    /** Whether the failure came from the user's input (exit code 2) rather than an internal error (1). */
    public boolean badInput() {
        return badInput;
    }

    private static String describe(Throwable cause) {
        if (cause instanceof IllegalArgumentException || cause instanceof java.nio.file.NoSuchFileException) {
            return cause instanceof java.nio.file.NoSuchFileException missing ? missing.getFile() + ": no such file"
                    : cause.getMessage();
        }
        return cause.toString();
    }
}
