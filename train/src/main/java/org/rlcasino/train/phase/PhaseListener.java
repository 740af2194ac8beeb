package org.rlcasino.train.phase;

/** Hears about a phase's progress (the CLI draws its progress line from it). */
public interface PhaseListener {
    /** Before the first step; {@code firstStep} > 1 when resuming. */
    default void begin(String phase, int firstStep, int steps) {}

    /** After each step. */
    default void step(StepMetrics metrics, int steps) {}

    /** After the phase's summary is written. */
    default void end(String phase) {}

    /** A one-line message (mask built, resumed from …). */
    default void note(String message) {}

    PhaseListener NONE = new PhaseListener() {};
}
