package org.rlcasino.tornado;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelCall.Role;
import org.rlcasino.kernels.KernelLaunch;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.ProgramLaunch;
import org.rlcasino.kernels.ProgramRegistry;
import org.rlcasino.kernels.TransferCounters;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.TornadoProfilerResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;

/**
 * Runs the kernels through TornadoVM. Programs ({@link #prepare(KernelProgram)}: the
 * model's forward and backward, the optimizer, the generator) live in one execution plan over
 * device-resident arrays ({@link ResidentPrograms}). A single prepared {@link KernelCall} becomes one
 * task graph named after its stage with one task named after the call ({@code "<stage>.<task>"}),
 * compiled once into an execution plan and reused for every launch. STATE and CONSTANT arrays are
 * sent to the device on the first execution and stay there; INPUT arrays (gradients, the
 * per-launch scalar arrays) are sent before every launch; OUTPUT arrays (partial sums) come back
 * after every launch; STATE arrays come back only when {@link #syncToHost} asks.
 *
 * <p>The kernels are the same methods the JVM backend runs; TornadoVM recognises their
 * {@code @Parallel} loops through {@code -Dtornado.load.annotation.parallel=org.rlcasino.kernels.Parallel},
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

    /** Every new batch shape is a plan rebuild and a compilation of every program: keep one. */
    @Override
    public boolean fixedShapes() {
        return true;
    }

    /**
     * Arrays the prepared programs keep on the device: {all, shared between graphs}. The shared ones
     * are what a plan's size is bounded by ({@link ResidentPrograms#MAX_RESIDENT_ARRAYS}).
     */
    public int[] residentArrays() {
        return resident.residentCounts();
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
        KernelTasks.add(graph, parts[1], call);
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
        TornadoLaunch launch = new TornadoLaunch(call, plan);
        for (Object state : states) {
            stateOwners.put((float[]) state, launch);
        }
        return launch;
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
        private TornadoExecutionResult last;

        TornadoLaunch(KernelCall call, TornadoExecutionPlan plan) {
            this.call = call;
            this.plan = plan;
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
    }

    private record EmptyLaunch(KernelCall call) implements KernelLaunch {
        @Override
        public void launch() {
            // an empty range launches nothing
        }
    }
}
