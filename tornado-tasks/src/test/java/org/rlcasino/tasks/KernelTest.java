package org.rlcasino.tasks;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@link Kernel} constant names exactly one kernel method — a {@code public static void} method
 * of a {@code *Kernels} class whose name is the constant's in camel case — and declares exactly that
 * method's parameter types (then the trailing {@code int offset, int count}), and every such method has
 * a constant. A kernel whose enum entry and method disagree fails here, in the default build, not only
 * on a device.
 */
class KernelTest {
    private static final List<Class<?>> KERNEL_CLASSES = List.of(ActivationKernels.class, AdamWKernels.class,
            AttentionKernels.class, BlockSparseMatmulKernels.class, EmbeddingKernels.class, LayerNormKernels.class,
            LogProbKernels.class, MatmulKernels.class, ReductionKernels.class, ScoringKernels.class, SelectionKernels.class);

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

    @Test
    void everyConstantMatchesExactlyOneKernelMethodWithItsParameterTypes() {
        List<Method> methods = kernelMethods();
        for (Kernel k : Kernel.values()) {
            List<Method> named = methods.stream().filter(m -> key(m.getName()).equals(key(k.name()))).toList();
            assertThat(named).as("kernel method for %s", k).hasSize(1);
            Class<?>[] p = named.getFirst().getParameterTypes();
            List<Class<?>> declared = List.of(p).subList(0, p.length - 2);
            assertThat(declared).as("%s: the enum's argument types vs %s.%s", k,
                    named.getFirst().getDeclaringClass().getSimpleName(), named.getFirst().getName())
                    .isEqualTo(k.parameterTypes());
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
