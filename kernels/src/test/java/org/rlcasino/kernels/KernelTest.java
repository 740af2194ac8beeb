package org.rlcasino.kernels;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@link Kernel} constant resolves to exactly one kernel method (the enum fails to initialise
 * otherwise), every kernel method has a constant, and every signature is one TornadoVM can take as a
 * task: primitive arrays and ints only, outputs (an array) first, at most 15 arguments with the trailing
 * {@code int offset, int count} (TornadoVM's {@code TaskGraph.task} arities). The TornadoVM backend
 * derives each task from {@link Kernel#method()}, so there is no per-kernel mapping to forget; what it
 * needs is checked here, in the default build.
 */
class KernelTest {
    private static final List<Class<?>> KERNEL_CLASSES = List.of(ActivationKernels.class, AdamWKernels.class,
            AttentionKernels.class, BlockSparseMatmulKernels.class, DeltaKernels.class, EmbeddingKernels.class, LayerNormKernels.class,
            LogProbKernels.class, MatmulKernels.class, ReductionKernels.class, ScoringKernels.class, SelectionKernels.class,
            RmsNormKernels.class, GatedActivationKernels.class, RotaryKernels.class, GroupedAttentionKernels.class);

    private static String key(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** The kernel methods: public static void, an array first (outputs first), ending in (…, int offset, int count). */
    private static List<Method> kernelMethods() {
        List<Method> out = new ArrayList<>();
        for (Class<?> c : KERNEL_CLASSES) {
            for (Method m : c.getDeclaredMethods()) {
                Class<?>[] p = m.getParameterTypes();
                boolean kernel = Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())
                        && m.getReturnType() == void.class && p.length >= 3 && p[p.length - 1] == int.class
                        && p[p.length - 2] == int.class && p[0].isArray();
                if (kernel) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** The most arguments TornadoVM's {@code TaskGraph.task} takes (its {@code Task15}). */
    private static final int TORNADO_MAX_ARGUMENTS = 15;

    @Test
    void everyConstantIsItsKernelMethodWithASignatureTornadoVmTakes() {
        List<Method> methods = kernelMethods();
        for (Kernel k : Kernel.values()) {
            List<Method> named = methods.stream().filter(m -> key(m.getName()).equals(key(k.name()))).toList();
            assertThat(named).as("kernel method for %s", k).containsExactly(k.method());
            Class<?>[] p = k.method().getParameterTypes();
            assertThat(List.of(p).subList(0, p.length - 2)).isEqualTo(k.parameterTypes());
            assertThat(p.length).as("%s: arguments with offset and count", k).isLessThanOrEqualTo(TORNADO_MAX_ARGUMENTS);
            for (Class<?> type : k.parameterTypes()) {
                assertThat(type).as("%s: argument type", k).isIn(float[].class, int[].class, long[].class, int.class);
            }
        }
    }

    @Test
    void everyKernelMethodHasAConstant() {
        List<String> constants = List.of(Kernel.values()).stream().map(k -> key(k.name())).toList();
        assertThat(kernelMethods()).hasSize(Kernel.values().length);
        for (Method m : kernelMethods()) {
            assertThat(constants).as("%s.%s has no Kernel constant", m.getDeclaringClass().getSimpleName(), m.getName())
                    .contains(key(m.getName()));
        }
    }
}
