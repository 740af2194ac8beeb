package org.rlcasino.io.inspect;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TensorStatisticsTest {
    @Test
    void chunksAndMergesGiveTheFiguresOfTheWholeStream() {
        Random random = new Random(11);
        float[] values = new float[1001];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 7 == 0 ? 0f : (float) random.nextGaussian();
        }
        values[10] = Float.NaN;
        values[20] = Float.NEGATIVE_INFINITY;
        TensorStatistics whole = new TensorStatistics();
        whole.accept(values, 0, values.length);
        TensorStatistics merged = new TensorStatistics();
        for (int from = 0; from < values.length; from += 13) {
            TensorStatistics chunk = new TensorStatistics();
            chunk.accept(values, from, Math.min(13, values.length - from));
            merged.merge(chunk);
        }
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        TensorStatistics fromDoubles = new TensorStatistics();
        fromDoubles.accept(doubles, 0, doubles.length);

        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double abs = 0;
        int zeros = 0;
        for (float v : values) {
            if (Float.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                abs += Math.abs(v);
                zeros += v == 0 ? 1 : 0;
            }
        }
        for (TensorStatistics s : new TensorStatistics[] {whole, merged, fromDoubles}) {
            assertThat(s.count()).isEqualTo(1001);
            assertThat(s.nonFinite()).isEqualTo(2);
            assertThat(s.min()).isEqualTo(min);
            assertThat(s.max()).isEqualTo(max);
            assertThat(s.mean()).isCloseTo(sum / 999, within(1e-12));
            assertThat(s.absMean()).isCloseTo(abs / 999, within(1e-12));
            assertThat(s.zeroFraction()).isEqualTo(zeros / 1001.0);
        }
    }

    @Test
    void undefinedFiguresAreNaN() {
        TensorStatistics s = new TensorStatistics();
        assertThat(s.mean()).isNaN();
        assertThat(s.zeroFraction()).isNaN();
        s.accept(new float[] {Float.NaN, Float.POSITIVE_INFINITY}, 0, 2);
        assertThat(s.min()).isNaN();
        assertThat(s.absMean()).isNaN();
        assertThat(s.zeroFraction()).isZero();
        assertThat(s.nonFinite()).isEqualTo(2);
        s.clear();
        assertThat(s.count()).isZero();
    }
}
