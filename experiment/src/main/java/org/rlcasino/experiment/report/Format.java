package org.rlcasino.experiment.report;

import java.util.Locale;

/** Number formatting shared by the report tables (locale-independent). */
final class Format {
    private Format() {}

    static String fixed(double v, int digits) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    /** A speed-up such as 1.18×, or – when not measured. */
    static String ratio(double v) {
        return Double.isNaN(v) ? "–" : fixed(v, 2) + "×";
    }

    /** A sparsity percentage without trailing zeros: 90 %, 97.5 %. */
    static String percent(double v) {
        String s = v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        return s + " %";
    }

    /** A sparsity label for categories and names: 90, 97.5. */
    static String sparsity(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** mean ± half-spread, or the single value. */
    static String meanSpread(double mean, double spread, int n, int digits) {
        if (Double.isNaN(mean)) {
            return "–";
        }
        return n > 1 ? fixed(mean, digits) + " ± " + fixed(spread, digits) : fixed(mean, digits);
    }
}
