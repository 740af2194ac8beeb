package org.rlcasino.scoring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.MaskFileInfo;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.MaskFileWriter;
import org.rlcasino.io.arrow.MaskSummary;
import org.rlcasino.io.arrow.MaskTensor;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsWriter;

/** Operations on whole mask files: complement, export to safetensors. One tensor's indices in memory at a time. */
public final class MaskFiles {
    private MaskFiles() {}

    /**
     * Writes the complement of {@code mask}: every entry it leaves inactive becomes active and vice
     * versa, method {@code complement}, target sparsity 1 − the source's achieved sparsity. Block
     * structure is not carried over.
     */
    public static MaskSummary complement(Path mask, Path out, BufferAllocator allocator) throws IOException {
        try (MaskFileReader in = MaskFileReader.open(mask, allocator)) {
            TensorTable tensors = in.tensors();
            Map<String, String> params = new LinkedHashMap<>();
            params.put("of", mask.getFileName().toString());
            params.put("of_method", in.info().method());
            double target = Math.min(1, Math.max(0, 1 - in.summary().achievedSparsity()));
            MaskFileInfo info = MaskFileInfo.of("complement", target, OptionalDouble.empty(), params);
            try (MaskFileWriter w = MaskFileWriter.create(out, tensors, info, in.provenance(), Batching.DEFAULTS, allocator)) {
                int[] buf = new int[1 << 16];
                MaskTensor t;
                while ((t = in.nextTensor()) != null) {
                    int[] active = t.indices();
                    long size = t.tensor().size();
                    int a = 0;
                    int m = 0;
                    for (long i = 0; i < size; i++) {
                        if (a < active.length && active[a] == i) {
                            a++;
                            continue;
                        }
                        if (m == buf.length) {
                            w.writeIndices(t.tensor().name(), buf, 0, m);
                            m = 0;
                        }
                        buf[m++] = (int) i;
                    }
                    if (m > 0) {
                        w.writeIndices(t.tensor().name(), buf, 0, m);
                    }
                }
                return w.finish();
            }
        }
    }

    /**
     * Writes {@code mask} as safetensors: one BOOL tensor per parameter, same names and shapes,
     * true = active; streamed tensor by tensor. Metadata carries the mask's method, sparsities and tie counts (if recorded).
     */
    public static void toSafetensors(Path mask, Path out, BufferAllocator allocator) throws IOException {
        try (MaskFileReader in = MaskFileReader.open(mask, allocator)) {
            SafetensorsWriter.Builder b = SafetensorsWriter.builder();
            b.metadata("format", "pt");
            b.metadata("rlcasino.method", in.info().method());
            b.metadata("rlcasino.target_sparsity", Double.toString(in.info().targetSparsity()));
            b.metadata("rlcasino.achieved_sparsity", Double.toString(in.summary().achievedSparsity()));
            in.summary().tiedAtCut().ifPresent(v -> b.metadata("rlcasino.tied_at_cut", Long.toString(v)));
            in.summary().tiedZeros().ifPresent(v -> b.metadata("rlcasino.tied_zeros", Long.toString(v)));
            for (TensorInfo t : in.tensors().tensors()) {
                b.add(t.name(), Dtype.BOOL, t.shape(), sink -> {
                    MaskTensor mt = in.nextTensor();
                    if (mt == null || !mt.tensor().name().equals(t.name())) {
                        throw new IOException("mask " + mask + ": tensors out of order at " + t.name());
                    }
                    boolean[] row = new boolean[1 << 16];
                    int[] active = mt.indices();
                    long size = t.size();
                    int a = 0;
                    for (long start = 0; start < size; start += row.length) {
                        int n = (int) Math.min(row.length, size - start);
                        java.util.Arrays.fill(row, 0, n, false);
                        while (a < active.length && active[a] < start + n) {
                            row[(int) (active[a] - start)] = true;
                            a++;
                        }
                        sink.writeBooleans(row, 0, n);
                    }
                });
            }
            b.build().write(out);
        }
    }
}
