package org.rlcasino.tornado;

import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import uk.ac.manchester.tornado.api.TaskGraph;

/**
 * A {@link KernelCall} as a TornadoVM task, derived from {@link Kernel#method()} alone: no kernel's
 * signature is written out here. TornadoVM takes a task as a {@code TaskN} functional object and finds
 * the kernel by reading the bytecode of its {@code apply}, which calls the kernel method; the object is
 * made with {@link LambdaMetafactory} — exactly what {@code javac} makes of a method reference like
 * {@code AdamWKernels::adamW} — once per kernel, and handed to the {@code TaskGraph.task} overload of the
 * kernel's arity (its arguments, then {@code 0, range}).
 */
final class KernelTasks {
    private static final Map<Kernel, Object> TASKS = new EnumMap<>(Kernel.class);

    private KernelTasks() {}

    /** Adds {@code call} to {@code graph} as task {@code task} over {@code (0, call.range())}. */
    static void add(TaskGraph graph, String task, KernelCall call) {
        Kernel kernel = call.kernel();
        Object[] arguments = call.arguments();
        Object[] taskArguments = Arrays.copyOf(arguments, arguments.length + 2);
        taskArguments[arguments.length] = 0;
        taskArguments[arguments.length + 1] = call.range();
        int arity = taskArguments.length;
        Object[] invocation = new Object[arity + 2];
        invocation[0] = task;
        invocation[1] = taskOf(kernel);
        System.arraycopy(taskArguments, 0, invocation, 2, arity);
        try {
            taskMethod(arity).invoke(graph, invocation);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(call.task() + ": TornadoVM refused the task of " + kernel + ": " + cause, cause);
        }
    }

    /** The {@code TaskN} object whose {@code apply} calls the kernel method (made once per kernel). */
    static synchronized Object taskOf(Kernel kernel) {
        return TASKS.computeIfAbsent(kernel, KernelTasks::metafactory);
    }

    private static Object metafactory(Kernel kernel) {
        Method method = kernel.method();
        int arity = method.getParameterCount();
        Class<?> taskInterface = taskInterface(arity);
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle target = lookup.unreflect(method);
            MethodType erased = MethodType.genericMethodType(arity).changeReturnType(void.class);
            MethodType instantiated = target.type().wrap().changeReturnType(void.class);
            return LambdaMetafactory.metafactory(lookup, "apply", MethodType.methodType(taskInterface), erased, target,
                    instantiated).getTarget().invoke();
        } catch (Throwable e) {
            throw new IllegalStateException(kernel + ": cannot make a TornadoVM task of " + method + ": " + e, e);
        }
    }

    /** {@code TornadoFunctions.TaskN} for {@code arity} arguments. */
    private static Class<?> taskInterface(int arity) {
        try {
            return Class.forName("uk.ac.manchester.tornado.api.common.TornadoFunctions$Task" + arity);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("TornadoVM has no task of " + arity + " arguments (TornadoFunctions.Task" + arity
                    + "); a kernel takes at most 15 with offset and count", e);
        }
    }

    /** {@code TaskGraph.task(String, TaskN, T1 … TN)}. */
    private static Method taskMethod(int arity) throws NoSuchMethodException {
        Class<?>[] types = new Class<?>[arity + 2];
        types[0] = String.class;
        types[1] = taskInterface(arity);
        Arrays.fill(types, 2, types.length, Object.class);
        return TaskGraph.class.getMethod("task", types);
    }
}
