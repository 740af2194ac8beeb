package org.rlcasino.train.phase;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.DeltaStreamOptions;
import org.rlcasino.io.arrow.DeltaStreamWriter;
import org.rlcasino.io.arrow.RlcasinoArrowFile;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;

/**
 * Streams the weight deltas of a step range to {@code deltas.arrow} ({@code rlcasino.deltas},
 * read unchanged by {@code casino score} / {@code casino mask}), on the {@link DeltaBasis#START
 * start} basis δ_t = θ_t − θ_0 (θ_0: the weights before the first logged step, kept as one extra
 * float per parameter) or the {@link DeltaBasis#STEP step} basis δ_t = θ_t − θ_{t−1}, as
 * {@link WeightDeltas} computes them where the weights live; the file appears after the last step.
 */
public final class DeltaLogger implements AutoCloseable {
    private final ParameterLayout layout;
    private final BufferAllocator allocator;
    private final DeltaStreamWriter writer;

    public DeltaLogger(Path file, ParameterLayout layout, DeltaBasis basis, Map<String, String> provenance) throws IOException {
        this.layout = layout;
        List<TensorInfo> infos = new ArrayList<>();
        for (TensorView t : layout.tensors()) {
            long[] shape = new long[t.shape().length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.shape()[i];
            }
            infos.add(TensorInfo.f32(t.name(), shape));
        }
        DeltaStreamOptions options = DeltaStreamOptions.DEFAULTS.withBasis(basis);
        this.allocator = RlcasinoArrowFile.boundedAllocator(options.batching().allocationLimit() + DeltaStreamWriter.WRITE_BEHIND_BYTES);
        try {
            this.writer = DeltaStreamWriter.create(file, TensorTable.of(infos), provenance, options, allocator);
        } catch (IOException | RuntimeException e) {
            allocator.close();
            throw e;
        }
    }

    /** Writes {@code delta} (one float per parameter, in the layout's order; see {@link WeightDeltas}) as step {@code step}. */
    public void log(int step, float[] delta) throws IOException {
        writer.beginStep(step, "step-" + step);
        List<TensorView> tensors = layout.tensors();
        for (int k = 0; k < tensors.size(); k++) {
            TensorView t = tensors.get(k);
            writer.writeChunk(step, k, 0, delta, t.offset(), t.size());
        }
    }

    /** Completes the file (renamed into place). */
    public void finish() throws IOException {
        writer.finish();
    }

    @Override
    public void close() {
        writer.close();
        allocator.close();
    }
}
