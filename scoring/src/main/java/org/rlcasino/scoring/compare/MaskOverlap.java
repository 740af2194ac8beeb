package org.rlcasino.scoring.compare;

/**
 * How two masks A and B over the same {@code size} entries overlap, and the measures derived from
 * the counts. Ratios whose denominator is 0 are NaN, except the Jaccard index: two empty masks
 * are identical, so their Jaccard index is 1 (and so is the random baseline of two density-0 masks).
 *
 * @param size         entries the masks range over (n), ≥ 0
 * @param countA       |A|, in [0, size]
 * @param countB       |B|, in [0, size]
 * @param intersection |A∩B|, in [max(0, |A|+|B|−n), min(|A|, |B|)]
 */
public record MaskOverlap(long size, long countA, long countB, long intersection) {
    /** The overlap of nothing: the identity of {@link #plus}. */
    public static final MaskOverlap EMPTY = new MaskOverlap(0, 0, 0, 0);

    public MaskOverlap {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        if (countA < 0 || countA > size || countB < 0 || countB > size) {
            throw new IllegalArgumentException("countA and countB must be in [0, size=" + size + "], got " + countA + " and " + countB);
        }
        if (intersection < Math.max(0, countA + countB - size) || intersection > Math.min(countA, countB)) {
            throw new IllegalArgumentException("intersection must be in [max(0, countA+countB-size), min(countA, countB)] = ["
                    + Math.max(0, countA + countB - size) + ", " + Math.min(countA, countB) + "], got " + intersection);
        }
    }

    /** |A∪B| = |A| + |B| − |A∩B|. */
    public long union() {
        return countA + countB - intersection;
    }

    /** J = |A∩B| / |A∪B|; 1 when both masks are empty. */
    public double jaccard() {
        long union = union();
        return union == 0 ? 1.0 : (double) intersection / union;
    }

    /** |A∩B| / |A|: the share of A that B also keeps; NaN when A is empty. */
    public double overlapOfA() {
        return countA == 0 ? Double.NaN : (double) intersection / countA;
    }

    /** |A∩B| / |B|; NaN when B is empty. */
    public double overlapOfB() {
        return countB == 0 ? Double.NaN : (double) intersection / countB;
    }

    /** a = |A| / n; NaN when n = 0. */
    public double densityA() {
        return size == 0 ? Double.NaN : (double) countA / size;
    }

    /** b = |B| / n; NaN when n = 0. */
    public double densityB() {
        return size == 0 ? Double.NaN : (double) countB / size;
    }

    /**
     * The Jaccard index two independent uniformly random masks of densities a and b would have:
     * E|A∩B| = abn and E|A∪B| = (a + b − ab)n, so J ≈ ab / (a + b − ab), which is a / (2 − a) when
     * a = b. 1 when a = b = 0 (two empty masks); NaN when n = 0.
     */
    public double randomJaccard() {
        return randomJaccard(densityA(), densityB());
    }

    /** ab / (a + b − ab) for densities a, b in [0, 1]; 1 when a = b = 0, NaN if either is NaN. */
    public static double randomJaccard(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.NaN;
        }
        double union = a + b - a * b;
        return union == 0 ? 1.0 : a * b / union;
    }

    /** The counts of both parts together: the overlap of the concatenated masks. */
    public MaskOverlap plus(MaskOverlap other) {
        return new MaskOverlap(Math.addExact(size, other.size), countA + other.countA, countB + other.countB,
                intersection + other.intersection);
    }
}
