package org.rlcasino.tornado;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.ProgramLaunch;
import org.rlcasino.kernels.TransferCounters;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.TornadoProfilerResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;

/**
 * The device-resident side of {@link TornadoBackend}: every {@link KernelProgram} prepared on the
 * backend becomes one task graph, and all of them live in ONE execution plan so that a resident
 * array has one device buffer shared by every graph (TornadoVM's {@code persistOnDevice} /
 * {@code consumeFromDevice}).
 *
 * <p>How the sharing is wired, and why:
 * <ul>
 *   <li>Graph 0, the <i>resident</i> graph, sends every shared resident array (one that several graphs
 *       use) to the device on its first execution and names each in a do-nothing task
 *       ({@link ResidencyKernels}; TornadoVM allocates a buffer only for arrays a task takes). It runs
 *       once before each program graph's first run. Its size bounds the plan ({@link #MAX_RESIDENT_ARRAYS}).</li>
 *   <li>A resident array only one graph uses is that graph's own: sent on its first run, kept by it
 *       between runs, and read back through it.</li>
 *   <li>TornadoVM links a consumed array to the buffer of the graph that ran <i>last</i>, looked up by
 *       that graph's name; so every program graph declares, for every graph of the plan, the resident
 *       arrays it shares with it. Every graph also shares a one-element link array, so that no pair
 *       shares nothing (TornadoVM's fallback for an undeclared predecessor links nothing safely).</li>
 *   <li>Inputs and outputs of a program are private to its graph, sent in before and back after each run.</li>
 *   <li>A plan cannot gain graphs. When a program is prepared after the plan was built, or the host
 *       announces a write to a resident array ({@link #syncToDevice}), the next run rebuilds the plan:
 *       the device's copies of written arrays come back first, the new plan sends everything again and
 *       compiles its graphs again. Preparing every program before the first step avoids that.</li>
 * </ul>
 */
final class ResidentPrograms implements AutoCloseable {
    /**
     * Calls per task graph: TornadoVM 5.2 compiles a graph of at most 256 tasks and 1024 nodes (tasks,
     * arrays, transfers), so a long program (a 12-layer backward) runs as consecutive graphs.
     */
    static final int CALLS_PER_GRAPH = 24;
    /**
     * Shared arrays one plan can hold: the resident graph names each of them, and TornadoVM 5.2 builds
     * at most 1024 nodes per graph (its TornadoGraph cannot grow: "Graph resize not implemented yet");
     * an array there costs three (object, copy-in, persist) and every eight a task node.
     */
    static final int MAX_RESIDENT_ARRAYS = 320;
    /** TornadoVM wants graph names unique within the process. */
    private static final AtomicInteger PLANS = new AtomicInteger();

    private final TornadoDevice device;
    private final List<Registered> programs = new ArrayList<>();
    /** Resident arrays in first-use order; value: whether some kernel writes it. */
    private final Map<Object, Boolean> resident = new IdentityHashMap<>();
    private final List<Object> residentOrder = new ArrayList<>();
    /** Resident arrays of the current plan. */
    private final Set<Object> inPlan = Collections.newSetFromMap(new IdentityHashMap<>());
    /**
     * Resident arrays that only one graph uses (a call's {@code dims}, a frozen model's activations
     * inside one graph): that graph sends them on its first run and keeps them, and reads them back
     * itself, so the resident graph, whose size bounds the plan, need not name them. Computed from the
     * prepared programs; {@link #planLocal} says where they are in the current plan.
     */
    private final Set<Object> local = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Local arrays of the current plan and the graph that holds each. */
    private final Map<Object, Integer> planLocal = new IdentityHashMap<>();
    /** The last result of each graph of the current plan (null: not run yet). */
    private TornadoExecutionResult[] results;
    /** Resident arrays the host wrote after the plan sent them. */
    private final Set<Object> hostNewer = Collections.newSetFromMap(new IdentityHashMap<>());
    private final float[] link = new float[1];
    private final float[] floatPad = new float[1];
    private final int[] intPad = new int[1];
    private TornadoExecutionPlan plan;
    private TornadoExecutionResult residentResult;
    private boolean stale = true;
    private long bytesIn;
    private long bytesOut;
    private long executions;
    private long launches;
    private long compileNanos;
    private int rebuilds;

    ResidentPrograms(TornadoDevice device) {
        this.device = device;
    }

