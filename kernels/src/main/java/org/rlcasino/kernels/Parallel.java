package org.rlcasino.kernels;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the induction variable of a kernel's parallel loop.
 *
 * <p>Kernels write {@code for (@Parallel int k = 0; k < count; k++) { int i = offset + k; … }}:
 * the loop starts at the constant 0 because TornadoVM refuses a parallel loop whose start is a
 * variable. On the JVM the annotation has no effect; the {@link JvmBackend} calls the kernel once
 * per chunk {@code (offset, count)} of the range. TornadoVM recognises parallel loops by the
 * annotation class named in the JVM property {@code tornado.load.annotation.parallel}, so the
 * TornadoVM launcher sets {@code -Dtornado.load.annotation.parallel=org.rlcasino.kernels.Parallel};
 * no kernel refers to any TornadoVM class and the default build needs no TornadoVM artifact.
 * Kernel classes must keep their local-variable tables (javac {@code -g}, Maven's default), which
 * is where TornadoVM finds this annotation.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE_USE, ElementType.LOCAL_VARIABLE})
public @interface Parallel {}
