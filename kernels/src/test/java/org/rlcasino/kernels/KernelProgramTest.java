package org.rlcasino.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Programs: which arrays cross the bus, what the builder refuses, the JVM run, and the cross-program check. */
class KernelProgramTest {
    private static KernelCall add(String task, float[] out, float[] a, float[] b) {
        return KernelCall.builder(task, Kernel.RESIDUAL_ADD).output(out).input(a).input(b).over(out.length);
    }

    @Test
    void arraysThatAreNeitherInputsNorOutputsAreResident() {
        float[] x = {1, 2};
        float[] h = new float[2];
        float[] y = new float[2];
        KernelProgram p = KernelProgram.builder("test.chain").call(add("test.first", h, x, x.clone()))
                .call(KernelCall.builder("test.second", Kernel.RESIDUAL_ADD_IN_PLACE).state(h).input(x).over(2))
                .call(add("test.third", y, h, h.clone())).input(x).output(y).build();
        // arrays compare by identity here (AssertJ would compare their contents)
        assertThat(p.residentArrays().stream().anyMatch(a -> a == x || a == y)).isFalse();
        assertThat(p.residentArrays().stream().anyMatch(a -> a == h)).isTrue();
        assertThat(p.writtenArrays().contains(h) && p.writtenArrays().contains(y) && !p.writtenArrays().contains(x)).isTrue();
        assertThat(p.arrays().get(0)).isSameAs(h);
        assertThat(p.arrays().get(1)).isSameAs(x);
    }

    @Test
    void aProgramOfOneCallTakesItsInputsAndOutputsFromTheRoles() {
        float[] out = new float[3];
        float[] a = new float[3];
        float[] b = new float[3];
        KernelProgram p = KernelProgram.of(add("test.add", out, a, b));
        assertThat(p.inputs()).containsExactlyInAnyOrder(a, b);
        assertThat(p.outputs()).containsExactly(out);
        assertThat(p.residentArrays()).isEmpty();
    }

    @Test
    void theBuilderRefusesWhatCannotCrossTheBus() {
        float[] out = new float[3];
        float[] a = new float[3];
        KernelCall call = add("test.add", out, a, new float[3]);
        assertThatThrownBy(() -> KernelProgram.builder("Bad Name")).hasMessageContaining("<stage>.<what>");
        assertThatThrownBy(() -> KernelProgram.builder("test.none").build()).hasMessageContaining("at least one call");
        assertThatThrownBy(() -> KernelProgram.builder("test.both").call(call).input(a).output(a).build())
                .hasMessageContaining("both an input and an output");
        assertThatThrownBy(() -> KernelProgram.builder("test.unused").call(call).input(new float[3]).build())
                .hasMessageContaining("no call uses");
        assertThatThrownBy(() -> KernelProgram.builder("test.type").input("x")).hasMessageContaining("float[] or int[]");
    }

    @Test
    void theJvmRunsTheCallsInOrderOnTheHostArrays() {
        float[] x = {1, 2, 3};
        float[] h = new float[3];
        float[] y = new float[3];
        try (JvmBackend backend = new JvmBackend(2, 1)) {
            ProgramLaunch launch = backend.prepare(KernelProgram.builder("test.chain").call(add("test.first", h, x, x))
                    .call(add("test.second", y, h, x)).input(x).output(y).build());
            launch.run();
            assertThat(y).containsExactly(3, 6, 9);
            x[0] = 10;
            launch.run();
            assertThat(y[0]).isEqualTo(30);
            assertThat(backend.transfers()).isEqualTo(TransferCounters.NONE);
        }
    }

    @Test
    void anArrayMustCrossTheBusTheSameWayInEveryProgram() {
        float[] x = new float[2];
        float[] y = new float[2];
        float[] z = new float[2];
        try (JvmBackend backend = new JvmBackend(1, 16)) {
            backend.prepare(KernelProgram.builder("test.forward").call(add("test.a", y, x, x)).input(x).output(y).build());
            // x is sent with every run of test.forward, so a program that keeps it resident would read a stale copy on a device
            assertThatThrownBy(() -> backend.prepare(KernelProgram.builder("test.backward").call(add("test.b", z, x, z.clone()))
                    .build())).hasMessageContaining("test.backward").hasMessageContaining("test.forward")
                    .hasMessageContaining("sends with every run");
            // declared the same way: fine
            backend.prepare(KernelProgram.builder("test.backward").call(add("test.b", z, x, z.clone())).input(x).build());
        }
    }
}
