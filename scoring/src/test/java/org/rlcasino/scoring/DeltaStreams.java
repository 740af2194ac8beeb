package org.rlcasino.scoring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.DeltaStreamOptions;
import org.rlcasino.io.arrow.DeltaStreamWriter;
import org.rlcasino.io.arrow.ScoreFileReader;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;

/**
 * Small delta streams held in memory as well as written to a file, for comparing scorers with
 * formulas computed directly in double. Deltas of step {@code steps[s]}, tensor {@code t}, flat
 * element {@code i} are {@code deltas[s][t][i]}.
 */
record DeltaStreams(Path file, TensorTable tensors, int[] steps, float[][][] deltas) {

    /** Tensors of odd sizes (so chunks, batches and scorer buffers all cut through tensors). */
    static final TensorTable TENSORS = TensorTable.of(
            TensorInfo.f32("h.0.attn.weight", 13, 11),
            TensorInfo.f32("h.0.ln_1.weight", 13),
            TensorInfo.f32("h.1.attn.weight", 7, 19),
            TensorInfo.f32("lm_head.bias", 5));

    /** Small rows and batches: 7 values per chunk, 50 per batch. */
    static final Batching SMALL = new Batching(7, 50);

    /** Writes a stream of Gaussian deltas {@code shift + scale·N(0,1)} per element (a per-element drift). */
    static DeltaStreams random(Path file, int[] steps, long seed, double scale, double shift, Batching batching)
            throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        List<TensorInfo> list = TENSORS.tensors();
        float[][] drift = new float[list.size()][];
        for (int t = 0; t < list.size(); t++) {
            drift[t] = new float[(int) list.get(t).size()];
            for (int i = 0; i < drift[t].length; i++) {
                drift[t][i] = (float) (shift * r.nextGaussian());
            }
        }
        float[][][] deltas = new float[steps.length][list.size()][];
        for (int s = 0; s < steps.length; s++) {
            for (int t = 0; t < list.size(); t++) {
                float[] d = new float[drift[t].length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (drift[t][i] + scale * r.nextGaussian());
                }
                deltas[s][t] = d;
            }
        }
        return write(file, TENSORS, steps, deltas, batching);
    }

    static DeltaStreams write(Path file, TensorTable tensors, int[] steps, float[][][] deltas, Batching batching)
            throws IOException {
        return write(file, tensors, steps, deltas, batching, DeltaBasis.STEP);
    }

    /** Writes {@code deltas} as they are, recording {@code basis} in the file. */
    static DeltaStreams write(Path file, TensorTable tensors, int[] steps, float[][][] deltas, Batching batching,
                              DeltaBasis basis) throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
             DeltaStreamWriter writer = DeltaStreamWriter.create(file, tensors, Map.of("test", "DeltaStreams"),
                     DeltaStreamOptions.DEFAULTS.withBatching(batching).withBasis(basis), allocator)) {
            for (int s = 0; s < steps.length; s++) {
                writer.beginStep(steps[s], "test");
                for (int t = 0; t < tensors.size(); t++) {
                    float[] d = deltas[s][t];
                    // uneven pieces, to show that writers cut rows on the grid whatever they are given
                    for (int from = 0; from < d.length; from += 17) {
                        writer.writeChunk(steps[s], t, from, d, from, Math.min(17, d.length - from));
                    }
                }
            }
            writer.finish();
        }
        return new DeltaStreams(file, tensors, steps, deltas);
    }

    /** Position of step number {@code step}. */
    /**
     * These (step-basis) deltas written to {@code file} on the start basis, {@code D_t = Σ_(s ≤ t) δ_s}
     * (summed in float64, rounded once), with small rows and batches.
     */
    DeltaStreams onStartBasis(Path file) throws IOException {
        float[][][] start = new float[steps.length][tensors.size()][];
        for (int t = 0; t < tensors.size(); t++) {
            double[] sum = new double[deltas[0][t].length];
            for (int s = 0; s < steps.length; s++) {
                start[s][t] = new float[sum.length];
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += deltas[s][t][i];
                    start[s][t][i] = (float) sum[i];
                }
            }
        }
        return write(file, tensors, steps, start, SMALL, DeltaBasis.START);
    }

    int indexOf(int step) {
        for (int s = 0; s < steps.length; s++) {
            if (steps[s] == step) {
                return s;
            }
        }
        throw new IllegalArgumentException("no step " + step);
    }

    /** Reads a score file back as tensor name → scores, in table order. */
    static Map<String, float[]> readScores(Path file) throws IOException {
        Map<String, float[]> scores = new LinkedHashMap<>();
        try (BufferAllocator allocator = new RootAllocator();
             ScoreFileReader reader = ScoreFileReader.open(file, allocator)) {
            for (TensorInfo t : reader.tensors().tensors()) {
                scores.put(t.name(), new float[(int) t.size()]);
            }
            while (reader.next()) {
                reader.readValues(scores.get(reader.tensor().name()), (int) reader.offset());
            }
        }
        return scores;
    }
}