    /**
     * Adds {@code program} to the plan (built at the next run).
     *
     * @throws IllegalArgumentException when the plan would share more than {@link #MAX_RESIDENT_ARRAYS}
     *                                  arrays between its graphs (the program is not added)
     */
    ProgramLaunch add(KernelProgram program) {
        Registered r = new Registered(program);
        programs.add(r);
        collectResident();
        int count = residentCounts()[1];
        if (count > MAX_RESIDENT_ARRAYS) {
            programs.remove(r);
            collectResident();
            throw new IllegalArgumentException(program.name() + ": the programs prepared on this TornadoVM backend would keep "
                    + count + " shared arrays on the device, more than the " + MAX_RESIDENT_ARRAYS + " one plan holds (TornadoVM 5.2 builds "
                    + "at most 1024 nodes per task graph, and one graph names every shared array); prepare fewer models or batch "
                    + "shapes at once: fewer benchmark arms (--sparsities), fewer layers, no reference model");
        }
        stale = true;
        return r;
    }

    /** Forgets {@code launch}'s program: the next run rebuilds the plan without it (its device memory is freed). */
    void remove(ProgramLaunch launch) {
        if (programs.remove(launch)) {
            if (plan != null) {
                for (Object a : ((Registered) launch).program.residentArrays()) {
                    syncToHost(a);
                }
            }
            collectResident();
            stale = true;
        }
    }

    private void collectResident() {
        Map<Object, Boolean> before = new IdentityHashMap<>(resident);
        resident.clear();
        residentOrder.clear();
        for (Registered r : programs) {
            Set<Object> written = r.program.writtenArrays();
            for (Object a : r.program.residentArrays()) {
                Boolean was = resident.put(a, written.contains(a) || Boolean.TRUE.equals(resident.get(a)));
                if (was == null) {
                    residentOrder.add(a);
                }
            }
        }
        // arrays the device may hold newer copies of stay marked written while they are still in the plan
        for (var e : before.entrySet()) {
            if (Boolean.TRUE.equals(e.getValue()) && resident.containsKey(e.getKey())) {
                resident.put(e.getKey(), true);
            }
        }
        Map<Object, Integer> graphsUsing = new IdentityHashMap<>();
        for (Registered r : programs) {
            for (KernelProgram part : segments(r.program)) {
                for (Object a : part.residentArrays()) {
                    graphsUsing.merge(a, 1, Integer::sum);
                }
            }
        }
        local.clear();
        for (Object a : residentOrder) {
            if (graphsUsing.getOrDefault(a, 0) == 1) {
                local.add(a);
            }
        }
    }

    /** {resident arrays of the prepared programs, those of them shared between graphs}. */
    int[] residentCounts() {
        return new int[] {residentOrder.size(), residentOrder.size() - local.size()};
    }

    boolean holds(Object array) {
        return resident.containsKey(array);
    }

    /** Copies a resident array back from the device (nothing when the host copy is current). */
    void syncToHost(Object array) {
        if (plan == null || residentResult == null || !inPlan.contains(array) || hostNewer.contains(array)
                || !Boolean.TRUE.equals(resident.get(array))) {
            return;
        }
        download(array);
    }

    /**
     * Copies one resident array back through the graph that holds it: the resident graph, which holds
     * every shared array, or a local array's own graph (nothing to do when that graph has not run).
     * A result's {@code transferToHost} acts on the graph the plan has <i>selected</i> (TornadoVM's
     * {@code withGraph} changes the plan's executor), not on the graph that produced the result, so
     * the resident graph is selected first. One array per call: TornadoVM 5.2 failed on a many-array
     * transfer through a graph that lacked one of them.
     */
    private void download(Object array) {
        Integer own = planLocal.get(array);
        if (own == null) {
            plan.withGraph(0);
            residentResult.transferToHost(array);
        } else if (results[own] != null) {
            plan.withGraph(own);
            results[own].transferToHost(array);
        } else {
            return;
        }
        bytesOut += array instanceof float[] f ? 4L * f.length : 4L * ((int[]) array).length;
    }

    /** The host wrote {@code array}: the next run sends it again (by rebuilding the plan). */
    void syncToDevice(Object array) {
        if (plan != null && inPlan.contains(array)) {
            hostNewer.add(array);
            stale = true;
        }
    }

    TransferCounters counters() {
        return new TransferCounters(bytesIn, bytesOut, executions, launches, compileNanos);
    }

    /** Plans built so far (1 when every program was prepared before the first run). */
    int plansBuilt() {
        return rebuilds;
    }

