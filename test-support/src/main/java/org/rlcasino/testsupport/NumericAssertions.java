package org.rlcasino.testsupport;

import org.junit.jupiter.api.AssertionFailureBuilder;

/**
 * Element-wise comparisons of float arrays that report the maximum difference and the first
 * mismatches, as llm.c's test_gpt2 does. An element passes when
 * {@code |actual - expected| <= atol + rtol * |expected|}; NaN only matches NaN.
 */
public final class NumericAssertions {
    private static final int MISMATCHES_SHOWN = 8;

    private NumericAssertions() {}

    /** Asserts {@code actual} is close to {@code expected} element-wise; returns the max abs difference. */
    public static double assertClose(float[] actual, float[] expected, double atol, double rtol) {
        return assertClose("array", actual, expected, atol, rtol);
    }

    /** As {@link #assertClose(float[], float[], double, double)}, naming the compared tensor in the message. */
    public static double assertClose(String what, float[] actual, float[] expected, double atol, double rtol) {
        if (actual.length != expected.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        double maxDiff = 0;
        int maxAt = -1;
        int mismatches = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < actual.length; i++) {
            double a = actual[i];
            double e = expected[i];
            boolean ok;
            double diff;
            if (Double.isNaN(e) || Double.isNaN(a)) {
                ok = Double.isNaN(e) && Double.isNaN(a);
                diff = ok ? 0 : Double.POSITIVE_INFINITY;
            } else if (Double.isInfinite(e) || Double.isInfinite(a)) {
                ok = a == e;
                diff = ok ? 0 : Double.POSITIVE_INFINITY;
            } else {
                diff = Math.abs(a - e);
                ok = diff <= atol + rtol * Math.abs(e);
            }
            if (diff > maxDiff) {
                maxDiff = diff;
                maxAt = i;
            }
            if (!ok) {
                if (mismatches < MISMATCHES_SHOWN) {
                    first.append(String.format("%n  [%d] actual %.9g expected %.9g (diff %.3g)", i, a, e, diff));
                }
                mismatches++;
            }
        }
        if (mismatches > 0) {
            fail(String.format("%s: %d of %d elements differ beyond atol %.3g + rtol %.3g; max diff %.3g at [%d]; first:%s",
                    what, mismatches, actual.length, atol, rtol, maxDiff, maxAt, first));
        }
        return maxDiff;
    }

    /** Asserts bit-for-bit equality (so -0.0 differs from 0.0 and NaN payloads are compared). */
    public static void assertBitIdentical(String what, float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        int mismatches = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                if (mismatches < MISMATCHES_SHOWN) {
                    first.append(String.format("%n  [%d] actual %.9g expected %.9g", i, actual[i], expected[i]));
                }
                mismatches++;
            }
        }
        if (mismatches > 0) {
            fail(String.format("%s: %d of %d elements are not bit-identical; first:%s",
                    what, mismatches, actual.length, first));
        }
    }

    private static void fail(String message) {
        throw AssertionFailureBuilder.assertionFailure().message(message).build();
    }
}
