package org.rlcasino.io.inspect;

import java.util.Arrays;
import java.util.List;

/**
 * Summary statistics of a stream of values, fed chunk by chunk and computed in double: min, max,
 * mean and mean |x| over the finite values, the fraction of all values that are zero, and how
 * many are NaN or ±∞. Each chunk is summed on its own before it is added to the totals, so the
 * rounding error grows with the number of chunks, not of values. Undefined figures (min of no
 * finite value, mean of nothing) are NaN.
 */
final class TensorStatistics {
    /** The columns {@link #cells()} fills, in that order. */
    static final List<Inspection.Column> COLUMNS = List.of(
            new Inspection.Column("min", "min"),
            new Inspection.Column("max", "max"),
            new Inspection.Column("mean", "mean"),
            new Inspection.Column("absMean", "abs mean"),
            new Inspection.Column("zeroFraction", "zero frac"),
            new Inspection.Column("nonFinite", "non-finite"));

    private long count;
    private long finite;
    private long zeros;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double sum;
    private double absSum;

    /** Adds {@code values[from, from + count)}. */
    void accept(float[] values, int from, int count) {
        double s = 0;
        double a = 0;
        double lo = min;
        double hi = max;
        long z = 0;
        long f = 0;
        for (int i = from; i < from + count; i++) {
            float v = values[i];
            if (Float.isFinite(v)) {
                double d = v;
                s += d;
                a += Math.abs(d);
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
                z += v == 0 ? 1 : 0;
                f++;
            }
        }
        add(count, f, z, lo, hi, s, a);
    }

    /** Adds {@code values[from, from + count)}. */
    void accept(double[] values, int from, int count) {
        double s = 0;
        double a = 0;
        double lo = min;
        double hi = max;
        long z = 0;
        long f = 0;
        for (int i = from; i < from + count; i++) {
            double d = values[i];
            if (Double.isFinite(d)) {
                s += d;
                a += Math.abs(d);
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
                z += d == 0 ? 1 : 0;
                f++;
            }
        }
        add(count, f, z, lo, hi, s, a);
    }

    /** Adds everything {@code other} has seen. */
    void merge(TensorStatistics other) {
        add(other.count, other.finite, other.zeros, other.min, other.max, other.sum, other.absSum);
    }

    /** Forgets everything seen. */
    void clear() {
        count = 0;
        finite = 0;
        zeros = 0;
        min = Double.POSITIVE_INFINITY;
        max = Double.NEGATIVE_INFINITY;
        sum = 0;
        absSum = 0;
    }

    private void add(long n, long f, long z, double lo, double hi, double s, double a) {
        count += n;
        finite += f;
        zeros += z;
        min = Math.min(min, lo);
        max = Math.max(max, hi);
        sum += s;
        absSum += a;
    }

    /** Values seen, finite or not. */
    long count() {
        return count;
    }

    double min() {
        return finite == 0 ? Double.NaN : min;
    }

    double max() {
        return finite == 0 ? Double.NaN : max;
    }

    /** Mean of the finite values. */
    double mean() {
        return finite == 0 ? Double.NaN : sum / finite;
    }

    /** Mean |x| of the finite values. */
    double absMean() {
        return finite == 0 ? Double.NaN : absSum / finite;
    }

    /** Zeros (±0) among all values seen. */
    double zeroFraction() {
        return count == 0 ? Double.NaN : (double) zeros / count;
    }

    /** NaN and ±∞ values seen. */
    long nonFinite() {
        return count - finite;
    }

    /** The figures of {@link #COLUMNS}. */
    List<Object> cells() {
        return Arrays.asList(min(), max(), mean(), absMean(), zeroFraction(), nonFinite());
    }
}
