package org.rlcasino.kernels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A piece of a training step that runs without the host in between: an ordered list of
 * {@link KernelCall}s over shared arrays, plus which arrays cross the bus on every run.
 * <ul>
 *   <li><b>inputs</b>: the host writes them before every run (token ids, targets, dLoss/dlogp,
 *       the per-step scalar arrays): sent to the device before every run;</li>
 *   <li><b>outputs</b>: the host reads them after every run (log-probs, partial sums): sent back
 *       after every run;</li>
 *   <li>every other array is <b>resident</b>: on a device backend it lives on the device for the
 *       life of the backend, shared by every program that uses it (parameters, gradients, moments,
 *       activations, constants). It is sent once, before its first use; after that the host reads
 *       it only through {@link Backend#syncToHost} and must announce its own writes with
 *       {@link Backend#syncToDevice}.</li>
 * </ul>
 * The JVM backend runs the calls in order on the host arrays themselves (bit for bit what launching
 * each call would do); the TornadoVM backend compiles the program into task graphs (consecutive pieces
 * of a long program) in the one execution plan of all its programs.
 *
 * <p>An array that one program declares as an input or an output must be declared the same way by
 * every program that uses it (a device backend keeps a private copy of such arrays per program);
 * {@link ProgramRegistry} checks it where a program is prepared, on every backend.
 */
public final class KernelProgram {
    private final String name;
    private final List<KernelCall> calls;
    private final Set<Object> inputs;
    private final Set<Object> outputs;

    private KernelProgram(String name, List<KernelCall> calls, Set<Object> inputs, Set<Object> outputs) {
        this.name = name;
        this.calls = List.copyOf(calls);
        this.inputs = Collections.unmodifiableSet(inputs);
        this.outputs = Collections.unmodifiableSet(outputs);
    }

    /** Starts a program named {@code name} ({@code "<stage>.<what>"}, lower case). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A program of one call whose INPUT arguments are its inputs and OUTPUT arguments its outputs. */
    public static KernelProgram of(KernelCall call) {
        Builder b = builder(call.task()).call(call);
        Object[] args = call.arguments();
        KernelCall.Role[] roles = call.roles();
        for (int i = 0; i < args.length; i++) {
            if (roles[i] == KernelCall.Role.INPUT) {
                b.input(args[i]);
            } else if (roles[i] == KernelCall.Role.OUTPUT) {
                b.output(args[i]);
            }
        }
        return b.build();
    }

    public String name() {
        return name;
    }

    public List<KernelCall> calls() {
        return calls;
    }

    /** Arrays sent to the device before every run (identity set). */
    public Set<Object> inputs() {
        return inputs;
    }

    /** Arrays sent back after every run (identity set). */
    public Set<Object> outputs() {
        return outputs;
    }

    /** Every array the calls use, in first-use order, without duplicates. */
    public List<Object> arrays() {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<Object> out = new ArrayList<>();
        for (KernelCall call : calls) {
            for (Object a : call.arguments()) {
                if (!(a instanceof Integer) && seen.put(a, Boolean.TRUE) == null) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** Arrays that stay on a device between runs: every array that is neither an input nor an output. */
    public List<Object> residentArrays() {
        List<Object> out = new ArrayList<>();
        for (Object a : arrays()) {
            if (!inputs.contains(a) && !outputs.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    /** Arrays some call writes (an OUTPUT or STATE argument). */
    public Set<Object> writtenArrays() {
        Set<Object> out = Collections.newSetFromMap(new IdentityHashMap<>());
        for (KernelCall call : calls) {
            Object[] args = call.arguments();
            KernelCall.Role[] roles = call.roles();
            for (int i = 0; i < args.length; i++) {
                if (roles[i] == KernelCall.Role.OUTPUT || roles[i] == KernelCall.Role.STATE) {
                    out.add(args[i]);
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name + " (" + calls.size() + " calls, " + inputs.size() + " inputs, " + outputs.size() + " outputs)";
    }

    /** Collects a program's calls in order and its per-run inputs and outputs. */
    public static final class Builder {
        private final String name;
        private final List<KernelCall> calls = new ArrayList<>();
        private final Set<Object> inputs = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Set<Object> outputs = Collections.newSetFromMap(new IdentityHashMap<>());

        private Builder(String name) {
            if (name == null || !name.matches("[a-z0-9_]+\\.[a-z0-9_]+")) {
                throw new IllegalArgumentException("a program must be named '<stage>.<what>' in lower case, got '" + name + "'");
            }
            this.name = name;
        }

        public Builder call(KernelCall call) {
            if (call == null) {
                throw new IllegalArgumentException(name + ": a call must not be null");
            }
            calls.add(call);
            return this;
        }

        /** The host writes {@code array} before every run. */
        public Builder input(Object array) {
            inputs.add(requireArray(array));
            return this;
        }

        /** The host reads {@code array} after every run. */
        public Builder output(Object array) {
            outputs.add(requireArray(array));
            return this;
        }

        private Object requireArray(Object array) {
            if (!(array instanceof float[]) && !(array instanceof int[])) {
                throw new IllegalArgumentException(name + ": inputs and outputs are float[] or int[] arrays, got "
                        + (array == null ? "null" : array.getClass().getSimpleName()));
            }
            return array;
        }

        public KernelProgram build() {
            if (calls.isEmpty()) {
                throw new IllegalArgumentException(name + ": a program needs at least one call");
            }
            KernelProgram p = new KernelProgram(name, calls, inputs, outputs);
            Set<Object> used = Collections.newSetFromMap(new IdentityHashMap<>());
            used.addAll(p.arrays());
            for (Object a : inputs) {
                if (outputs.contains(a)) {
                    throw new IllegalArgumentException(name + ": an array cannot be both an input and an output of a program");
                }
                if (!used.contains(a)) {
                    throw new IllegalArgumentException(name + ": an input that no call uses");
                }
            }
            for (Object a : outputs) {
                if (!used.contains(a)) {
                    throw new IllegalArgumentException(name + ": an output that no call uses");
                }
            }
            return p;
        }
    }
}
