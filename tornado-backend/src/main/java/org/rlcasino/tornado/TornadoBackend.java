package org.rlcasino.tornado;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.rlcasino.tasks.ActivationKernels;
import org.rlcasino.tasks.AdamWKernels;
import org.rlcasino.tasks.AttentionKernels;
import org.rlcasino.tasks.BlockSparseMatmulKernels;
import org.rlcasino.tasks.EmbeddingKernels;
import org.rlcasino.tasks.Backend;
import org.rlcasino.tasks.KernelCall;
import org.rlcasino.tasks.KernelCall.Role;
import org.rlcasino.tasks.KernelLaunch;
import org.rlcasino.tasks.KernelProgram;
import org.rlcasino.tasks.ProgramLaunch;
import org.rlcasino.tasks.ProgramRegistry;
import org.rlcasino.tasks.TransferCounters;
import org.rlcasino.tasks.LayerNormKernels;
import org.rlcasino.tasks.LogProbKernels;
import org.rlcasino.tasks.MatmulKernels;
import org.rlcasino.tasks.ReductionKernels;
import org.rlcasino.tasks.ScoringKernels;
import org.rlcasino.tasks.SelectionKernels;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.TornadoProfilerResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;

/**
 * Runs the tornado-tasks kernels through TornadoVM. Programs ({@link #prepare(KernelProgram)}: the
 * model's forward and backward, the optimizer, the generator) live in one execution plan over
 * device-resident arrays ({@link ResidentPrograms}). A single prepared {@link KernelCall} becomes one
 * task graph named after its stage with one task named after the call ({@code "<stage>.<task>"}),
 * compiled once into an execution plan and reused for every launch. STATE and CONSTANT arrays are
 * sent to the device on the first execution and stay there; INPUT arrays (gradients, the
 * per-launch scalar arrays) are sent before every launch; OUTPUT arrays (partial sums) come back
 * after every launch; STATE arrays come back only when {@link #syncToHost} asks.
 *
 * <p>The kernels are the same methods the JVM backend runs; TornadoVM recognises their
 * {@code @Parallel} loops through {@code -Dtornado.load.annotation.parallel=org.rlcasino.tasks.Parallel},
 * which {@code bin/casino --backend tornado} sets.
 */
public final class TornadoBackend implements Backend {
    private final TornadoDevice device;
    private final String deviceName;
    private final List<TornadoExecutionPlan> plans = new ArrayList<>();
    private final Map<float[], TornadoLaunch> stateOwners = new IdentityHashMap<>();
    private final Map<String, Integer> graphNames = new HashMap<>();
    private final ProgramRegistry registry = new ProgramRegistry();
    private final ResidentPrograms resident;

    /**
     * @param driver driver index, or -1 for TornadoVM's default device
     * @param index  device index within the driver
     */
    public TornadoBackend(int driver, int index) {
        this.device = driver < 0 ? null : TornadoExecutionPlan.getDevice(driver, index);
        TornadoDevice shown = device != null ? device : TornadoExecutionPlan.DEFAULT_DEVICE;
        this.deviceName = shown == null ? "default device" : shown.getDeviceName();
        this.resident = new ResidentPrograms(device);
    }

    @Override
    public String name() {
        return "tornado(" + deviceName + ")";
    }

    @Override
    public int parallelism() {
        return 1;
    }

    /**
     * Device-resident: the program becomes one task graph in the backend's one execution plan and
     * shares its resident arrays with every other program ({@link ResidentPrograms}).
     */
    @Override
    public ProgramLaunch prepare(KernelProgram program) {
        registry.register(program);
        for (Object a : program.residentArrays()) {
            if (a instanceof float[] f && stateOwners.containsKey(f)) {
                throw new IllegalArgumentException("program " + program.name() + " keeps on the device an array that the "
                        + "single call " + stateOwners.get(f).call().task() + " keeps in its own plan: prepare both as programs");
            }
        }
        return resident.add(program);
    }

    @Override
    public void release(ProgramLaunch launch) {
        resident.remove(launch);
    }

    @Override
    public TransferCounters transfers() {
        return resident.counters();
    }

    /** Execution plans the resident programs have needed so far (1 when all were prepared before the first run). */
    public int residentPlansBuilt() {
        return resident.plansBuilt();
    }

