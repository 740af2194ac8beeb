package org.rlcasino.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelCallTest {

    @Test
    void argumentsAreCheckedAgainstTheKernelSignature() {
        float[] a = new float[4];
        assertThatThrownBy(() -> KernelCall.builder("optimizer.adamw", Kernel.ADAMW).state(a).state(a).over(4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ADAMW takes 5 arguments, got 2");
        assertThatThrownBy(() -> KernelCall.builder("optimizer.sparse_adamw", Kernel.SPARSE_ADAMW)
                .state(a).state(a).state(a).input(a).input(a).input(a).over(4))
                .hasMessageContaining("argument 4 of SPARSE_ADAMW must be int[]");
        assertThatThrownBy(() -> KernelCall.builder("test.sum", Kernel.SUM_OF_SQUARES_PARTIALS)
                .output(a).input(a).input(a).size(1).over(1))
                .hasMessageContaining("argument 2 of SUM_OF_SQUARES_PARTIALS must be int with role SIZE");
    }

    @Test
    void taskNamesAreStageDotTask() {
        float[] a = new float[4];
        assertThatThrownBy(() -> KernelCall.builder("adamw", Kernel.ADAMW).over(4))
                .hasMessageContaining("'<stage>.<task>'");
        assertThatThrownBy(() -> KernelCall.builder("optimizer.adamw", Kernel.ADAMW)
                .state(a).state(new float[4]).state(new float[4]).input(new float[4]).input(new float[4]).over(-1))
                .hasMessageContaining("range must be >= 0");
    }

    @Test
    void aCallThatWritesAnArrayItAlsoPassesElsewhereIsRefused() {
        float[] p = new float[4];
        float[] g = new float[4];
        // written twice (two STATE arguments), or written and read: TornadoVM issue #650
        assertThatThrownBy(() -> KernelCall.builder("optimizer.adamw", Kernel.ADAMW)
                .state(p).state(p).state(new float[4]).input(g).input(new float[4]).over(4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("optimizer.adamw: arguments 0 (STATE) and 1 (STATE) of ADAMW are the same array");
        assertThatThrownBy(() -> KernelCall.builder("optimizer.adamw", Kernel.ADAMW)
                .state(p).state(new float[4]).state(new float[4]).input(p).input(new float[4]).over(4))
                .hasMessageContaining("arguments 0 (STATE) and 3 (INPUT)");
        // the same array read twice is fine (e.g. a matmul's weights and bias in one parameter buffer)
        KernelCall.builder("test.residual", Kernel.RESIDUAL_ADD).output(new float[4]).input(g).input(g).over(4);
    }

    @Test
    void jvmBackendRunsThePreparedCallAndPrefersTheFastPath() {
        float[] partials = new float[2];
        float[] x = {1, 2, 3, 4, 5};
        KernelCall call = KernelCall.builder("test.sum_sq", Kernel.SUM_OF_SQUARES_PARTIALS)
                .output(partials).input(x).size(5).size(3).over(2);
        assertThat(call.roles()).containsExactly(KernelCall.Role.OUTPUT, KernelCall.Role.INPUT,
                KernelCall.Role.SIZE, KernelCall.Role.SIZE);
        try (JvmBackend backend = new JvmBackend(2, 1)) {
            KernelLaunch launch = backend.prepare(call);
            assertThat(launch.call()).isSameAs(call);
            launch.launch();
            assertThat(partials).containsExactly(14f, 41f);

            int[] fastRuns = new int[1];
            KernelCall fast = KernelCall.builder("test.sum_sq", Kernel.SUM_OF_SQUARES_PARTIALS)
                    .output(partials).input(x).size(5).size(3)
                    .jvmFastPath((offset, count) -> fastRuns[0] += count).over(2);
            backend.prepare(fast).launch();
            assertThat(fastRuns[0]).isEqualTo(2);
        }
    }

    @Test
    void providersAreFoundAndUnknownKindsExplained() {
        assertThat(BackendProvider.of("jvm").create(1, null).name()).isEqualTo("jvm(1 thread)");
        assertThat(BackendProvider.of("jvm").devices()).singleElement().asString().startsWith("0:0");
        assertThatThrownBy(() -> BackendProvider.of("jvm").create(1, "1:0")).hasMessageContaining("one device, 0:0");
        assertThatThrownBy(() -> BackendProvider.of("cuda")).hasMessageContaining("unknown backend 'cuda' (available: jvm");
        assertThatThrownBy(() -> BackendProvider.of("tornado")).hasMessageContaining("-Ptornado");
    }
}
