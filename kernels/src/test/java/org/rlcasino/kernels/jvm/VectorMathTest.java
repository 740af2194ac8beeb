package org.rlcasino.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link VectorMath#exp} against {@link Math#exp}: within 2 ulp on its whole domain, clamped beyond. */
class VectorMathTest {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static float lane0(float x) {
        return VectorMath.exp(FloatVector.broadcast(F, x)).lane(0);
    }

    @Test
    void expIsWithinTwoUlpOfMathExpOnItsDomain() {
        int n = 2_000_000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -87f + 175f * i / (n - 1);
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i += F.length()) {
            VectorMath.exp(FloatVector.fromArray(F, x, i, F.indexInRange(i, n))).intoArray(out, i, F.indexInRange(i, n));
        }
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double exact = Math.exp(x[i]);
            double ulps = Math.abs(out[i] - exact) / Math.ulp((float) exact);
            worst = Math.max(worst, ulps);
            assertThat(ulps).as("exp(%s): %s vs %s", x[i], out[i], exact).isLessThanOrEqualTo(2.0);
        }
        System.out.printf("VectorMath.exp: worst %.2f ulp on [-87, 88]%n", worst);
    }

    @Test
    void edges() {
        assertThat(lane0(0f)).isEqualTo(1f);
        assertThat(lane0(-0f)).isEqualTo(1f);
        assertThat(lane0(1f)).isCloseTo((float) Math.E, org.assertj.core.data.Offset.offset(Math.ulp((float) Math.E)));
        assertThat(lane0(1000f)).isEqualTo(lane0(88f)).isFinite().isGreaterThan(1e38f);
        assertThat(lane0(Float.POSITIVE_INFINITY)).isEqualTo(lane0(88f));
        assertThat(lane0(-1000f)).isEqualTo(lane0(-87f)).isPositive().isLessThan(1e-37f);
        assertThat(lane0(Float.NEGATIVE_INFINITY)).isEqualTo(lane0(-87f));
        assertThat(lane0(Float.NaN)).isNaN();
    }
}
