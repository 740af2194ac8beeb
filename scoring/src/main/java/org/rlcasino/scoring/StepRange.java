package org.rlcasino.scoring;

import java.util.ArrayList;
import java.util.List;

import org.rlcasino.io.arrow.DeltaStep;

/**
 * Which delta steps a scorer uses, by step number (the {@code step} column: t of
 * δ_t = θ_t − θ_{t−1}), <b>inclusive at both ends</b>: {@code 10:40} is steps 10 to 40,
 * {@code :100} every step up to and including 100 (the first 100 training steps when steps count
 * from 1), {@code 50:} step 50 to the end, {@code 7} step 7 alone. A null bound is open.
 *
 * @param first the first step number used, or null for the file's first step
 * @param last  the last step number used, or null for the file's last step
 */
public record StepRange(Integer first, Integer last) {
    /** Every step of the file. */
    public static final StepRange ALL = new StepRange(null, null);

    public StepRange {
        if (first != null && first < 0 || last != null && last < 0) {
            throw new IllegalArgumentException("step range bounds must be >= 0, got " + describe(first, last));
        }
        if (first != null && last != null && first > last) {
            throw new IllegalArgumentException("step range " + describe(first, last) + " is empty: the first step must be <= the last (both inclusive)");
        }
    }

    /** Parses {@code A:B}, {@code A:}, {@code :B}, {@code :} or {@code A} (step numbers, inclusive). */
    public static StepRange parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--steps must look like A:B, A:, :B or A (step numbers, inclusive), got '" + text + "'");
        }
        String s = text.strip();
        int colon = s.indexOf(':');
        try {
            if (colon < 0) {
                int step = Integer.parseInt(s);
                return new StepRange(step, step);
            }
            String a = s.substring(0, colon).strip();
            String b = s.substring(colon + 1).strip();
            return new StepRange(a.isEmpty() ? null : Integer.valueOf(a), b.isEmpty() ? null : Integer.valueOf(b));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--steps must look like A:B, A:, :B or A (step numbers, inclusive), got '" + text + "'");
        }
    }

    /**
     * The file's steps in this range, ascending.
     *
     * @throws IllegalArgumentException if a given bound lies outside the file's first..last step, or no step is in range
     */
    public List<Integer> select(List<DeltaStep> fileSteps) {
        if (fileSteps.isEmpty()) {
            throw new IllegalArgumentException("the delta stream holds no steps");
        }
        int fileFirst = fileSteps.getFirst().step();
        int fileLast = fileSteps.getLast().step();
        String span = "the file holds steps " + fileFirst + ".." + fileLast + " (" + fileSteps.size() + " steps)";
        if (first != null && (first < fileFirst || first > fileLast)) {
            throw new IllegalArgumentException("--steps " + this + ": step " + first + " is not in the file; " + span);
        }
        if (last != null && (last < fileFirst || last > fileLast)) {
            throw new IllegalArgumentException("--steps " + this + ": step " + last + " is not in the file; " + span);
        }
        List<Integer> steps = new ArrayList<>();
        for (DeltaStep s : fileSteps) {
            if ((first == null || s.step() >= first) && (last == null || s.step() <= last)) {
                steps.add(s.step());
            }
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("--steps " + this + " selects none of the file's steps; " + span);
        }
        return List.copyOf(steps);
    }

    private static String describe(Integer first, Integer last) {
        return (first == null ? "" : first.toString()) + ":" + (last == null ? "" : last.toString());
    }

    @Override
    public String toString() {
        return describe(first, last);
    }
}
