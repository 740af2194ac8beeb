package org.rlcasino.train.phase;

import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.ProgramLaunch;
import org.rlcasino.train.model.LanguageModel;

/**
 * The weight deltas of logged steps, computed where the weights live: a reference copy of θ stays
 * on the model's backend next to the parameters (θ_0 on the start basis, θ_(t−1) on the step basis),
 * and each logged step brings back only δ — on a device one float per parameter comes back, the
 * parameters themselves never cross the bus. Programs {@code delta.capture} (reference ← θ) and
 * {@code delta.take} (δ ← θ − reference, and reference ← θ on the step basis); both are prepared when
 * this is made, so make it before the phase's first step.
 */
final class WeightDeltas implements AutoCloseable {
    private final Backend backend;
    private final float[] reference;
    private final float[] delta;
    private final ProgramLaunch capture;
    private final ProgramLaunch take;

    WeightDeltas(LanguageModel model, DeltaBasis basis) {
        this.backend = model.backend();
        float[] theta = model.parameters();
        int n = theta.length;
        this.reference = new float[n];
        this.delta = new float[n];
        // θ and the reference are resident (no program input or output); only δ comes back
        this.capture = backend.prepare(KernelProgram.builder("delta.capture")
                .call(KernelCall.builder("delta.capture", Kernel.CAPTURE_REFERENCE).output(reference).input(theta).over(n)).build());
        KernelCall.Builder call = basis == DeltaBasis.START
                ? KernelCall.builder("delta.take", Kernel.START_DELTA).output(delta).input(theta).input(reference)
                : KernelCall.builder("delta.take", Kernel.STEP_DELTA).output(delta).state(reference).input(theta);
        this.take = backend.prepare(KernelProgram.builder("delta.take").call(call.over(n)).output(delta).build());
    }

    /** Remembers the current weights as the reference (before the first logged step). */
    void capture() {
        capture.run();
    }

    /** δ of the step just taken, on the host (a view this object reuses: write it out before the next call). */
    float[] take() {
        take.run();
        return delta;
    }

    @Override
    public void close() {
        backend.release(capture);
        backend.release(take);
    }
}
