package org.rlcasino.io.config;

import java.util.List;

/**
 * The scorers by the names that run-configs and the command line give them. {@code magnitude},
 * {@code momentum} and {@code fisher} name a scorer; with {@code momentum} the momentum formula is
 * chosen apart ({@code casino score --momentum-formula}; the paper's elsewhere).
 * {@code momentum-paper} and {@code momentum-reference} name momentum together with its formula,
 * as the experiment's predictors do, so that one table can hold both.
 *
 * <p>Each place takes one of two vocabularies: {@link #SCORERS} ({@code casino score --method},
 * {@code casino bench scoring --methods}, a phase's {@code mask.scorer}) or {@link #PREDICTORS}
 * ({@code maskQuality.methods}, {@code quality.maskMethods}); {@link #parse} reads both.
 */
public enum ScorerName {
    MAGNITUDE("magnitude", null),
    MOMENTUM("momentum", null),
    MOMENTUM_PAPER("momentum-paper", "paper"),
    MOMENTUM_REFERENCE("momentum-reference", "reference"),
    FISHER("fisher", null);

    /** The scorers, the momentum formula given apart. */
    public static final List<ScorerName> SCORERS = List.of(MAGNITUDE, MOMENTUM, FISHER);
    /** The experiment's predictors, in the order of its tables: momentum once per formula. */
    public static final List<ScorerName> PREDICTORS = List.of(MAGNITUDE, MOMENTUM_PAPER, MOMENTUM_REFERENCE, FISHER);

    private final String label;
    private final String momentumFormula;

    ScorerName(String label, String momentumFormula) {
        this.label = label;
        this.momentumFormula = momentumFormula;
    }

    /** The name in run-configs and on the command line. */
    public String label() {
        return label;
    }

    /**
     * The momentum formula the name fixes ({@code paper} or {@code reference}), or null: not a momentum
     * name, or plain {@code momentum}, whose formula is given apart.
     */
    public String momentumFormula() {
        return momentumFormula;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * The name {@code name} among {@code valid}.
     *
     * @param field what the name was given as (an option or a run-config field), for the error message
     * @throws IllegalArgumentException when {@code name} is not the label of one of {@code valid}; the
     *     message lists the valid names
     */
    public static ScorerName parse(String field, String name, List<ScorerName> valid) {
        for (ScorerName s : valid) {
            if (s.label.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException(field + ": unknown scorer '" + name + "'; use " + describe(valid));
    }

    /** The labels of {@code names}, in order. */
    public static List<String> labels(List<ScorerName> names) {
        return names.stream().map(ScorerName::label).toList();
    }

    /** {@code names} for a message: {@code magnitude, momentum or fisher}. */
    public static String describe(List<ScorerName> names) {
        List<String> labels = labels(names);
        if (labels.size() == 1) {
            return labels.getFirst();
        }
        return String.join(", ", labels.subList(0, labels.size() - 1)) + " or " + labels.getLast();
    }
}
