package org.rlcasino.scoring;

import java.util.LinkedHashMap;
import java.util.Map;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelLaunch;
import org.rlcasino.kernels.ScoringKernels;

/**
 * Fisher-approximation score {@code s = Var[δ] + |E[δ]|} over the T steps used, with the
 * population variance {@code Var[δ] = (1/T) Σ_t (δ_t − E[δ])²}. Mean and variance come from
 * Welford's online update (numerically stable when the mean is large against the spread), so
 * the deltas are read once. State: mean and M2, two floats per parameter; the step count is
 * shared. A single step gives variance 0 and the score |δ|.
 */
public final class FisherScorer extends StreamingScorer {
    private float[] mean;
    private float[] m2;
    private final float[] scalars = new float[ScoringKernels.SCALARS_LENGTH];
    private KernelLaunch welford;

    public FisherScorer(Backend backend) {
        super(backend);
    }

    @Override
    public String method() {
        return "fisher";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("formula", "var + |mean|");
        p.put("variance", "population (1/T), Welford");
        return p;
    }

    @Override
    public long stateFloatsPerParameter() {
        return 2;
    }

    @Override
    void prepare(int n, float[] buffer, int[] window) {
        mean = new float[n];
        m2 = new float[n];
        welford = backend.prepare(KernelCall.builder("scoring.welford_update", Kernel.WELFORD_UPDATE)
                .state(mean).state(m2).input(buffer).input(window).input(scalars).over(buffer.length));
    }

    @Override
    void beginStep(int index) {
        scalars[ScoringKernels.S_INV_COUNT] = (float) (1.0 / (index + 1));
    }

    @Override
    void update() {
        welford.launch();
    }

    @Override
    float[] finish(int steps) {
        // the finalising graph starts from the host copies, so bring the state home first
        backend.syncToHost(mean);
        backend.syncToHost(m2);
        float[] finalScalars = {(float) (1.0 / steps)};
        backend.prepare(KernelCall.builder("scoring.fisher_score", Kernel.FISHER_SCORE)
                .state(m2).constant(mean).constant(finalScalars).over(m2.length)).launch();
        backend.syncToHost(m2);
        float[] result = m2;
        mean = null;
        m2 = null;
        welford = null;
        return result;
    }
}