    @Override
    public KernelLaunch prepare(KernelCall call) {
        if (call.range() == 0) {
            return new EmptyLaunch(call);
        }
        for (Object a : call.arguments()) {
            if (!(a instanceof Integer) && resident.holds(a)) {
                throw new IllegalArgumentException(call.task() + ": an argument is kept on the device by a program; "
                        + "prepare this call inside a program too");
            }
        }
        String[] parts = call.task().split("\\.");
        // Graph names must be unique within the process: a second use of a stage gets a suffix.
        int use = graphNames.merge(call.task(), 1, Integer::sum);
        String graphName = use == 1 ? parts[0] : parts[0] + use;
        Object[] args = call.arguments();
        Role[] roles = call.roles();
        List<Object> once = new ArrayList<>();
        List<Object> everyLaunch = new ArrayList<>();
        List<Object> outputs = new ArrayList<>();
        List<Object> states = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (roles[i]) {
                case STATE -> {
                    once.add(args[i]);
                    states.add(args[i]);
                }
                case CONSTANT -> once.add(args[i]);
                case INPUT -> everyLaunch.add(args[i]);
                case OUTPUT -> outputs.add(args[i]);
                case SIZE -> { }
            }
        }
        TaskGraph graph = new TaskGraph(graphName);
        if (!once.isEmpty()) {
            graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, once.toArray());
        }
        if (!everyLaunch.isEmpty()) {
            graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, everyLaunch.toArray());
        }
        addTask(graph, parts[1], call, args);
        if (!outputs.isEmpty()) {
            graph.transferToHost(DataTransferMode.EVERY_EXECUTION, outputs.toArray());
        }
        if (!states.isEmpty()) {
            graph.transferToHost(DataTransferMode.UNDER_DEMAND, states.toArray());
        }
        TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot());
        if (device != null) {
            plan.withDevice(device);
        }
        plan.withProfiler(ProfilerMode.SILENT);
        plans.add(plan);
        TornadoLaunch launch = new TornadoLaunch(call, plan, states);
        for (Object state : states) {
            stateOwners.put((float[]) state, launch);
        }
        return launch;
    }

    /** Adds the task of {@code call}: the same kernel method the JVM runs, over {@code (0, range)}. */
    static void addTask(TaskGraph graph, String task, KernelCall call, Object[] a) {
        int n = call.range();
        switch (call.kernel()) {
            case ADAMW -> graph.task(task, AdamWKernels::adamW,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], 0, n);
            case SPARSE_ADAMW -> graph.task(task, AdamWKernels::sparseAdamW,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (int[]) a[4], (float[]) a[5], 0, n);
            case BLOCK_SPARSE_ADAMW -> graph.task(task, AdamWKernels::blockSparseAdamW,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (int[]) a[4], (int[]) a[5],
                    (int[]) a[6], (float[]) a[7], 0, n);
            case SUM_OF_SQUARES_PARTIALS -> graph.task(task, ReductionKernels::sumOfSquaresPartials,
                    (float[]) a[0], (float[]) a[1], (int) a[2], (int) a[3], 0, n);
            case GATHERED_SUM_OF_SQUARES_PARTIALS -> graph.task(task, ReductionKernels::gatheredSumOfSquaresPartials,
                    (float[]) a[0], (float[]) a[1], (int[]) a[2], (int) a[3], (int) a[4], 0, n);
            case MAGNITUDE_ACCUMULATE -> graph.task(task, ScoringKernels::magnitudeAccumulate,
                    (float[]) a[0], (float[]) a[1], (int[]) a[2], 0, n);
            case MOMENTUM_UPDATE -> graph.task(task, ScoringKernels::momentumUpdate,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], 0, n);
            case MOMENTUM_SCORE -> graph.task(task, ScoringKernels::momentumScore,
                    (float[]) a[0], (float[]) a[1], (int[]) a[2], (float[]) a[3], (int) a[4], 0, n);
            case WELFORD_UPDATE -> graph.task(task, ScoringKernels::welfordUpdate,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], (float[]) a[4], 0, n);
            case FISHER_SCORE -> graph.task(task, ScoringKernels::fisherScore,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], 0, n);
            case DIGIT_HISTOGRAM_PARTIALS -> graph.task(task, SelectionKernels::digitHistogramPartials,
                    (int[]) a[0], (int[]) a[1], (int[]) a[2], (int) a[3], (int) a[4], 0, n);
            case COUNT_ABOVE_PARTIALS -> graph.task(task, SelectionKernels::countAbovePartials,
                    (int[]) a[0], (int[]) a[1], (int[]) a[2], (int) a[3], 0, n);
            case MATMUL_NN -> graph.task(task, MatmulKernels::matmulNN,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (int[]) a[4], 0, n);
            case MATMUL_NT -> graph.task(task, MatmulKernels::matmulNT,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (int[]) a[4], 0, n);
            case MATMUL_TN -> graph.task(task, MatmulKernels::matmulTN,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (int[]) a[4], 0, n);
            case BLOCK_SPARSE_MATMUL_TN -> graph.task(task, BlockSparseMatmulKernels::blockSparseMatmulTN,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], (int[]) a[4], 0, n);
            case COLUMN_SUM -> graph.task(task, MatmulKernels::columnSum,
                    (float[]) a[0], (float[]) a[1], (int[]) a[2], 0, n);
            // ---- GPT-2 model kernels (model branch) ----
            case EMBEDDING_FORWARD -> graph.task(task, EmbeddingKernels::embeddingForward,
                    (float[]) a[0], (int[]) a[1], (int[]) a[2], (float[]) a[3], (int[]) a[4], 0, n);
            case EMBEDDING_BACKWARD -> graph.task(task, EmbeddingKernels::embeddingBackward,
                    (float[]) a[0], (float[]) a[1], (int[]) a[2], (int[]) a[3], (int[]) a[4], 0, n);
            case LAYER_NORM_FORWARD -> graph.task(task, LayerNormKernels::layerNormForward,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5], 0, n);
            case LAYER_NORM_BACKWARD_INPUT -> graph.task(task, LayerNormKernels::layerNormBackwardInput,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (float[]) a[5], (int[]) a[6], 0, n);
            case LAYER_NORM_BACKWARD_PARAMS -> graph.task(task, LayerNormKernels::layerNormBackwardParams,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5], 0, n);
            case GELU_FORWARD -> graph.task(task, ActivationKernels::geluForward,
                    (float[]) a[0], (float[]) a[1], 0, n);
            case GELU_BACKWARD -> graph.task(task, ActivationKernels::geluBackward,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], 0, n);
            case GELU_BACKWARD_IN_PLACE -> graph.task(task, ActivationKernels::geluBackwardInPlace,
                    (float[]) a[0], (float[]) a[1], 0, n);
            case ZERO -> graph.task(task, ActivationKernels::zero, (float[]) a[0], 0, n);
            case RESIDUAL_ADD_IN_PLACE -> graph.task(task, ActivationKernels::residualAddInPlace,
                    (float[]) a[0], (float[]) a[1], 0, n);
            case RESIDUAL_ADD -> graph.task(task, ActivationKernels::residualAdd,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], 0, n);
            case ATTENTION_FORWARD -> graph.task(task, AttentionKernels::attentionForward,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], 0, n);
            case ATTENTION_BACKWARD_QUERY -> graph.task(task, AttentionKernels::attentionBackwardQuery,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5], 0, n);
            case ATTENTION_BACKWARD_KEY_VALUE -> graph.task(task, AttentionKernels::attentionBackwardKeyValue,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5], 0, n);
            case ATTENTION_DECODE -> graph.task(task, AttentionKernels::attentionDecode,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (float[]) a[3], (float[]) a[4], (int[]) a[5], (int[]) a[6], 0, n);
            case LOG_PROB_FORWARD -> graph.task(task, LogProbKernels::logProbForward,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], (int[]) a[4], 0, n);
            case LOG_PROB_BACKWARD -> graph.task(task, LogProbKernels::logProbBackward,
                    (float[]) a[0], (float[]) a[1], (float[]) a[2], (int[]) a[3], (float[]) a[4], (int[]) a[5], 0, n);
        }
    }

    @Override
    public void syncToDevice(Object array) {
        resident.syncToDevice(array);
    }

    @Override
    public void syncToHost(Object array) {
        if (resident.holds(array)) {
            resident.syncToHost(array);
            return;
        }
        TornadoLaunch owner = array instanceof float[] f ? stateOwners.get(f) : null;
        if (owner != null && owner.last != null) {
            owner.last.transferToHost(array);
        }
    }

    @Override
    public void close() {
        resident.close();
        for (TornadoExecutionPlan plan : plans) {
            try {
                plan.close();
            } catch (Exception e) {
                // freeing device memory at shutdown; nothing left to do with a failure
            }
        }
        plans.clear();
        stateOwners.clear();
    }

    /** Profiler figures of one launch, in nanoseconds and bytes. */
    public record LaunchProfile(long compileNanos, long kernelNanos, long totalNanos, long bytesIn, long bytesOut) {}

    /** A prepared call: its plan, and the result of its last execution (for on-demand reads). */
    public static final class TornadoLaunch implements KernelLaunch {
        private final KernelCall call;
        private final TornadoExecutionPlan plan;
        private final List<Object> states;
        private TornadoExecutionResult last;

        TornadoLaunch(KernelCall call, TornadoExecutionPlan plan, List<Object> states) {
            this.call = call;
            this.plan = plan;
            this.states = states;
        }

        @Override
        public KernelCall call() {
            return call;
        }

        @Override
        public void launch() {
            last = plan.execute();
        }

        /** TornadoVM's profiler figures for the last launch (compile time 0 once the plan is warm). */
        public LaunchProfile lastProfile() {
            if (last == null) {
                throw new IllegalStateException(call.task() + " has not been launched yet");
            }
            TornadoProfilerResult p = last.getProfilerResult();
            return new LaunchProfile(p.getCompileTime(), p.getDeviceKernelTime(), p.getTotalTime(),
                    p.getTotalBytesCopyIn(), p.getTotalBytesCopyOut());
        }

        /** Number of STATE arrays this launch keeps on the device. */
        public int stateArrays() {
            return states.size();
        }
    }

    private record EmptyLaunch(KernelCall call) implements KernelLaunch {
        @Override
        public void launch() {
            // an empty range launches nothing
        }
    }
}