    private void run(Registered r) {
        if (stale) {
            rebuild();
        }
        for (int i = 0; i < r.graphs; i++) {
            if (!r.ranInPlan) {
                // a graph's first run links its resident arrays to the buffers of the graph that ran last
                residentResult = plan.withGraph(0).execute();
                count(residentResult);
            }
            TornadoExecutionResult result = plan.withGraph(r.firstGraph + i).execute();
            results[r.firstGraph + i] = result;
            count(result);
        }
        r.ranInPlan = true;
        launches += r.program.calls().size();
    }

    private void count(TornadoExecutionResult result) {
        TornadoProfilerResult p = result.getProfilerResult();
        bytesIn += Math.max(0, p.getTotalBytesCopyIn());
        bytesOut += Math.max(0, p.getTotalBytesCopyOut());
        compileNanos += Math.max(0, p.getCompileTime());
        executions++;
    }

    private void rebuild() {
        if (plan != null) {
            if (residentResult != null) {
                List<Object> back = new ArrayList<>();
                for (Object a : inPlan) {
                    if (Boolean.TRUE.equals(resident.get(a)) && !hostNewer.contains(a)) {
                        back.add(a);
                    }
                }
                for (Object a : back) {
                    download(a);
                }
            }
            closePlan();
        }
        hostNewer.clear();
        inPlan.clear();
        inPlan.addAll(residentOrder);
        planLocal.clear();
        String prefix = "rp" + PLANS.incrementAndGet() + "_";
        List<String> names = new ArrayList<>();
        List<Set<Object>> residentSets = new ArrayList<>();
        names.add(prefix + "resident");
        Set<Object> all = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Object a : residentOrder) {
            if (!local.contains(a)) {
                all.add(a);
            }
        }
        all.add(link);
        residentSets.add(all);
        List<KernelProgram> segments = new ArrayList<>();
        for (int i = 0; i < programs.size(); i++) {
            Registered r = programs.get(i);
            List<KernelProgram> parts = segments(r.program);
            r.firstGraph = names.size();
            r.graphs = parts.size();
            r.ranInPlan = false;
            for (int j = 0; j < parts.size(); j++) {
                KernelProgram part = parts.get(j);
                names.add(prefix + i + "_" + j + "_" + r.program.name().replace('.', '_'));
                Set<Object> own = Collections.newSetFromMap(new IdentityHashMap<>());
                for (Object a : part.residentArrays()) {
                    if (local.contains(a)) {
                        planLocal.put(a, names.size() - 1);
                    } else {
                        own.add(a);
                    }
                }
                own.add(link);
                residentSets.add(own);
                segments.add(part);
            }
        }
        List<TaskGraph> graphs = new ArrayList<>();
        graphs.add(residentGraph(names.get(0)));
        for (int i = 0; i < segments.size(); i++) {
            graphs.add(programGraph(segments.get(i), i + 1, names, residentSets, local));
        }
        var snapshots = graphs.stream().map(TaskGraph::snapshot).toArray(uk.ac.manchester.tornado.api.ImmutableTaskGraph[]::new);
        plan = new TornadoExecutionPlan(snapshots);
        if (device != null) {
            plan.withDevice(device);
        }
        plan.withProfiler(ProfilerMode.SILENT);
        results = new TornadoExecutionResult[graphs.size()];
        residentResult = null;
        stale = false;
        rebuilds++;
    }

    /**
     * {@code program} cut into consecutive pieces of at most {@link #CALLS_PER_GRAPH} calls, each with
     * the program's inputs and outputs that its calls use. An output must be written and read within
     * one piece (each graph keeps its own copy of inputs and outputs).
     */
    static List<KernelProgram> segments(KernelProgram program) {
        List<KernelCall> calls = program.calls();
        if (calls.size() <= CALLS_PER_GRAPH) {
            return List.of(program);
        }
        List<KernelProgram> out = new ArrayList<>();
        Map<Object, Integer> outputPiece = new IdentityHashMap<>();
        for (int from = 0, piece = 0; from < calls.size(); from += CALLS_PER_GRAPH, piece++) {
            KernelProgram.Builder b = KernelProgram.builder(program.name());
            for (KernelCall call : calls.subList(from, Math.min(calls.size(), from + CALLS_PER_GRAPH))) {
                b.call(call);
                for (Object a : call.arguments()) {
                    if (program.inputs().contains(a)) {
                        b.input(a);
                    } else if (program.outputs().contains(a)) {
                        Integer was = outputPiece.putIfAbsent(a, piece);
                        if (was != null && was != piece) {
                            throw new IllegalArgumentException(program.name() + ": an output is used by calls " + CALLS_PER_GRAPH
                                    + " or more apart; a device runs the program as graphs of " + CALLS_PER_GRAPH
                                    + " calls and keeps outputs per graph");
                        }
                        b.output(a);
                    }
                }
            }
            out.add(b.build());
        }
        return out;
    }

    private TaskGraph residentGraph(String name) {
        TaskGraph g = new TaskGraph(name);
        List<Object> arrays = new ArrayList<>();
        for (Object a : residentOrder) {
            if (!local.contains(a)) {
                arrays.add(a);
            }
        }
        arrays.add(link);
        arrays.add(floatPad);
        arrays.add(intPad);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, arrays.toArray());
        List<float[]> floats = new ArrayList<>();
        List<int[]> ints = new ArrayList<>();
        for (Object a : arrays) {
            if (a instanceof float[] f) {
                floats.add(f);
            } else {
                ints.add((int[]) a);
            }
        }
        int task = 0;
        for (int from = 0; from < floats.size(); from += ResidencyKernels.ARRAYS_PER_TASK) {
            float[][] f = new float[ResidencyKernels.ARRAYS_PER_TASK][];
            for (int j = 0; j < f.length; j++) {
                f[j] = from + j < floats.size() ? floats.get(from + j) : floatPad;
            }
            g.task("f" + task++, ResidencyKernels::touchFloats, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
        }
        for (int from = 0; from < ints.size(); from += ResidencyKernels.ARRAYS_PER_TASK) {
            int[][] x = new int[ResidencyKernels.ARRAYS_PER_TASK][];
            for (int j = 0; j < x.length; j++) {
                x[j] = from + j < ints.size() ? ints.get(from + j) : intPad;
            }
            g.task("i" + task++, ResidencyKernels::touchInts, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
        }
        g.persistOnDevice(arrays.toArray());
        return g;
    }

    private static TaskGraph programGraph(KernelProgram program, int index, List<String> names,
                                          List<Set<Object>> residentSets, Set<Object> local) {
        TaskGraph g = new TaskGraph(names.get(index));
        Set<Object> own = residentSets.get(index);
        for (int other = 0; other < names.size(); other++) {
            List<Object> shared = new ArrayList<>();
            for (Object a : residentSets.get(other)) {
                if (own.contains(a)) {
                    shared.add(a);
                }
            }
            if (!shared.isEmpty()) {
                g.consumeFromDevice(names.get(other), shared.toArray());
            }
        }
        List<Object> ownArrays = new ArrayList<>();
        for (Object a : program.residentArrays()) {
            if (local.contains(a)) {
                ownArrays.add(a);
            }
        }
        if (!ownArrays.isEmpty()) { // sent with the graph's first run, kept by it
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, ownArrays.toArray());
        }
        Set<Object> inputs = new LinkedHashSet<>(program.inputs());
        if (!inputs.isEmpty()) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, orderedSubset(program, program.inputs()));
        }
        List<KernelCall> calls = program.calls();
        for (int i = 0; i < calls.size(); i++) {
            KernelCall call = calls.get(i);
            if (call.range() > 0) {
                KernelTasks.add(g, "t" + i, call);
            }
        }
        g.persistOnDevice(own.toArray());
        if (!program.outputs().isEmpty()) {
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, orderedSubset(program, program.outputs()));
        }
        return g;
    }

    private static Object[] orderedSubset(KernelProgram program, Set<Object> subset) {
        List<Object> out = new ArrayList<>();
        for (Object a : program.arrays()) {
            if (subset.contains(a)) {
                out.add(a);
            }
        }
        return out.toArray();
    }

    private void closePlan() {
        try {
            plan.close();
        } catch (Exception e) {
            // freeing device memory; the new plan allocates its own
        }
        plan = null;
        residentResult = null;
        results = null;
    }

    @Override
    public void close() {
        if (plan != null) {
            closePlan();
        }
        programs.clear();
        resident.clear();
        residentOrder.clear();
        local.clear();
        inPlan.clear();
    }

    /** A prepared program: its graph index in the current plan and its last result. */
    final class Registered implements ProgramLaunch {
        private final KernelProgram program;
        private int firstGraph;
        private int graphs;
        private boolean ranInPlan;

        Registered(KernelProgram program) {
            this.program = program;
        }

        @Override
        public KernelProgram program() {
            return program;
        }

        @Override
        public void run() {
            ResidentPrograms.this.run(this);
        }
    }
}
