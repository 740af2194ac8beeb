package org.rlcasino.scoring;

import java.util.Map;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelLaunch;

/**
 * Magnitude score {@code s = Σ_t |δ_t|} over the steps used. State: one float per parameter.
 * Accumulated in float32 in step order.
 */
public final class MagnitudeScorer extends StreamingScorer {
    private float[] score;
    private KernelLaunch accumulate;

    public MagnitudeScorer(Backend backend) {
        super(backend);
    }

    @Override
    public String method() {
        return "magnitude";
    }

    @Override
    public Map<String, String> parameters() {
        return Map.of("formula", "sum |delta|");
    }

    @Override
    public long stateFloatsPerParameter() {
        return 1;
    }

    @Override
    void prepare(int n, float[] buffer, int[] window) {
        score = new float[n];
        accumulate = backend.prepare(KernelCall.builder("scoring.magnitude_accumulate", Kernel.MAGNITUDE_ACCUMULATE)
                .state(score).input(buffer).input(window).over(buffer.length));
    }

    @Override
    void beginStep(int index) {}

    @Override
    void update() {
        accumulate.launch();
    }

    @Override
    float[] finish(int steps) {
        backend.syncToHost(score);
        float[] result = score;
        score = null;
        accumulate = null;
        return result;
    }
}
