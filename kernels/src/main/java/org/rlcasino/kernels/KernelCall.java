package org.rlcasino.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One kernel use: which {@link Kernel}, with which arguments, over which range, and what each
 * argument is to the data movement of a device backend:
 * <ul>
 *   <li>{@link Role#STATE}: sent to the device once, updated there by the kernel, read back only on
 *       demand ({@link Backend#syncToHost}) — parameters, optimizer moments;</li>
 *   <li>{@link Role#CONSTANT}: sent once, never changes — indices, masks, run tables;</li>
 *   <li>{@link Role#INPUT}: sent before every launch — gradients, the per-launch scalar arrays;</li>
 *   <li>{@link Role#OUTPUT}: written by the kernel and read back after every launch — partial sums;</li>
 *   <li>{@link Role#SIZE}: an {@code int} fixed for the run, passed as a scalar.</li>
 * </ul>
 * Arguments are checked against the kernel's parameter types when the call is built.
 *
 * @param task        {@code "<stage>.<task>"}, e.g. {@code "optimizer.adamw"}
 * @param kernel      the kernel method
 * @param arguments   its arguments without the trailing {@code offset, count}
 * @param roles       one role per argument
 * @param range       iterations of the parallel loop
 * @param jvmFastPath an equivalent JVM-only implementation, exact or within a stated tolerance,
 *                    that the JVM backend may run instead of the kernel ({@link FastPaths}); null for none
 * @param grain       the most iterations one JVM chunk should cover (for kernels whose iterations
 *                    are expensive, e.g. one matmul output row), or 0 for the backend's chunk size;
 *                    never changes results, only how the JVM backend splits the range
 */
public record KernelCall(String task, Kernel kernel, Object[] arguments, Role[] roles, int range,
                         FastPath jvmFastPath, int grain) {

    /**
     * A JVM-only implementation of the call's kernel over iterations {@code [offset, offset+count)}.
     *
     * @param kernel the implementation
     * @param exact  whether it is bit-identical to the reference kernel (else it holds a tolerance
     *               its class states)
     */
    public record FastPath(RangeKernel kernel, boolean exact) {
        public FastPath {
            if (kernel == null) {
                throw new IllegalArgumentException("a fast path needs a kernel");
            }
        }
    }

    /** What an argument is to data movement. */
    public enum Role { STATE, CONSTANT, INPUT, OUTPUT, SIZE }

    public KernelCall {
        if (task == null || !task.matches("[a-z0-9_]+\\.[a-z0-9_]+")) {
            throw new IllegalArgumentException("task must be named '<stage>.<task>' in lower case, got '" + task + "'");
        }
        if (kernel == null || arguments == null || roles == null) {
            throw new IllegalArgumentException(task + ": kernel, arguments and roles must not be null");
        }
        List<Class<?>> types = kernel.parameterTypes();
        if (arguments.length != types.size() || roles.length != types.size()) {
            throw new IllegalArgumentException(task + ": " + kernel + " takes " + types.size() + " arguments, got "
                    + arguments.length + " (and " + roles.length + " roles)");
        }
        for (int i = 0; i < arguments.length; i++) {
            Class<?> type = types.get(i);
            Object arg = arguments[i];
            boolean ok = type == int.class ? arg instanceof Integer && roles[i] == Role.SIZE
                    : type.isInstance(arg) && roles[i] != Role.SIZE && roles[i] != null;
            if (!ok) {
                throw new IllegalArgumentException(task + ": argument " + i + " of " + kernel + " must be "
                        + type.getSimpleName() + (type == int.class ? " with role SIZE" : " with an array role")
                        + ", got " + (arg == null ? "null" : arg.getClass().getSimpleName()) + " as " + roles[i]);
            }
        }
        for (int i = 0; i < arguments.length; i++) {
            for (int j = i + 1; j < arguments.length; j++) {
                boolean written = roles[i] == Role.OUTPUT || roles[i] == Role.STATE || roles[j] == Role.OUTPUT
                        || roles[j] == Role.STATE;
                if (written && arguments[i] == arguments[j] && roles[i] != Role.SIZE) {
                    throw new IllegalArgumentException(task + ": arguments " + i + " (" + roles[i] + ") and " + j + " ("
                            + roles[j] + ") of " + kernel + " are the same array; a kernel call may not write an array it "
                            + "also reads through another argument (TornadoVM hangs on it, its issue #650): use a separate "
                            + "output or the kernel's in-place form");
                }
            }
        }
        if (range < 0) {
            throw new IllegalArgumentException(task + ": range must be >= 0, got " + range);
        }
        if (grain < 0) {
            throw new IllegalArgumentException(task + ": grain must be >= 0, got " + grain);
        }
        arguments = arguments.clone();
        roles = roles.clone();
    }

    /** A call split by the backend's own chunk size. */
    public KernelCall(String task, Kernel kernel, Object[] arguments, Role[] roles, int range, FastPath jvmFastPath) {
        this(task, kernel, arguments, roles, range, jvmFastPath, 0);
    }

    /** Starts a call of {@code kernel} named {@code task}; add the arguments in the kernel's order. */
    public static Builder builder(String task, Kernel kernel) {
        return new Builder(task, kernel);
    }

    @Override
    public Object[] arguments() {
        return arguments.clone();
    }

    @Override
    public Role[] roles() {
        return roles.clone();
    }

    /**
     * Runs the kernel on the JVM for iterations {@code [offset, offset+count)}: the fast path if
     * there is one and {@code fastPaths} allows its kind, else the reference kernel.
     */
    public void runOnJvm(int offset, int count, FastPaths fastPaths) {
        if (jvmFastPath != null && fastPaths.allows(jvmFastPath.exact())) {
            jvmFastPath.kernel().run(offset, count);
        } else {
            kernel.runOnJvm(arguments, offset, count);
        }
    }

    @Override
    public String toString() {
        return task + " " + kernel + Arrays.toString(roles) + " over " + range;
    }

    /** Collects a call's arguments in order. */
    public static final class Builder {
        private final String task;
        private final Kernel kernel;
        private final List<Object> arguments = new ArrayList<>();
        private final List<Role> roles = new ArrayList<>();
        private FastPath fastPath;
        private int grain;

        private Builder(String task, Kernel kernel) {
            this.task = task;
            this.kernel = kernel;
        }

        private Builder add(Object argument, Role role) {
            arguments.add(argument);
            roles.add(role);
            return this;
        }

        public Builder state(float[] array) {
            return add(array, Role.STATE);
        }

        public Builder constant(int[] array) {
            return add(array, Role.CONSTANT);
        }

        public Builder constant(float[] array) {
            return add(array, Role.CONSTANT);
        }

        public Builder input(float[] array) {
            return add(array, Role.INPUT);
        }

        public Builder input(int[] array) {
            return add(array, Role.INPUT);
        }

        public Builder output(float[] array) {
            return add(array, Role.OUTPUT);
        }

        public Builder output(int[] array) {
            return add(array, Role.OUTPUT);
        }

        public Builder size(int value) {
            return add(value, Role.SIZE);
        }

        /** A JVM-only implementation bit-identical to the kernel (see {@link FastPaths}). */
        public Builder jvmFastPath(RangeKernel kernel) {
            this.fastPath = new FastPath(kernel, true);
            return this;
        }

        /**
         * A JVM-only implementation that differs from the kernel within a tolerance its class states
         * (see {@link FastPaths}); it must still give the same bits for any range split.
         */
        public Builder jvmFastPathWithinTolerance(RangeKernel kernel) {
            this.fastPath = new FastPath(kernel, false);
            return this;
        }

        /** At most {@code iterations} per JVM chunk (expensive iterations); see {@link KernelCall#grain()}. */
        public Builder grain(int iterations) {
            this.grain = iterations;
            return this;
        }

        public KernelCall over(int range) {
            return new KernelCall(task, kernel, arguments.toArray(), roles.toArray(new Role[0]), range, fastPath, grain);
        }
    }
}
