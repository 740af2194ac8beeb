package org.rlcasino.optimizer;

/** Thrown by a step under {@link NonFinitePolicy#FAIL} when the gradient norm is not finite. */
public final class NonFiniteGradientException extends IllegalStateException {
    public NonFiniteGradientException(String message) {
        super(message);
    }
}
