package org.rlcasino.cli;

import org.rlcasino.io.PathGuard;

/**
 * A command that reads or writes files declares them here; {@link Casino} checks the declarations
 * ({@link PathGuard#check()}: no output over an input, a device or a directory, …) before the
 * command runs, so every command gets the same checks and the same messages.
 */
interface DeclaresFiles {
    /** Declares the command's input and output paths (null ones are ignored) on {@code files}. */
    void declareFiles(PathGuard files);
}
